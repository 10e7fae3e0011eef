"""Shared fixtures: a real millpond server process, and clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess, make_server

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One in-memory millpond for the session (tests that need a fresh one start their own)."""
    process = make_server(tmp_path_factory.mktemp("millpond"), "--in-memory").start()
    yield process
    process.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A millpond of this test's own, on a data directory under tmp_path."""
    process = make_server(tmp_path, "--data-dir", str(tmp_path / "data"))
    yield process
    if process.process is not None and process.process.poll() is None:
        process.stop()
