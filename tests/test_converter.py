"""The converter reads Flip's JSON leniently, writes it strictly, and names misfits by wire path."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta, timezone
from types import UnionType
from typing import Any, Union, get_args, get_origin
from uuid import UUID

import attrs
import orjson
import pytest
import support
from support import seed_request, seed_response

from flip_async import _converter, models


def test_seed_request_round_trips() -> None:
    document = seed_request()
    request = _converter.structure(document, models.CommissionRequest)
    assert request.site.state_code is models.StateCode.AK
    assert request.devices[0].type is models.DeviceType.BATTERY
    assert request.devices[0].install_date == datetime(2022, 2, 22)
    back = orjson.loads(_converter.dumps(request))
    # The seed writes a bare date in a date-time field; we send the full date-time it stands for.
    assert back["devices"][0].pop("install_date") == "2022-02-22T00:00:00Z"
    assert document["devices"][0].pop("install_date") == "2022-02-22"
    assert back == document


def test_seed_response_round_trips() -> None:
    document = seed_response()
    response = _converter.structure(document, models.CommissionResponse)
    program = response.programs[0]
    assert program.id == UUID("497f6eca-6276-4993-bfeb-53cbbbba6f08")
    assert program.created_at == datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)
    assert program.enrollment_form[0].type is models.EnrollmentFormFieldType.BOOLEAN
    assert response.enrollment is not None
    assert response.enrollment.status is models.EnrollmentStatus.ACTIVE
    assert orjson.loads(_converter.dumps(response)) == document


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2022-02-22", datetime(2022, 2, 22)),
        ("2025-04-30 12:00:00.000Z", datetime(2025, 4, 30, 12, tzinfo=UTC)),
        ("2025-04-30T12:00:00Z", datetime(2025, 4, 30, 12, tzinfo=UTC)),
        ("2025-06-19T15:30:00-07:00", datetime(2025, 6, 19, 15, 30, tzinfo=timezone(timedelta(hours=-7)))),
    ],
)
def test_date_times_in_every_spelling_flip_uses(wire: str, expected: datetime) -> None:
    enrollment = _enrollment(enrolled_at=wire)
    assert enrollment.enrolled_at == expected


def test_unknown_enum_values_and_fields_are_kept_or_ignored_not_fatal() -> None:
    enrollment = _enrollment(status="PAUSED", brand_new_field={"x": 1})
    assert enrollment.status == "PAUSED"
    assert not isinstance(enrollment.status, models.EnrollmentStatus)


def test_missing_required_and_wrong_shapes_name_their_wire_paths() -> None:
    document = seed_response()
    del document["programs"][0]["description"]
    document["programs"][0]["minimum_reserve_percentage"] = "twenty"
    document["enrollment"]["device_ids"] = "xyz-123"
    with pytest.raises(_converter.WireShapeError) as caught:
        _converter.structure(document, models.CommissionResponse)
    paths = {problem.path: problem.message for problem in caught.value.problems}
    assert paths.keys() == {
        "programs[0].description",
        "programs[0].minimum_reserve_percentage",
        "enrollment.device_ids",
    }
    assert paths["programs[0].description"] == "required field is missing"
    assert "integer" in paths["programs[0].minimum_reserve_percentage"]


@pytest.mark.parametrize("junk", [b"", b"not json", b"[1, 2]", b'"text"', b"null", b'{"programs": {}}'])
def test_junk_bodies_are_shape_errors_never_key_errors(junk: bytes) -> None:
    with pytest.raises(_converter.WireShapeError):
        _converter.loads(junk, models.CommissionResponse)


def test_booleans_are_not_coerced_from_strings() -> None:
    with pytest.raises(_converter.WireShapeError) as caught:
        _enrollment(has_agreed_to_terms_and_conditions="false")
    assert caught.value.problems[0].path == "has_agreed_to_terms_and_conditions"


def test_unset_optional_fields_are_left_out_of_request_bodies() -> None:
    site = models.Site(id="abc-789", zip_code="88800")
    assert orjson.loads(_converter.dumps(site)) == {"id": "abc-789", "zip_code": "88800"}


def test_datetimes_are_sent_as_iso_8601_with_z_for_utc() -> None:
    device = attrs.evolve(support.device("d", "s"), install_date=datetime(2022, 2, 22, 9, 30, tzinfo=UTC))
    assert orjson.loads(_converter.dumps(device))["install_date"] == "2022-02-22T09:30:00Z"


def _enrollment(**changes: Any) -> models.Enrollment:
    document = seed_response()["enrollment"] | changes
    return _converter.structure(document, models.Enrollment)


# Every answer is decoded by the fast converter first and read again by the detailed one only when it does not fit;
# both must give the same model for a document that fits: every field present, only the required ones, or only the
# required ones with each nullable one null.
MODELS = sorted(
    (cls for cls in vars(models).values() if isinstance(cls, type) and attrs.has(cls)), key=lambda cls: cls.__name__
)
SHAPES = ("every field", "required fields only", "required fields, nullable ones null")


def _document_for(hint: Any, shape: str, depth: int = 0) -> Any:
    """A wire value that fits `hint`: each kind of value the fast path reads its own way."""
    if get_origin(hint) in (Union, UnionType):
        if shape == SHAPES[2] and type(None) in get_args(hint):
            return None
        return _document_for(get_args(hint)[0], shape, depth)
    if get_origin(hint) is list:
        return [_document_for(get_args(hint)[0], shape, depth)]
    if get_origin(hint) is dict or hint in (Any, object):
        return {"free": [1, "form", None]}
    if attrs.has(hint):
        return _model_document(hint, shape, depth + 1)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint)).value
    examples = {
        str: "text",
        bool: True,
        int: 7,
        float: 2.5,
        datetime: "2025-06-01T12:00:00Z",
        date: "2025-06-01",
        UUID: "497f6eca-6276-4993-bfeb-53cbbbba6f08",
    }
    return examples[hint]


def _model_document(cls: type, shape: str, depth: int = 0) -> dict[str, Any]:
    fields = attrs.fields(attrs.resolve_types(cls, globalns=vars(models)))
    return {
        _converter.wire_name(field): _document_for(field.type, shape, depth)
        for field in fields
        if field.default is attrs.NOTHING or (shape == SHAPES[0] and depth < 4)
    }


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_the_fast_decoding_path_gives_the_model_the_detailed_one_gives(cls: type, shape: str) -> None:
    document = _model_document(cls, shape)
    assert _converter._fast.structure(document, cls) == _converter.converter.structure(document, cls)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_model_is_written_back_as_the_document_it_was_read_from(cls: type, shape: str) -> None:
    document = _model_document(cls, shape)
    assert orjson.loads(_converter.dumps(_converter.structure(document, cls))) == document


@attrs.define(kw_only=True)
class _Defaults:
    """Defaults the generated models do not have (yet): a value, a factory, a factory that reads the instance."""

    name: str
    retries: int = 3
    tags: list[str] = attrs.Factory(list)


@attrs.define(kw_only=True)
class _DefaultFromSelf:
    name: str
    label: str = attrs.Factory(lambda self: self.name.upper(), takes_self=True)


@pytest.mark.parametrize("cls", [_Defaults, _DefaultFromSelf])
def test_absent_fields_get_their_defaults_on_the_fast_path_as_on_the_detailed_one(cls: type) -> None:
    first, second = (_converter._fast.structure({"name": "a"}, cls) for _ in range(2))
    assert first == _converter.converter.structure({"name": "a"}, cls) == cls(name="a")
    if cls is _Defaults:
        assert first.tags is not second.tags  # a fresh list each time, as the factory makes it
