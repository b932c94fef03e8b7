"""A mkdocs hook: the CLI reference gets each command's `--help`, run at build time so that it cannot go stale."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from flip_async import cli

MARKER = "<!-- flip-async --help, for every command -->"
# argparse wraps to the terminal's width: a fixed one makes the page the same on every machine.
WIDTH = "100"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    sections = [_section([])] + [_section([command]) for command in commands()]
    return markdown.replace(MARKER, "\n".join(sections))


def commands() -> list[str]:
    """The subcommands, read from the parser itself: a new one appears here without anyone listing it."""
    parser = cli._parser()
    (subcommands,) = (action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return list(subcommands.choices)


def _section(command: list[str]) -> str:
    help_text = subprocess.run(
        [sys.executable, "-m", "flip_async.cli", *command, "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "COLUMNS": WIDTH},
    ).stdout
    title = " ".join(["flip-async", *command])
    return f"## `{title}`\n\n```text\n{help_text.rstrip()}\n```\n"
