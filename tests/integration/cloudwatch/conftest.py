"""CloudWatch fixtures: a server of this package's own (its virtual clock is advanced), and helpers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from tests.support.server import ServerProcess, make_server

T = TypeVar("T")


@pytest.fixture(scope="module")
def cw_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A millpond whose virtual clock these tests advance."""
    process = make_server(tmp_path_factory.mktemp("millpond-cw"), "--in-memory").start()
    yield process
    process.stop()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_millpond/clock", {"advance": seconds})


def server_now(server: ServerProcess) -> datetime:
    return datetime.fromtimestamp(server.get("/_millpond/clock")["now"], UTC)


def window(server: ServerProcess, minutes: int = 30) -> dict[str, datetime]:
    now = server_now(server)
    return {"StartTime": now - timedelta(minutes=minutes), "EndTime": now + timedelta(minutes=5)}


def eventually(probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    """Poll `probe` until `done(result)` (real time: background work, never a time rule)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; last result {result!r}")
        time.sleep(0.05)


def total(datapoints: list[dict[str, Any]], stat: str = "Sum") -> float:
    return sum(point[stat] for point in datapoints)
