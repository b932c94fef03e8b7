"""flip_async's imports point down: no module imports, even only for type checking, a module that imports it back."""

from __future__ import annotations

import ast
import graphlib

from support import PACKAGE, imported_modules, module_name


def _import_graph() -> dict[str, set[str]]:
    return {module_name(source): imported_modules(source) for source in sorted(PACKAGE.rglob("*.py"))}


def test_the_import_graph_has_no_cycle() -> None:
    graph = _import_graph()
    assert len(graph) > 30
    try:
        layers = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        # graphlib lists each module before one that imports it.
        raise AssertionError(f"an import cycle: {' imports '.join(reversed(exc.args[1]))}") from None
    # The generated models stand on nothing of the package; the top is what users start from.
    assert graph["flip_async.models"] == set()
    assert layers.index("flip_async") > layers.index("flip_async._client") > layers.index("flip_async._transport")


def test_the_graph_counts_imports_made_only_for_type_checking() -> None:
    cli = PACKAGE / "cli.py"
    guarded = [node for node in ast.parse(cli.read_text()).body if isinstance(node, ast.If)]
    only_for_types = {
        statement.module
        for node in guarded
        if ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        if isinstance(statement, ast.ImportFrom)
    }
    assert "flip_async.sandbox" in only_for_types  # the CLI imports the sandbox (an extra) only where it is used
    assert "flip_async.sandbox" in imported_modules(cli)
