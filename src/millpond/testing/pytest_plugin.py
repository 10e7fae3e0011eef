"""The pytest plugin (registered by entry point): fixtures `millpond`, `aws_client`, `millpond_env`.

`millpond` is one real server per test session (per xdist worker). Mark a test
`@pytest.mark.millpond(reset=True)`, or set `millpond_reset = true` in the ini file, to wipe state first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from millpond.testing.server import Server, ServerStartError


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("millpond_reset", "wipe millpond's state before every test", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "millpond(reset=True): wipe the millpond server's state before this test"
    )


@pytest.fixture(scope="session")
def millpond() -> Iterator[Server]:
    """A real millpond for the test session: `.url`, `.reset()`, `.advance(s)`, `.client(name)`."""
    server = Server()
    try:
        server.start()
    except ServerStartError as error:
        pytest.fail(f"millpond could not start: {error}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def aws_client(millpond: Server) -> Callable[..., Any]:
    """`aws_client("sqs")`: a boto3 client pointed at the session's millpond."""
    return millpond.client


@pytest.fixture
def millpond_env(millpond: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """Points unconfigured boto3 clients (`boto3.client("sqs")`) at millpond for this test."""
    for name, value in millpond.env.items():
        monkeypatch.setenv(name, value)
    return millpond


@pytest.fixture(autouse=True)
def _millpond_reset(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("millpond")
    wanted = bool(request.config.getini("millpond_reset"))
    if marker is not None:
        wanted = bool(marker.kwargs.get("reset", True))
    if wanted:
        server: Server = request.getfixturevalue("millpond")
        server.reset()
