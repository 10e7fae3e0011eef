"""Event source mapping fixtures: a server of this package's own (its clock is advanced), functions built
from handler source, queues, and a log queue handlers report to."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess, make_server


@pytest.fixture(scope="module")
def esm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A millpond whose virtual clock these tests advance."""
    process = make_server(tmp_path_factory.mktemp("millpond-esm"), "--in-memory").start()
    yield process
    process.stop()


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_millpond/clock", {"advance": seconds})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_function(server: ServerProcess, source: str, **settings: Any) -> str:
    name = unique("fn")
    server.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
        **{"Timeout": 30, **settings},
    )
    return name


@pytest.fixture
def make_function(esm_server: ServerProcess) -> Callable[..., str]:
    def create(source: str, **settings: Any) -> str:
        return create_function(esm_server, source, **settings)

    return create


def create_queue(server: ServerProcess, name: str | None = None, **attributes: str) -> tuple[str, str]:
    """(url, arn) of a new queue."""
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name or unique("q"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(
    server: ServerProcess, url: str, until: Callable[[list[Any]], bool], timeout: float = 20.0
) -> list[Any]:
    """Bodies (JSON) read from a log queue until `until(bodies)` holds (or the timeout passes)."""
    sqs = server.client("sqs")
    bodies: list[Any] = []
    deadline = time.monotonic() + timeout
    while not until(bodies):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; got {bodies}")
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in reply.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def wait_state(server: ServerProcess, uuid_: str, state: str, timeout: float = 10.0) -> dict[str, Any]:
    client = server.client("lambda")
    deadline = time.monotonic() + timeout
    while True:
        mapping = client.get_event_source_mapping(UUID=uuid_)
        if mapping["State"] == state:
            return dict(mapping)
        if time.monotonic() > deadline:
            raise AssertionError(f"mapping stayed {mapping['State']}, wanted {state}")
        time.sleep(0.02)
