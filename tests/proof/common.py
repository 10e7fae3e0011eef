"""Shared pieces of the proof harnesses: a server process per harness, clients with short timeouts, the
worker processes a server leaves behind, and the figures each harness reports for the `make proof` table."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.support.server import CREDENTIALS, ServerProcess


@dataclass
class Report:
    """What one harness did: named counts for the table, and every failure it found (empty = pass)."""

    name: str
    figures: dict[str, int | float | str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, message: str) -> None:
        if len(self.failures) < 200:
            self.failures.append(message)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        lines = [f"{self.name}: {'ok' if self.ok else 'FAILED'} in {self.seconds:.1f}s"]
        lines += [f"  {key}: {value}" for key, value in self.figures.items()]
        lines += [f"  ! {failure}" for failure in self.failures[:40]]
        return "\n".join(lines)

    def finish(self, server: ServerProcess, started: float) -> Report:
        """Close the report: the server log must hold no internal error."""
        if "internal error" in server.log():
            self.fail("server log holds internal errors")
        self.seconds = time.monotonic() - started
        return self


def harness_main(doc: str | None, run: Callable[[Path, bool], Report], long_help: str, folder: str) -> None:
    """The command line shared by the harnesses that take only --long and --dir."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--long", action="store_true", help=long_help)
    parser.add_argument("--dir", default=folder)
    args = parser.parse_args()
    tmp = Path(args.dir)
    tmp.mkdir(parents=True, exist_ok=True)
    report = run(tmp, args.long)
    print(report.summary())
    raise SystemExit(0 if report.ok else 1)


def client(server: ServerProcess, service: str, timeout: float = 10.0) -> Any:
    """A boto3 client that never retries (a failure is an answer, not something to paper over)."""
    config = Config(
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=2,
        read_timeout=timeout,
        max_pool_connections=4,
    )
    return boto3.client(service, endpoint_url=server.url, config=config, **CREDENTIALS)


def descendants(pid: int) -> list[int]:
    """Every live process whose parent chain leads to `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def processes_with_env(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (how workers of a killed server are found)."""
    needle = marker.encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if needle in Path(f"/proc/{entry}/environ").read_bytes():
                    found.append(int(entry))
            except OSError:
                continue
    return found


def reap(pids: list[int]) -> None:
    """Kill processes this harness caused (by pid, after the check that counted them)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def wait_for(probe: Any, timeout: float, interval: float = 0.1) -> Any:
    """Poll `probe()` until it returns something truthy, or None after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
