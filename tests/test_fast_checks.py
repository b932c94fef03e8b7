"""The generated fast tests (`flip_async._checks`) never pass a request the detailed validation walk would refuse.

Each request model's valid example, as a wire mapping and as a model, is broken at every place it has, one value at a
time, in every way a file row or a caller's code breaks one; wherever the fast test says "passes", the walk must find
no problem. The examples themselves must pass the fast test, or the fast path would be dead and this test vacuous.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import attrs
import pytest

from flip_async import _converter, models
from flip_async._checks import PASSES
from flip_async._validation import _object_check

DEVICE_ID = "xyz-123"
WHEN = "2025-06-01T12:00:00Z"


class Text(str):
    """A str subclass, as some ORMs hand over."""


class Number(int):
    """An int subclass (an IntEnum member behaves alike)."""


def deep(levels: int) -> Any:
    nested: Any = []
    for _ in range(levels):
        nested = [nested]
    return nested


# Everything a field can be given instead of what it should be: each type, each edge of the spec's ranges and formats.
REPLACEMENTS: list[Any] = [
    None,
    "",
    " ",
    "x",
    "\ud800",  # a lone surrogate
    "é",
    Text("x"),
    "a@b.co",
    "no-at-sign",
    "CA",
    "ZZ",
    "BATTERY",
    "OK",
    "AUTO_ENROLL",
    WHEN,
    "2025-06-01T12:00:00",  # naive
    "2025-06-01",
    "not a time",
    "3f0c5b1e-9a58-4c1e-8f39-0a4c2f9b7d11",
    0,
    -1,
    1,
    101,
    Number(5),
    2**63 - 1,
    2**63,
    2**64,
    -(2**63) - 1,
    1.5,
    -0.5,
    math.nan,
    math.inf,
    True,
    False,
    [],
    [1],
    ["x"],
    {},
    {"k": 1},
    {"k": math.nan},
    deep(200),
    {"k": deep(200)},
    b"x",
    object(),
    datetime(2025, 6, 1, 12, tzinfo=UTC),
    datetime(2025, 6, 1, 12),  # naive
    date(2025, 6, 1),
    UUID("3f0c5b1e-9a58-4c1e-8f39-0a4c2f9b7d11"),
    models.DeviceType.BATTERY,
    models.StateCode.CA,
    models.DeviceStatusUpdate.OK,
]

BATTERY = {"battery_capacity_wh": 15000, "battery_power_input_w": 6000, "battery_power_output_w": 7500}
SITE = {
    "id": "abc-789",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company_name": "Analytical",
    "email": "ada@example.com",
    "state_code": "CA",
    "city": "Fresno",
    "zip_code": "88800",
    "street_address": "1 Main St",
    "street_address2": "Unit 2",
    "service_account_id": "sa-1",
    "tariff_id": "t-1",
}
DEVICE = {
    "id": DEVICE_ID,
    "site_id": "abc-789",
    "manufacturer_name": "DeviceMaker",
    "product_name": "Model 1",
    "serial_number": "123456789",
    "type": "BATTERY",
    "attributes": BATTERY,
    "install_date": "2022-02-22T00:00:00Z",
    "configuration": {"reserve_percentage": 20},
}
POINT = {
    "start_time": WHEN,
    "duration_s": 300,
    "device_id": DEVICE_ID,
    "last_is_online": True,
    "last_mode": "SELF_CONSUMPTION",
    "battery_last_power_charge_w": 0.0,
    "battery_last_power_discharge_w": 1200.5,
    "battery_total_energy_charge_wh": 10.0,
    "battery_total_energy_discharge_wh": 20.0,
    "battery_last_stored_energy_wh": 7000,
    "battery_last_capacity_energy_wh": 15000,
    "battery_last_backup_reserve_percentage": 20,
    "battery_last_state_of_charge_percentage": 55.5,
    "battery_last_state_of_health_percentage": 99,
    "last_is_grid_online": True,
    "home_total_energy_wh": 3.0,
    "home_last_power_w": 800,
    "solar_total_energy_wh": 4.0,
    "solar_last_power_w": 0,
    "oem_raw_data": {"firmware": "1.2", "cells": [3.3, 3.31], "flags": {"fan": False}},
}

EXAMPLES: dict[type, dict[str, Any]] = {
    models.CommissionRequest: {
        "site": SITE,
        "devices": [DEVICE],
        "can_auto_enroll": False,
        "enrollment": {
            "device_ids": [DEVICE_ID],
            "enroll_method": "AUTO_ENROLL",
            "program_id": "3f0c5b1e-9a58-4c1e-8f39-0a4c2f9b7d11",
            "has_agreed_to_terms_and_conditions": True,
            "terms_and_conditions_version": "2025-01",
            "program_specific_attributes": [{"name": "utility_account", "value": "123"}],
        },
    },
    models.SessionRequest: {"site": SITE, "devices": [DEVICE]},
    models.CommandStatusUpdate: {"device_status": "FAILED_FAULT", "device_status_reason": "inverter fault"},
    models.BatteryTelemetryRequest: {"telemetry": [POINT], "start_time": WHEN, "duration_s": 300},
    models.BatteryCounterTelemetryRequest: {"telemetry": [{"device_id": DEVICE_ID, "counter": 12, "raw": {"a": [1]}}]},
    models.SiteUpdateIn: {
        key: value for key, value in SITE.items() if key not in ("id", "service_account_id", "tariff_id")
    },
    models.DeviceUpdateIn: {"attributes": BATTERY, "configuration": {"reserve_percentage": 20.5}},
    models.EventUpdateIn: {
        "is_participating": True,
        "device_settings": [
            {"device_id": DEVICE_ID, "backup_reserve_percentage": 30, "maximum_charge_percentage": 90},
        ],
    },
}


def walk_problems(value: Any, cls: type) -> list[Any]:
    problems: list[Any] = []
    _object_check(cls)(value, "", problems)
    return problems


def wire_variants(value: Any) -> Iterator[tuple[str, Any]]:
    """`value` broken at one place each time: each key and item replaced, each key removed, an unknown key added."""
    if isinstance(value, dict):
        for key in list(value):
            for replacement in REPLACEMENTS:
                yield f"{key}={replacement!r:.40}", {**value, key: replacement}
            yield f"without {key}", {name: item for name, item in value.items() if name != key}
            for where, broken in wire_variants(value[key]):
                yield f"{key}.{where}", {**value, key: broken}
        yield "unknown key", {**value, "unknown_key": 1}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for replacement in REPLACEMENTS:
                yield f"[{index}]={replacement!r:.40}", [*value[:index], replacement, *value[index + 1 :]]
            for where, broken in wire_variants(item):
                yield f"[{index}].{where}", [*value[:index], broken, *value[index + 1 :]]
        yield "an item more", [*value, value[0]] if value else [None]


def model_variants(value: Any) -> Iterator[tuple[str, Any]]:
    """A model broken at one place each time: each field (of it and of the models and lists it holds) replaced."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            for replacement in REPLACEMENTS:
                yield f"{field.name}={replacement!r:.40}", attrs.evolve(value, **{field.name: replacement})
            for where, broken in model_variants(item):
                yield f"{field.name}.{where}", attrs.evolve(value, **{field.name: broken})
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for where, broken in model_variants(item):
                yield f"[{index}].{where}", [*value[:index], broken, *value[index + 1 :]]
            for replacement in REPLACEMENTS:
                yield f"[{index}]={replacement!r:.40}", [*value[:index], replacement, *value[index + 1 :]]


def as_model(cls: type, wire: dict[str, Any]) -> Any:
    return _converter.converter.structure(copy.deepcopy(wire), cls)


def test_every_request_model_with_a_fast_test_has_an_example_here() -> None:
    roots = {cls for cls in PASSES if not any(cls is not root and _reaches(root, cls) for root in PASSES)}
    assert roots <= set(EXAMPLES), f"add examples for {sorted(cls.__name__ for cls in roots - set(EXAMPLES))}"


def _reaches(root: type, cls: type) -> bool:
    """Whether a `root` value holds a `cls` value somewhere (so that breaking `root`'s example reaches `cls`)."""
    seen: set[type] = set()
    pending = [root]
    while pending:
        current = pending.pop()
        for field in attrs.fields(attrs.resolve_types(current, globalns=vars(models))):
            for hint in _types_in(field.type):
                if hint is cls:
                    return True
                if attrs.has(hint) and hint not in seen:
                    seen.add(hint)
                    pending.append(hint)
    return False


def _types_in(hint: Any) -> Iterator[Any]:
    yield hint
    for argument in getattr(hint, "__args__", ()):
        yield from _types_in(argument)


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("form", ["wire", "model"])
def test_the_fast_test_never_passes_what_the_walk_refuses(cls: type, form: str) -> None:
    passes: Callable[[Any], bool] = PASSES[cls]
    example = EXAMPLES[cls] if form == "wire" else as_model(cls, EXAMPLES[cls])
    assert walk_problems(example, cls) == []
    assert passes(example), "the valid example must take the fast path"
    variants = list(wire_variants(example) if form == "wire" else model_variants(example))
    # The walk runs on every variant: it must come back (an int subclass once sent it scanning all 2**64 integers).
    judged = [(where, passes(variant), walk_problems(variant, cls)) for where, variant in variants]
    wrongly_passed = [(where, problems) for where, fast, problems in judged if fast and problems]
    assert wrongly_passed == []
    assert len(variants) > 100  # the example was broken in many places, not just a few
