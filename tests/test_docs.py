"""The documentation site: it builds in strict mode, its reference shows every operation and every public name as
`help()` shows them, the CLI pages are the commands' own `--help`, and every example in the guides runs as written."""

from __future__ import annotations

import ast
import asyncio
import html
import importlib
import importlib.util
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from flip_async._operations import REGISTRY
from flip_async.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Material for MkDocs prints a banner about MkDocs 2 on every build unless told not to.
QUIET = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
# The public modules, and what of each the reference must show: `__all__`, else every public name defined there.
PUBLIC_MODULES = [
    "flip_async",
    "flip_async.errors",
    "flip_async.models",
    "flip_async.resources",
    "flip_async.resources.site",
    "flip_async.bulk",
    "flip_async.rows",
    "flip_async.webhooks",
    "flip_async.sandbox",
    "flip_async.pytest_plugin",
]


@dataclass(frozen=True)
class Site:
    """The built site: each page's HTML, and every documented object by its anchor."""

    root: Path
    pages: dict[str, str]

    def anchors(self) -> dict[str, str]:
        """Anchor id -> the page holding it, for the anchors mkdocstrings gives documented objects."""
        found: dict[str, str] = {}
        for page, content in self.pages.items():
            for anchor in re.findall(r'id="(flip_async[\w.]*)"', content):
                found.setdefault(anchor, page)
        return found

    def section(self, anchor: str) -> str:
        """The text of one documented object: its heading, signature and docstring, up to the next object."""
        content = self.pages[self.anchors()[anchor]]
        start = content.index(f'id="{anchor}"')
        end = content.find('class="doc doc-heading"', content.index("</h", start))
        return text_of(content[start : end if end != -1 else None])


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(out)],
        cwd=ROOT, env=QUIET, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    pages = {str(path.relative_to(out)): path.read_text() for path in out.rglob("*.html")}
    return Site(out, pages)


def resolve(path: str) -> Any:
    """The object a dotted path names (a module, then attributes), or None."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            obj = getattr(obj, part, None)
        return obj
    return None


def public_method(operation_id: str) -> Any:
    """The method users call for an operation: the registered one, or the public face of a private one
    (`FlipClient._commission` is sent by `FlipClient.commission`, which validates first)."""
    method = REGISTRY[operation_id].method
    owner = resolve(f"{method.__module__}.{method.__qualname__.rsplit('.', 1)[0]}")
    name = method.__name__
    return getattr(owner, name.removeprefix("_")) if name.startswith("_") else method


def documented_at(site: Site, obj: Any, name: str) -> list[str]:
    return [anchor for anchor in site.anchors() if anchor.rsplit(".", 1)[-1] == name and resolve(anchor) is obj]


@pytest.mark.parametrize("operation_id", sorted(REGISTRY))
def test_every_operation_is_in_the_reference_as_help_shows_it(site: Site, operation_id: str) -> None:
    method = public_method(operation_id)
    anchors = documented_at(site, method, method.__name__)
    assert anchors, f"{method.__qualname__} ({operation_id}) is not in the reference"
    section = site.section(anchors[0])

    # What only the live object has: the operation it sends, and a signature without the internal `send`.
    assert f"operation {operation_id}" in section, section
    assert not re.search(r"\bsend\s*:", section), section


def defined_names(module: types.ModuleType) -> list[str]:
    """The names a module's own source defines at its top level (not those it imports)."""
    names: list[str] = []
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def public_names(module_name: str) -> list[tuple[str, Any]]:
    """`__all__`, else the public names the module defines; less modules, which have pages of their own."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or defined_names(module)
    return [
        (name, getattr(module, name))
        for name in names
        if not name.startswith("_") and not isinstance(getattr(module, name), types.ModuleType)
    ]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_is_in_the_reference(site: Site, module_name: str) -> None:
    missing = [name for name, obj in public_names(module_name) if not documented_at(site, obj, name)]
    assert missing == [], f"{module_name}: not in the reference"


def test_public_methods_of_public_classes_are_in_the_reference(site: Site) -> None:
    classes = {obj for module in PUBLIC_MODULES for _, obj in public_names(module) if inspect.isclass(obj)}
    missing = [
        f"{cls.__qualname__}.{name}"
        for cls in classes
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member) and member.__doc__
        and not documented_at(site, getattr(cls, name), name)
    ]  # fmt: skip
    assert missing == []


def _hook() -> Any:
    """The mkdocs hook that writes the CLI reference (a file of the docs, not a module of the package)."""
    spec = importlib.util.spec_from_file_location("cli_reference", DOCS / "_hooks" / "cli_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMMANDS = [[], *([name] for name in _hook().commands())]


def test_the_cli_reference_knows_every_command() -> None:
    top = subprocess.run(
        [sys.executable, "-m", "flip_async.cli", "--help"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    listed = re.findall(r"^ {4}(\w[\w-]*) {2,}", top, re.MULTILINE)  # the COMMAND list of `flip-async --help`
    assert "commission" in listed
    assert [[], *([name] for name in listed)] == COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(["flip-async", *command]))
def test_the_cli_reference_is_each_commands_own_help(site: Site, command: list[str]) -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "flip_async.cli", *command, "--help"],
        env={**os.environ, "COLUMNS": _hook().WIDTH}, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert " ".join(help_text.split()) in text_of(site.pages["reference/cli/index.html"])


@pytest.mark.parametrize("operation_id", sorted(REGISTRY))
def test_every_operation_says_what_flip_does_with_it(operation_id: str) -> None:
    method = public_method(operation_id)
    own = inspect.getdoc(getattr(method, "__wrapped__", method)) or ""
    assert len(own.split()) >= 5, f"{method.__qualname__} does not say what Flip does with {operation_id}"


def test_the_documentation_url_is_the_site(site: Site) -> None:
    site_url = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Documentation"] == site_url
    assert site_url in (ROOT / "README.md").read_text()


# The examples. A fenced block is run unless an HTML comment just before it says why not: `<!-- not run: reason -->`.


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    language: str
    title: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


FENCE = re.compile(
    r"(?P<comment><!-- not run: (?P<reason>[^>]*?) -->\n)?"
    r'^(?P<indent> *)```(?P<language>\w+)(?: title="(?P<title>[^"]+)")?\n'
    r"(?P<code>.*?)^(?P=indent)```$",
    re.DOTALL | re.MULTILINE,
)


def examples(language: str, *, runnable: bool = True) -> list[Example]:
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        text = path.read_text()
        for match in FENCE.finditer(text):
            if match["language"] != language or bool(match["comment"]) == runnable:
                continue
            indent = len(match["indent"])
            code = "".join(line[indent:] for line in match["code"].splitlines(keepends=True))
            line = text.count("\n", 0, match.start("code")) + 1
            found.append(Example(str(path.relative_to(DOCS)), line, language, match["title"] or "", code))
    return found


def test_examples_are_found_and_every_one_not_run_says_why() -> None:
    assert len(examples("python")) >= 15
    # Lines the page shows without a scroll bar.
    assert [line for e in examples("python") for line in e.code.splitlines() if len(line) > 100] == []
    for example in examples("python", runnable=False):
        assert example.code.strip()
    assert all(match["reason"].strip() for path in DOCS.rglob("*.md") for match in FENCE.finditer(path.read_text())
               if match["comment"])  # fmt: skip


async def run(*command: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run a command without blocking the loop (the sandbox it talks to serves from this loop)."""
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, output.decode()


@pytest.mark.parametrize("example", examples("python"), ids=lambda example: example.id)
async def test_every_python_example_runs_as_written(flip_sandbox: Sandbox, example: Example, tmp_path: Path) -> None:
    # Examples written for production read the token and URL from the environment: here, a fresh sandbox's.
    env = {**os.environ, "FLIP_API_TOKEN": flip_sandbox.token, "FLIP_BASE_URL": flip_sandbox.base_url}
    if example.title.startswith("test_"):  # a test file of the reader's: run by pytest, outside this project's config
        (tmp_path / example.title).write_text(example.code)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", example.title]
    else:
        command = [sys.executable, "-c", example.code]
    status, output = await run(*command, env=env, cwd=tmp_path)
    assert status == 0, output
    if example.title.startswith("test_"):
        assert f"{len(re.findall(r'^(?:async )?def test_', example.code, re.MULTILINE))} passed" in output, output


@pytest.mark.parametrize("example", [e for e in examples("text") if e.title.endswith(".csv")], ids=lambda e: e.id)
async def test_every_fleet_file_example_commissions(example: Example, tmp_path: Path) -> None:
    (tmp_path / example.title).write_text(example.code)
    command = [sys.executable, "-m", "flip_async.cli", "commission", example.title, "--sandbox", "--out", "out.jsonl"]
    status, output = await run(*command, env=dict(os.environ), cwd=tmp_path)
    assert status == 0, output
    statuses = [json.loads(line)["status"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert statuses
    assert set(statuses) == {"commissioned"}


def command_lines() -> list[tuple[Example, list[str]]]:
    lines = []
    for example in examples("sh"):
        for line in example.code.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["flip-async"]:
                lines.append((example, words[1:]))
    return lines


@pytest.mark.parametrize(("example", "words"), command_lines(), ids=lambda value: getattr(value, "id", None))
def test_every_command_line_in_the_guides_uses_options_the_command_has(example: Example, words: list[str]) -> None:
    command = words[0]
    help_text = subprocess.run(
        [sys.executable, "-m", "flip_async.cli", command, "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    options = {word.split("=", 1)[0] for word in words[1:] if word.startswith("-")}
    assert {
        option for option in options if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text)
    } == set()
