"""The example suite in examples/testing-with-millpond, run as a user would: millpond pip-installed into
a fresh virtual environment, then pytest, with nothing from this repository on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "testing-with-millpond"

pytestmark = pytest.mark.timeout(600)


def test_example_suite_passes_in_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(REPO), "pytest==9.2.0"],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    suite = tmp_path / "suite"
    shutil.copytree(EXAMPLE, suite)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MILLPOND_", "PYTHON"))}
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=suite,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout
