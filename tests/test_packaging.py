"""What a registry and a user get: the sdist and wheel a release builds, their metadata, and what an import loads."""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path, PurePosixPath

import pytest

from flip_async import __version__

ROOT = Path(__file__).resolve().parent.parent

# What belongs in the sdist: the project's sources, enough to run `make test` from it.
SDIST_DIRECTORIES = {"flip_async", "tests", "openapi", "codegen", "examples", "bench", "docs", ".ci"}
SDIST_FILES = {"README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml", "Makefile", "mkdocs.yml", ".gitignore"}
MUST_BE_IN_SDIST = {
    "PKG-INFO", "LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "Makefile", ".ci/run", "flip_async/py.typed",
    "flip_async/models.py", "openapi/flip.yaml", "codegen/generate.py", "tests/conftest.py", "examples/fleet.jsonl",
}  # fmt: skip
# Left in a working tree by the tools, the test suite, the demo, the docs build and earlier builds.
LITTER = [
    ".hypothesis/examples/0f1e/2d3c",
    "tests/.hypothesis/examples/4b5a",
    ".pytest_cache/v/cache/nodeids",
    ".mypy_cache/3.11/flip_async/bulk.data.json",
    ".ruff_cache/0.17.5/1234",
    ".venv/pyvenv.cfg",
    ".venv-3.13/lib/python3.13/site-packages/rich/__init__.py",
    ".venv-min/constraints.txt",
    "flip_async/__pycache__/bulk.cpython-311.pyc",
    "flip_async/sandbox/__pycache__/_app.cpython-313.pyc",
    "tests/__pycache__/conftest.cpython-311-pytest-9.2.0.pyc",
    "codegen/__pycache__/generate.cpython-312.pyc",
    "demo-out/outcomes.jsonl",
    "demo-out/fleet.journal",
    "examples/fleet.journal",
    "run.journal",
    "site/index.html",
    "dist/flip_async-0.0.1.tar.gz",
    "build/lib/flip_async/bulk.py",
    "flip_async.egg-info/PKG-INFO",
]
LITTER_DIRECTORIES = {"__pycache__", ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
LITTER_SUFFIXES = {".pyc", ".pyo", ".journal"}


def is_litter(path: PurePosixPath) -> bool:
    return path.suffix in LITTER_SUFFIXES or any(
        part in LITTER_DIRECTORIES or part.startswith(".venv") for part in path.parts
    )


@dataclass(frozen=True)
class Built:
    tree: Path
    sdist: Path
    wheel: Path

    def tree_files(self) -> set[PurePosixPath]:
        return {PurePosixPath(path.relative_to(self.tree)) for path in self.tree.rglob("*") if path.is_file()}

    def sdist_files(self) -> set[PurePosixPath]:
        with tarfile.open(self.sdist) as archive:
            # Every member sits under one `flip_async-<version>/` folder.
            return {PurePosixPath(*PurePosixPath(m.name).parts[1:]) for m in archive.getmembers() if m.isfile()}

    def wheel_files(self) -> set[PurePosixPath]:
        with zipfile.ZipFile(self.wheel) as archive:
            return {PurePosixPath(name) for name in archive.namelist() if not name.endswith("/")}

    def wheel_metadata(self) -> Message:
        with zipfile.ZipFile(self.wheel) as archive:
            return email.message_from_bytes(archive.read(f"flip_async-{__version__}.dist-info/METADATA"))


@pytest.fixture(scope="module", params=["with .gitignore", "without .gitignore"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`python -m build` (the sdist, then the wheel from the unpacked sdist) of a copy of this tree, with litter.

    Hatch honours .gitignore: with it, as a release is built, a pattern that hides sources shows; without it, the
    sdist's own include and exclude rules are all that keeps the litter out.
    """
    tree = tmp_path_factory.mktemp("tree") / "flip-async"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".git", ".venv*", ".mypy_cache"))
    if request.param == "without .gitignore":
        (tree / ".gitignore").unlink()
    for litter in LITTER:
        (tree / litter).parent.mkdir(parents=True, exist_ok=True)
        (tree / litter).write_text("litter\n")
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(tree)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    return Built(tree, sdist=next(out.glob("*.tar.gz")), wheel=next(out.glob("*.whl")))


def test_twine_accepts_the_sdist_and_the_wheel(built: Built) -> None:
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(built.sdist), str(built.wheel)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2, check.stdout


def test_the_sdist_holds_the_sources_and_nothing_else(built: Built) -> None:
    belongs = {
        path
        for path in built.tree_files()
        if (path.parts[0] in SDIST_DIRECTORIES or str(path) in SDIST_FILES) and not is_litter(path)
    }
    sdist = built.sdist_files()

    assert sorted(map(str, sdist - belongs - {PurePosixPath("PKG-INFO")})) == [], "in the sdist, not the sources"
    assert sorted(map(str, belongs - sdist)) == [], "sources missing from the sdist"
    assert sorted(MUST_BE_IN_SDIST - set(map(str, sdist))) == []


def test_the_wheel_holds_the_package_its_license_and_metadata(built: Built) -> None:
    dist_info = PurePosixPath(f"flip_async-{__version__}.dist-info")
    package = {path for path in built.tree_files() if path.parts[0] == "flip_async" and not is_litter(path)}
    expected = package | {
        dist_info / name for name in ("METADATA", "WHEEL", "RECORD", "entry_points.txt", "licenses/LICENSE")
    }

    assert sorted(map(str, built.wheel_files() ^ expected)) == [], "in the wheel or the package, not both"
    assert PurePosixPath("flip_async/py.typed") in expected
    with zipfile.ZipFile(built.wheel) as archive:
        assert archive.read(str(dist_info / "licenses/LICENSE")) == (ROOT / "LICENSE").read_bytes()


def test_the_metadata_a_registry_shows(built: Built) -> None:
    metadata = built.wheel_metadata()
    classifiers = metadata.get_all("Classifier") or []

    assert metadata["Name"] == "flip-async"
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert not [classifier for classifier in classifiers if classifier.startswith("License ::")]  # PEP 639
    assert metadata["Requires-Python"] == ">=3.11"
    assert [c for c in classifiers if c.startswith("Programming Language :: Python :: 3.")] == [
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ]
    assert "Development Status :: 4 - Beta" in classifiers
    assert metadata["Keywords"]
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert urls.pop("Documentation") == "https://flip-async.github.io/flip-async/"  # the site `make docs` builds
    assert all(url.startswith("https://github.com/flip-async/flip-async") for url in urls.values())
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert str(metadata.get_payload()).startswith("# flip-async\n")


def import_chains(importtime_report: str) -> list[tuple[str, ...]]:
    """Each module in a `-X importtime` report with the imports that led to it, outermost first.

    The report lists a module after everything it imported, indented two spaces a level deeper than its importer;
    read backwards, each module comes right after its importer.
    """
    chains: list[tuple[str, ...]] = []
    chain: list[str] = []
    for line in reversed(importtime_report.splitlines()):
        if not line.startswith("import time:"):
            continue
        column = line.rsplit("|", 1)[1]
        module = column.strip()
        if module == "imported package":  # the header
            continue
        depth = (len(column) - len(column.lstrip()) - 1) // 2
        chain = [*chain[:depth], module]
        chains.append(tuple(chain))
    return chains


# Neither the CLI's terminal UI, nor the sandbox and its schema checks, nor test tooling: a library user pays for none.
NOT_FOR_LIBRARY_USERS = (
    "rich", "jsonschema", "yaml", "pytest", "flip_async.cli", "flip_async.sandbox", "flip_async.pytest_plugin",
)  # fmt: skip


def not_for_library_users(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in NOT_FOR_LIBRARY_USERS)


def test_importing_the_library_loads_neither_the_cli_nor_the_sandbox(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-X", "importtime", "-c", "import flip_async"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    chains = import_chains(run.stderr)
    # Each unwanted import once, where it enters: not every module it brings in after it.
    entries = [
        " -> ".join(chain)
        for chain in chains
        if not_for_library_users(chain[-1]) and not any(map(not_for_library_users, chain[:-1]))
    ]

    assert {"flip_async", "flip_async.models", "aiohttp"} <= {chain[-1] for chain in chains}  # the report was read
    assert not entries, "import flip_async loads what only the CLI, the sandbox or tests need:\n" + "\n".join(entries)
