"""Without the `sandbox` extra: the SDK, the CLI and pytest still work, and the sandbox says how to install it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INSTALL = "pip install 'flip-async[sandbox]'"
# Run first in each subprocess: jsonschema (the extra's one package) cannot be imported, as where it is not installed.
WITHOUT_EXTRA = "import sys; sys.modules['jsonschema'] = None; "


def run_without_extra(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA + code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def test_the_sdk_the_cli_and_the_pytest_plugin_import_without_it() -> None:
    done = run_without_extra(
        "import flip_async, flip_async.cli, flip_async.pytest_plugin; "
        "print(sorted(name for name in sys.modules if name.startswith('flip_async.sandbox')))"
    )
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr


def test_importing_the_sandbox_says_how_to_install_it() -> None:
    done = run_without_extra("import flip_async.sandbox")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"ImportError: flip_async.sandbox needs the sandbox extra: {INSTALL}"
    )


def test_the_sandbox_commands_exit_2_saying_how_to_install_it(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.jsonl"
    fleet.write_text("{}\n")
    main = "from flip_async.cli import main; raise SystemExit(main(sys.argv[1:]))"
    for args, command in [
        (("sandbox", "--port", "0"), "sandbox"),
        (("commission", str(fleet), "--sandbox"), "commission --sandbox"),
    ]:
        done = run_without_extra(main, *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr == f"flip-async {command}: flip_async.sandbox needs the sandbox extra: {INSTALL}\n"


def test_pytest_starts_and_only_the_sandbox_fixtures_say_they_need_it(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(
        "import pytest\n\n"
        "def test_without_the_sandbox():\n"
        "    assert True\n\n"
        "@pytest.mark.asyncio\n"
        "async def test_with_the_sandbox(flip_client):\n"
        "    pass\n"
    )
    # schemathesis, a dev dependency of this project only, registers a pytest plugin that needs jsonschema too.
    pytest_main = "import pytest; raise SystemExit(pytest.main(sys.argv[1:]))"
    done = run_without_extra(pytest_main, "-p", "no:schemathesis", "-p", "no:cacheprovider", "-q", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout
    assert f"ImportError: flip_async.sandbox needs the sandbox extra: {INSTALL}" in done.stdout
