"""The spec is valid OpenAPI 3.1 and codegen turns it into the attrs models we ship, deterministically."""

from __future__ import annotations

import enum
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import attrs
import pytest
import yaml
from openapi_spec_validator import validate

from flip_async import models

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "flip.yaml"
FIXTURE = ROOT / "tests" / "codegen" / "fixture.yaml"
EXPECTED = {
    "models.py": ROOT / "tests" / "codegen" / "expected.py",
    "_spec.py": ROOT / "tests" / "codegen" / "expected_spec.py",
}


def _generate(spec: Path, output: Path) -> dict[str, str]:
    """The generated modules for `spec`, by file name, as `make generate` writes them into `output`."""
    subprocess.run(
        [sys.executable, "codegen/generate.py", "--spec", str(spec), "--output-dir", str(output)], cwd=ROOT, check=True
    )
    return {name: (output / name).read_text() for name in EXPECTED}


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def test_spec_is_valid_openapi_3_1() -> None:
    document = yaml.safe_load(SPEC.read_text())
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_component_schema_has_a_generated_class() -> None:
    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    for name, schema in schemas.items():
        generated = getattr(models, name, None)
        assert isinstance(generated, type), f"{name} has no generated class"
        if "enum" in schema:
            assert issubclass(generated, enum.StrEnum), name
            assert [member.value for member in generated] == schema["enum"], name
        elif schema.get("type") == "object" or "properties" in schema:
            assert attrs.has(generated), name
            wire_names = {field.metadata.get("wire_name", field.name) for field in attrs.fields(generated)}
            assert wire_names == set(schema.get("properties", {})), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_fixture_output(tmp_path: Path, name: str) -> None:
    assert _generate(FIXTURE, tmp_path)[name] == EXPECTED[name].read_text()


def test_generation_is_deterministic(tmp_path: Path) -> None:
    assert _generate(SPEC, tmp_path / "a") == _generate(SPEC, tmp_path / "b")


def test_fixture_models_carry_types_wire_names_and_rules() -> None:
    module = _load(EXPECTED["models.py"])
    fields = {field.name: field for field in attrs.fields(attrs.resolve_types(module.Widget))}
    assert fields["class_"].metadata["wire_name"] == "class"
    assert fields["serial_number"].metadata["wire_name"] == "serialNumber"
    assert fields["contact"].metadata["format"] == "email"
    assert fields["months"].metadata["items"] == {"minimum": 1, "maximum": 12}
    assert fields["retired_at"].default is attrs.NOTHING  # required even though nullable
    assert fields["trim"].default is None
    assert fields["trim"].metadata["nullable"] is True  # optional and may be sent as null
    assert "nullable" not in fields["parts"].metadata  # optional, but null is not a value it may take
    assert not fields["api_key"].repr
    with pytest.raises(TypeError):
        module.Widget("positional")  # keyword-only
    assert [member.name for member in module.Color] == ["RED", "DARK_GREEN", "FIELD_2TONE"]
