"""CPU cost per call of our converter and request validation, against pydantic v2 models generated from the same spec.

    python -m bench.converter PYDANTIC_DIR

Prints one JSON object: for each operation, the median over interleaved rounds of the microseconds per call, and the
ratio of the two sides in each round. Inputs
are the seed's fixtures (tests/fixtures): the commission response, and the commission request. Pydantic's models come
from datamodel-code-generator's default output (pydantic_v2.BaseModel); its `AwareDatetime` refuses the seed's bare
date `install_date: "2022-02-22"`, so its request copy says `2022-02-22T00:00:00Z` (the same instant).

This is the one benchmark that reaches below flip-async's public API: decoding and validation have no public entry
point of their own, and timing them through `commission()` would bury them under the HTTP stack. The internal names
it needs are looked up in `_internals()` only; when a refactoring moves them, this table is skipped with the name that
is missing (`{"skipped": ...}`) and the rest of `make bench` runs as before.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench._common import INSTALL_DATE, SEED_REQUEST_BYTES, SEED_RESPONSE_BYTES
from bench.peer import PYDANTIC_MODULE
from flip_async import models

ROUNDS = 15
ROUND_SECONDS = 0.1  # each operation runs for about this long per round


class Skipped(Exception):
    """flip-async's internals no longer have what this table times."""


def _internals() -> tuple[Any, Callable[[Any, type], Any], Callable[[], object] | None]:
    """flip-async's converter module, its request validation, and how to forget the UUIDs it has seen (if it can)."""
    try:
        from flip_async import _converter
        from flip_async._validation import validated

        for name in ("loads", "structure", "dumps", "unstructure"):
            getattr(_converter, name)
    except (ImportError, AttributeError) as exc:
        raise Skipped(f"flip-async's converter internals moved ({exc}); bench/converter.py needs updating") from None
    uuid_cache = getattr(_converter, "_parse_uuid", None)
    return _converter, validated, getattr(uuid_cache, "cache_clear", None)


def operations(pydantic_dir: Path) -> dict[str, dict[str, Callable[[], object]]]:
    """Operation name -> {"flip-async": call, "pydantic": call}; a call without a pydantic counterpart has none."""
    _converter, validated, forget_uuids = _internals()
    sys.path.insert(0, str(pydantic_dir))
    flip_pydantic = importlib.import_module(PYDANTIC_MODULE)

    response_document = orjson.loads(SEED_RESPONSE_BYTES)
    request_document = orjson.loads(SEED_REQUEST_BYTES)
    request = _converter.structure(request_document, models.CommissionRequest)
    pydantic_request_document = orjson.loads(SEED_REQUEST_BYTES)
    for device in pydantic_request_document["devices"]:
        device["install_date"] = INSTALL_DATE
    pydantic_request = flip_pydantic.CommissionRequest.model_validate(pydantic_request_document)
    Response = flip_pydantic.CommissionResponse
    # Both sides must agree on what they decode, or the comparison is meaningless.
    assert _converter.unstructure(_converter.loads(SEED_RESPONSE_BYTES, models.CommissionResponse)) == orjson.loads(
        Response.model_validate_json(SEED_RESPONSE_BYTES).model_dump_json(exclude_none=True)
    )
    table: dict[str, dict[str, Callable[[], object]]] = {
        "decode response (JSON bytes -> model)": {
            "flip-async": lambda: _converter.loads(SEED_RESPONSE_BYTES, models.CommissionResponse),
            "pydantic": lambda: Response.model_validate_json(SEED_RESPONSE_BYTES),
        },
    }
    if forget_uuids is not None:
        # In a fleet run the same program ids come back in answer after answer, and the converter reuses ids it has
        # seen; this row makes every id new to it, as for the first answer of a run.
        table["decode response, ids not seen before"] = {
            "flip-async": lambda: (forget_uuids(), _converter.loads(SEED_RESPONSE_BYTES, models.CommissionResponse)),
            "pydantic": lambda: Response.model_validate_json(SEED_RESPONSE_BYTES),
        }
    return table | {
        "structure response (dict -> model)": {
            "flip-async": lambda: _converter.structure(response_document, models.CommissionResponse),
            "pydantic": lambda: Response.model_validate(response_document),
        },
        "encode request (model -> JSON bytes)": {
            "flip-async": lambda: _converter.dumps(request),
            "pydantic": lambda: pydantic_request.model_dump_json(exclude_none=True),
        },
        "unstructure request (model -> dict)": {
            "flip-async": lambda: _converter.unstructure(request),
            "pydantic": lambda: pydantic_request.model_dump(mode="json", exclude_none=True),
        },
        "validate request model (`validated`)": {
            "flip-async": lambda: validated(request, models.CommissionRequest),
        },
        "validate request mapping (`validated` -> model)": {
            "flip-async": lambda: validated(request_document, models.CommissionRequest),
            # The nearest pydantic equivalent: validating the wire mapping into its model.
            "pydantic": lambda: flip_pydantic.CommissionRequest.model_validate(pydantic_request_document),
        },
    }


def measure(pydantic_dir: Path, rounds: int = ROUNDS) -> dict[str, dict[str, Any]]:
    """Per operation: each side's median µs per call, and the flip-async / pydantic ratio of every round.

    In each round every operation runs on both sides back to back, in alternating order (A-B, then B-A), so that a
    round's ratio compares two measurements a fraction of a second apart.
    """
    ops = operations(pydantic_dir)
    numbers = {(name, side): _calls_for(call) for name, sides in ops.items() for side, call in sides.items()}
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in numbers}
    for round_ in range(rounds):
        for name, sides in ops.items():
            for side in sorted(sides, reverse=round_ % 2 == 1):
                seconds = timeit.timeit(sides[side], number=numbers[name, side])
                samples[name, side].append(seconds / numbers[name, side] * 1e6)
    result: dict[str, dict[str, Any]] = {}
    for name, sides in ops.items():
        result[name] = {side: statistics.median(samples[name, side]) for side in sides}
        if "pydantic" in sides:
            result[name]["ratios"] = [
                ours / theirs
                for ours, theirs in zip(samples[name, "flip-async"], samples[name, "pydantic"], strict=True)
            ]
    return result


def _calls_for(call: Callable[[], Any]) -> int:
    """How many calls take about ROUND_SECONDS (after a warm-up)."""
    number = 100
    while (seconds := timeit.timeit(call, number=number)) < ROUND_SECONDS / 10:
        number *= 4
    return max(1, int(number * ROUND_SECONDS / seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pydantic_dir", type=Path, help="the folder holding the generated flip_pydantic module")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    try:
        result: dict[str, Any] = measure(args.pydantic_dir, args.rounds)
    except Skipped as exc:
        result = {"skipped": str(exc)}
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
