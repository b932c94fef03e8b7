"""Generate flip_async/models.py (attrs classes and StrEnums), flip_async/_spec.py (the operation table) and
flip_async/_checks.py (a fast test per request model)."""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import checks
import operations
import yaml
from datamodel_code_generator import (
    DataModelType,
    DatetimeClassType,
    InputFileType,
    PythonVersion,
    generate,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
SPEC = ROOT / "openapi" / "flip.yaml"
PACKAGE = ROOT / "flip_async"
MODELS, OPERATIONS, CHECKS = "models.py", "_spec.py", "_checks.py"

HEADER = '''\
# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: {source}. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""The Flip API's schemas as attrs classes and StrEnums, generated from {source}."""'''

# Each option is here because the default is wrong for us (see the generator's documentation for each).
OPTIONS: dict[str, Any] = {
    "input_file_type": InputFileType.OpenAPI,
    "output_model_type": DataModelType.DataclassesDataclass,  # rendered as attrs by our dataclass.jinja2
    "custom_template_dir": TEMPLATES,
    "target_python_version": PythonVersion.PY_311,
    "use_standard_primitive_types": True,  # uuid -> UUID, date -> date, not str
    "output_datetime_class": DatetimeClassType.Datetime,
    "strict_nullable": True,  # a required nullable field keeps its `| None`
    "use_union_operator": True,
    "use_specialized_enum": True,  # StrEnum
    "capitalise_enum_members": True,  # StateCode.CA, DeviceType.BATTERY
    "snake_case_field": True,  # a camelCase wire name gets a snake_case attribute and a wire_name
    "use_schema_description": True,
    "use_field_description": True,
    "field_extra_keys": {"deprecated"},
    "keyword_only": True,
    "disable_timestamp": True,
    "formatters": [],  # we format once, after post-processing, with the project's pinned ruff and settings
}


# JSON Schema keywords the request validator enforces beyond types; they ride in each field's metadata.
RULE_KEYWORDS = (
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)
CHECKED_FORMATS = {"email"}  # date-time, date and uuid are carried by the Python type instead


def field_rules(spec: Path) -> dict[str, dict[str, Any]]:
    """Per model name, per wire name: what the template puts in each field's metadata.

    The validation keywords of the property (and of its array items); `nullable` for an optional property that may
    be null (an optional field's Python type admits None either way: None there means "not set"); `secret` for a
    property marked `x-flip-secret`, which the template keeps out of the class's repr.
    """
    schemas = yaml.safe_load(spec.read_text()).get("components", {}).get("schemas", {})
    return {name: {"rules": _schema_rules(schema)} for name, schema in schemas.items()}


def _schema_rules(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    required = set(schema.get("required", ()))
    rules = {}
    for wire, prop in schema.get("properties", {}).items():
        found = _rules(prop)
        if wire not in required and _admits_null(prop):
            found["nullable"] = True
        if prop.get("x-flip-secret"):
            found["secret"] = True
        if found:
            rules[wire] = found
    return rules


def _admits_null(prop: dict[str, Any]) -> bool:
    kinds = prop.get("type")
    return (isinstance(kinds, list) and "null" in kinds) or any(
        isinstance(option, dict) and option.get("type") == "null" for option in prop.get("anyOf", ())
    )


def _rules(prop: dict[str, Any]) -> dict[str, Any]:
    rules = {key: prop[key] for key in RULE_KEYWORDS if key in prop}
    if rules.get("format") not in CHECKED_FORMATS:
        rules.pop("format", None)
    if isinstance(prop.get("items"), dict) and (items := _rules(prop["items"])):
        rules["items"] = items
    return rules


def render(spec: Path) -> dict[str, str]:
    """The generated modules for `spec` by file name: the models and the operation table."""
    shown = _shown(spec)
    source = generate(spec, extra_template_data=field_rules(spec), **OPTIONS)
    if not isinstance(source, str):
        raise SystemExit(f"codegen: expected one module from {spec}, got {type(source).__name__}")
    body = source.split("from __future__ import annotations", 1)[1]
    body = body.replace("from dataclasses import dataclass\n", "import attrs\n", 1)
    models = HEADER.format(source=shown) + "\n\nfrom __future__ import annotations" + body
    document = yaml.safe_load(spec.read_text())
    try:
        table = operations.render(document, shown)
        roots = operations.request_models(document)
    except operations.SpecError as exc:
        raise SystemExit(f"codegen: {spec}: {exc}") from None
    models = ruff(models)
    # The tests' header imports what any spec's models may need; those this spec's do not are dropped (F401).
    tests = ruff(checks.render(_loaded(models), roots, shown), fixes="I,F401")
    return {MODELS: models, OPERATIONS: ruff(table), CHECKS: tests}


def _loaded(source: str) -> types.ModuleType:
    """The generated models as a module of their own (never the installed flip_async.models, which may be stale)."""
    module = types.ModuleType("flip_async.models")
    exec(compile(source, MODELS, "exec"), vars(module))  # noqa: S102 - the source codegen itself just wrote
    return module


def _shown(spec: Path) -> str:
    """The spec's path as the generated headers name it: relative to the project when it is inside."""
    try:
        return spec.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return spec.name


def ruff(source: str, *, fixes: str = "I") -> str:
    """`source` with its imports sorted (and the other `fixes` made) and formatted by the project's ruff settings."""
    for command in (["check", "--fix-only", "--select", fixes, "--quiet"], ["format"]):
        source = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(PACKAGE / MODELS), "-"],
            input=source,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    return source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=PACKAGE,
        help=f"where {MODELS}, {OPERATIONS} and {CHECKS} go (default: flip_async/)",
    )
    parser.add_argument("--check", action="store_true", help="fail when a generated file is stale")
    args = parser.parse_args()
    fresh = render(args.spec)
    if not args.check:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        for name, text in fresh.items():
            (args.output_dir / name).write_text(text)
        return 0
    stale = []
    for name, text in fresh.items():
        path = args.output_dir / name
        current = path.read_text() if path.exists() else ""
        if current != text:
            stale.append(path)
            diff = difflib.unified_diff(current.splitlines(True), text.splitlines(True), str(path), "fresh")
            sys.stdout.writelines(list(diff)[:200])
    for path in stale:
        print(f"\n{path} is stale: run `make generate` and commit the result.", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
