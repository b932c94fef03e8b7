"""Prints pip constraints pinning each runtime dependency in pyproject.toml to the lowest version it allows."""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
LOWER_BOUND = re.compile(r">=\s*([^,\s]+)")


def lowest_pin(requirement: str) -> tuple[str, str]:
    """`aiohttp>=3.9.1,<4` -> (`aiohttp`, `aiohttp==3.9.1`)."""
    specifier = requirement.split(";", 1)[0]  # a marker (`; python_version < "3.12"`) never holds the bound
    name, lower_bound = NAME.match(specifier), LOWER_BOUND.search(specifier)
    if name is None or lower_bound is None:
        raise SystemExit(f"{PYPROJECT}: the dependency {requirement!r} declares no lower bound (>=)")
    return name[0], f"{name[0]}=={lower_bound[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--except", dest="left_out", nargs="*", default=[], metavar="NAME", help="leave to pip")
    left_out = set(parser.parse_args().left_out)
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [lowest_pin(requirement) for requirement in dependencies]
    unknown = left_out - {name for name, _ in pins}
    if unknown:
        parser.error(f"not a dependency in {PYPROJECT.name}: {', '.join(sorted(unknown))}")
    sys.stdout.write("".join(f"{pin}\n" for name, pin in pins if name not in left_out))


if __name__ == "__main__":
    main()
