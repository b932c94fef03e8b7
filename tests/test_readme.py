"""The README's commissioning example runs as printed (against the embedded sandbox)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_commissioning_example_runs() -> None:
    section = README.read_text().split("## Commissioning a site", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert example is not None
    run = subprocess.run([sys.executable, "-c", example[1]], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "Sandbox Summer Peak Rewards" in run.stdout
    assert "auto-enrolled: ACTIVE" in run.stdout
