"""SQS test fixtures: a server of this package's own for tests that move the virtual clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.support.server import ServerProcess, make_server

_names = itertools.count()


@pytest.fixture(scope="module")
def clock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """An in-memory millpond whose clock these tests may advance (the shared one's clock is left alone)."""
    process = make_server(tmp_path_factory.mktemp("millpond-sqs"), "--in-memory").start()
    yield process
    process.stop()


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A queue name unique in the session."""
    base = request.node.name.split("[")[0].replace("test_", "")[:50]
    return f"{base}-{next(_names)}".replace("_", "-")


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_millpond/clock", {"advance": seconds})
