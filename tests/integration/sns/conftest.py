"""SNS fixtures: a server of this package's own (its virtual clock is advanced), queues to subscribe,
and helpers that drain a queue and read the envelope."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.server import ServerProcess, make_server


@pytest.fixture(scope="module")
def sns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = make_server(tmp_path_factory.mktemp("millpond-sns"), "--in-memory").start()
    yield process
    process.stop()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_millpond/clock", {"advance": seconds})


def make_queue(server: ServerProcess, name: str | None = None, **attributes: str) -> tuple[str, str]:
    """(queue URL, queue ARN) of a new queue."""
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name or unique("q"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(server: ServerProcess, url: str, expected: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    """Receive (and delete) messages until `expected` arrived, then make sure no more come."""
    sqs = server.client("sqs")
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(received) < expected and time.monotonic() < deadline:
        reply = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        )
        for message in reply.get("Messages", []):
            received.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    extra = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    assert not extra, f"more messages than expected: {extra}"
    assert len(received) == expected, f"got {len(received)} of {expected}"
    return received


def bodies(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(m["Body"]) for m in messages]
