"""The peers we compare against, generated from our own openapi/flip.yaml at bench time into a temporary folder.

- Pydantic v2 models by datamodel-code-generator (its default pydantic_v2.BaseModel output), for the hand-written
  aiohttp + pydantic client and the converter table.
- openapi-generator's python client with `--library asyncio` (aiohttp + pydantic v2), from the PyPI package
  openapi-generator-cli, which bundles the generator's jar and runs it with Java: skipped, with the reason, where
  either is missing.
- openapi-python-client's async client (attrs models over httpx).

Run directly (`python -m bench.peer DIR`) to look at the generated code. Nothing generated is ever committed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._common import BIN, ROOT

SPEC = ROOT / "openapi" / "flip.yaml"
PYDANTIC_MODULE = "flip_pydantic"
OPENAPI_GENERATOR_PACKAGE = "flip_openapi_generator"
OPENAPI_PYTHON_CLIENT_PACKAGE = "flip_openapi_python_client"


def generate_pydantic_models(folder: Path) -> None:
    """`folder/flip_pydantic.py`: datamodel-code-generator's default (pydantic v2) models for our spec."""
    _run(
        [
            *(str(BIN / "datamodel-codegen"), "--input", str(SPEC), "--input-file-type", "openapi"),
            *("--output-model-type", "pydantic_v2.BaseModel", "--output", str(folder / f"{PYDANTIC_MODULE}.py")),
        ],
        # Its notice that the default formatters will change is about formatting, not the models.
        env={"PYTHONWARNINGS": "ignore::FutureWarning"},
    )


def generate_openapi_python_client(folder: Path) -> None:
    """`folder/flip_openapi_python_client/`: openapi-python-client's package for our spec."""
    _run(
        [
            *(str(BIN / "openapi-python-client"), "generate", "--path", str(SPEC)),
            *("--output-path", str(folder / OPENAPI_PYTHON_CLIENT_PACKAGE), "--meta", "none", "--overwrite"),
        ],
        # It runs `ruff` from PATH on its output, as it would in a user's environment.
        env={"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )


def generate_openapi_generator_client(folder: Path) -> str | None:
    """`folder/flip_openapi_generator/`: openapi-generator's asyncio python client; the reason it cannot be, or None."""
    cli = BIN / "openapi-generator-cli"
    if not cli.exists():
        return "the openapi-generator-cli package is not installed (pip install -e '.[bench]')"
    if shutil.which("java") is None:
        return "Java is not installed (openapi-generator-cli runs the generator's jar with it)"
    with tempfile.TemporaryDirectory(prefix="openapi-generator-") as project:
        _run(
            [
                *(str(cli), "generate", "--input-spec", str(SPEC), "--generator-name", "python"),
                *("--library", "asyncio", "--output", project, "--package-name", OPENAPI_GENERATOR_PACKAGE),
            ]
        )
        shutil.move(Path(project) / OPENAPI_GENERATOR_PACKAGE, folder / OPENAPI_GENERATOR_PACKAGE)
    return None


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    generate_pydantic_models(args.folder)
    generate_openapi_python_client(args.folder)
    skipped = generate_openapi_generator_client(args.folder)
    print(
        f"generated into {args.folder}" + (f"; openapi-generator skipped: {skipped}" if skipped else ""),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
