"""Which Python interpreter serves each `pythonX.Y` runtime, and the runtime packages it runs with.

A function whose Runtime is `python3.12` runs on a Python 3.12 found on PATH as `python3.12` or under one
of the interpreter directories (a pyenv root, uv's Python directory, or any folder given by
--lambda-python-dirs). An interpreter other than the server's own gets AWS's runtime interface client and
boto3 installed once into a cache folder of its own (pip --target), which goes on its PYTHONPATH after
the function's code, as /var/runtime does on AWS. When no interpreter of that version can be found, or
its packages cannot be installed, the server's own Python serves the function and the reason is kept so
that each cold start can say so in the function's log.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("millpond.lambda")

# What a worker imports: AWS's runtime interface client and the SDK the Lambda Python runtime ships.
# Ranges, not pins: pip picks the newest release that supports the interpreter (3.9 stops at older ones).
RUNTIME_PACKAGES = ("awslambdaric>=3,<5", "boto3<1.45")
INSTALL_TIMEOUT = 600.0
STAMP = ".millpond-installed"
_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")


@dataclass(frozen=True, slots=True)
class Interpreter:
    """The Python that runs one runtime's workers."""

    runtime: str  # "python3.12"
    executable: str
    version: str  # "3.12.1", as the interpreter reports it
    packages: Path | None  # the runtime packages' folder (None: the server's own environment has them)
    note: str = ""  # why the server's Python serves this runtime; empty when the version matches

    @property
    def fallback(self) -> bool:
        return bool(self.note)


def runtime_version(runtime: str) -> tuple[int, int] | None:
    match = _RUNTIME.match(runtime)
    return (int(match[1]), int(match[2])) if match else None


def default_python_dirs() -> list[Path]:
    """Folders that usually hold several Pythons: pyenv's versions and uv's managed interpreters."""
    home = Path.home()
    pyenv = Path(os.environ.get("PYENV_ROOT") or home / ".pyenv")
    uv = Path(os.environ.get("UV_PYTHON_INSTALL_DIR") or home / ".local" / "share" / "uv" / "python")
    return [pyenv, uv]


def _candidates(major: int, minor: int, path: str, dirs: Iterable[Path]) -> Iterator[Path]:
    name = f"python{major}.{minor}"
    for folder in path.split(os.pathsep):
        if folder:
            yield Path(folder) / name
    for root in dirs:
        yield root / name
        yield root / "bin" / name
        for parent in (root / "versions", root):  # pyenv: <root>/versions/3.12.1; uv: cpython-3.12.1-...
            if not parent.is_dir():
                continue
            for child in sorted(parent.iterdir(), reverse=True):
                if re.search(rf"(^|-){major}\.{minor}(\.\d+)?([a-z]|-|$)", child.name):
                    yield child / "bin" / name


def _version_of(executable: Path) -> str | None:
    """The interpreter's own version, asked of it (a pyenv shim for an unselected version fails here)."""
    try:
        done = subprocess.run(
            [str(executable), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


class Interpreters:
    """Maps runtimes to interpreters (looked up once each) and prepares their runtime packages."""

    def __init__(self, cache_dir: Path, python_dirs: Iterable[Path] = (), path: str | None = None) -> None:
        self.cache_dir = cache_dir
        self.python_dirs = [*python_dirs, *default_python_dirs()]
        self.path = os.environ.get("PATH", "") if path is None else path
        self._found: dict[str, tuple[str, str] | str] = {}  # runtime -> (executable, version) or why not
        self._ready: dict[str, Interpreter] = {}
        self._preparing: dict[str, asyncio.Task[Interpreter]] = {}

    @property
    def server_version(self) -> str:
        return ".".join(map(str, sys.version_info[:3]))

    def locate(self, runtime: str) -> tuple[str, str] | str:
        """(executable, version) of the interpreter for `runtime`, or the reason there is none."""
        if runtime in self._found:
            return self._found[runtime]
        wanted = runtime_version(runtime)
        found: tuple[str, str] | str
        if wanted is None:
            found = f"{runtime} is not a Python runtime"
        elif wanted == sys.version_info[:2]:
            found = (sys.executable, self.server_version)
        else:
            found = self._search(runtime, *wanted)
        self._found[runtime] = found
        return found

    def _search(self, runtime: str, major: int, minor: int) -> tuple[str, str] | str:
        seen: set[Path] = set()
        for candidate in _candidates(major, minor, self.path, self.python_dirs):
            if candidate in seen or not os.access(candidate, os.X_OK) or candidate.is_dir():
                continue
            seen.add(candidate)
            version = _version_of(candidate)
            if version is not None and version.startswith(f"{major}.{minor}."):
                return (str(candidate), version)
        where = ", ".join(str(d) for d in self.python_dirs)
        return f"no {runtime} interpreter was found on PATH or under {where}"

    def _fallback(self, runtime: str, why: str) -> Interpreter:
        note = f"{runtime} is served by the server's Python {self.server_version} ({sys.executable}): {why}"
        return Interpreter(runtime, sys.executable, self.server_version, None, note)

    def describe(self, runtimes: Iterable[str]) -> list[dict[str, object]]:
        """For `millpond status`: each runtime, the interpreter it maps to and whether it is prepared."""
        rows: list[dict[str, object]] = []
        for runtime in runtimes:
            found = self.locate(runtime)
            if isinstance(found, str):
                rows.append(
                    {
                        "runtime": runtime,
                        "python": sys.executable,
                        "version": self.server_version,
                        "fallback": found,
                    }
                )
                continue
            executable, version = found
            row: dict[str, object] = {"runtime": runtime, "python": executable, "version": version}
            if executable != sys.executable:
                row["packages"] = str(self._packages_dir(runtime, version))
                row["prepared"] = (self._packages_dir(runtime, version) / STAMP).exists()
            ready = self._ready.get(runtime)
            if ready is not None and ready.fallback:
                row["fallback"] = ready.note
            rows.append(row)
        return rows

    def _packages_dir(self, runtime: str, version: str) -> Path:
        return self.cache_dir / "lambda-runtimes" / f"{runtime}-{version}"

    async def interpreter(self, runtime: str) -> Interpreter:
        """The interpreter for `runtime`, its packages installed (once; later calls wait for the first)."""
        ready = self._ready.get(runtime)
        if ready is not None:
            return ready
        task = self._preparing.get(runtime)
        if task is None:
            task = asyncio.ensure_future(self._prepare(runtime))
            self._preparing[runtime] = task
        try:
            ready = await asyncio.shield(task)
        finally:
            if task.done():
                self._preparing.pop(runtime, None)
        self._ready[runtime] = ready
        return ready

    async def _prepare(self, runtime: str) -> Interpreter:
        found = await asyncio.to_thread(self.locate, runtime)
        if isinstance(found, str):
            return self._fallback(runtime, found)
        executable, version = found
        if executable == sys.executable:
            return Interpreter(runtime, executable, version, None)
        target = self._packages_dir(runtime, version)
        if (target / STAMP).exists():
            return Interpreter(runtime, executable, version, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Several millpond processes (test workers, say) may share the cache: one installs, the rest wait.
        with open(target.with_name(target.name + ".lock"), "w") as lock:
            await asyncio.to_thread(fcntl.flock, lock.fileno(), fcntl.LOCK_EX)
            try:
                failure = "" if (target / STAMP).exists() else await self._install(executable, target)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        if failure:
            return self._fallback(
                runtime, f"installing the runtime packages for Python {version} failed: {failure}"
            )
        return Interpreter(runtime, executable, version, target)

    async def _install(self, executable: str, target: Path) -> str:
        """pip-install the runtime packages into `target` with that interpreter; '' or what went wrong."""
        log.info("preparing the Lambda runtime for %s in %s (once)", executable, target)
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)  # what an install that was killed left
        command = [
            executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--target",
            str(staging),
            *RUNTIME_PACKAGES,
        ]
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
            )
            output, _ = await asyncio.wait_for(process.communicate(), INSTALL_TIMEOUT)
        except (OSError, TimeoutError) as error:
            shutil.rmtree(staging, ignore_errors=True)
            return str(error) or type(error).__name__
        if process.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            lines = [
                line for line in output.decode(errors="replace").splitlines() if line.startswith("ERROR")
            ]
            return (lines[-1] if lines else f"pip exited with {process.returncode}")[:300]
        (staging / STAMP).write_text(" ".join(RUNTIME_PACKAGES) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        return ""
