"""Which interpreter serves a pythonX.Y runtime: PATH, pyenv and uv layouts, shims that do not run, and the
fallback to the server's Python with its reason."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from millpond.services.lambda_.runtime.interpreters import Interpreters, runtime_version


def fake_python(path: Path, version: str, works: bool = True) -> Path:
    """An executable that answers the version query as an interpreter would (or fails like a pyenv shim)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"#!/bin/sh\necho {version}\n" if works else "#!/bin/sh\necho 'pyenv: not found' >&2\nexit 127\n"
    )
    path.chmod(0o755)
    return path


def interpreters(tmp_path: Path, path: str = "", dirs: tuple[Path, ...] = ()) -> Interpreters:
    found = Interpreters(tmp_path / "cache", dirs, path=path)
    found.python_dirs = list(dirs)  # leave the machine's own pyenv and uv out of it
    return found


def test_runtime_versions() -> None:
    assert runtime_version("python3.12") == (3, 12) and runtime_version("nodejs20.x") is None


def test_the_servers_own_version_is_the_servers_interpreter(tmp_path: Path) -> None:
    own = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert interpreters(tmp_path).locate(own) == (sys.executable, ".".join(map(str, sys.version_info[:3])))


def test_path_is_searched_and_a_shim_that_does_not_run_is_passed_over(tmp_path: Path) -> None:
    shims, real = tmp_path / "shims", tmp_path / "real"
    fake_python(shims / "python3.8", "3.8.1", works=False)
    good = fake_python(real / "python3.8", "3.8.18")
    assert interpreters(tmp_path, f"{shims}:{real}").locate("python3.8") == (str(good), "3.8.18")


def test_an_interpreter_reporting_another_version_is_not_taken(tmp_path: Path) -> None:
    fake_python(tmp_path / "bin" / "python3.8", "3.7.9")
    assert isinstance(interpreters(tmp_path, str(tmp_path / "bin")).locate("python3.8"), str)


def test_pyenv_and_uv_layouts(tmp_path: Path) -> None:
    pyenv, uv = tmp_path / "pyenv", tmp_path / "uv"
    fake_python(pyenv / "versions" / "3.10.2" / "bin" / "python3.10", "3.10.2")
    fake_python(pyenv / "versions" / "3.1.0" / "bin" / "python3.1", "3.1.0")
    uv_python = fake_python(uv / "cpython-3.8.20-linux-x86_64-gnu" / "bin" / "python3.8", "3.8.20")
    found = interpreters(tmp_path, "", (pyenv, uv))
    assert found.locate("python3.10") == (str(pyenv / "versions" / "3.10.2" / "bin" / "python3.10"), "3.10.2")
    assert found.locate("python3.8") == (str(uv_python), "3.8.20")


def test_no_interpreter_falls_back_to_the_servers_python_with_the_reason(tmp_path: Path) -> None:
    found = interpreters(tmp_path, "", (tmp_path / "nowhere",))
    chosen = asyncio.run(found.interpreter("python3.99"))
    assert chosen.executable == sys.executable and chosen.fallback and chosen.packages is None
    assert "no python3.99 interpreter was found on PATH or under" in chosen.note
    assert str(tmp_path / "nowhere") in chosen.note
    row = found.describe(["python3.99"])[0]
    assert row["fallback"] and row["python"] == sys.executable
