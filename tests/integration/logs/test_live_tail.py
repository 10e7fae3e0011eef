"""StartLiveTail through boto3: botocore parses the event stream of sessionStart and sessionUpdate events."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

from tests.integration.lambda_.conftest import make_function  # noqa: F401  (fixture)
from tests.support.server import CREDENTIALS, ServerProcess, make_server


@pytest.fixture(scope="module")
def clock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A millpond of this module's own, whose virtual clock the tests advance."""
    process = make_server(Path(tmp_path_factory.mktemp("millpond-tail")), "--in-memory").start()
    yield process
    process.stop()


def tail_client(server: ServerProcess) -> Any:
    """StartLiveTail's model puts `stream-` in front of the host; a local endpoint has no such host."""
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, inject_host_prefix=False)
    return boto3.client("logs", endpoint_url=server.url, config=config, **CREDENTIALS)


def results_until(events: Iterator[dict[str, Any]], wanted: Callable[[list[dict[str, Any]]], bool]) -> list:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    for event in events:
        seen += event["sessionUpdate"]["sessionResults"]
        if wanted(seen):
            return seen
        assert time.monotonic() < deadline, seen
    raise AssertionError(f"the session ended early: {seen}")


def test_live_tail_shows_a_functions_lines_as_it_runs(
    server: ServerProcess,
    make_function: Callable[..., str],  # noqa: F811
) -> None:
    name = make_function("def handler(event, context):\n    print('working on', event['job'])\n")
    group = f"/aws/lambda/{name}"
    logs = tail_client(server)
    logs.create_log_group(logGroupName=group)
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    response = logs.start_live_tail(logGroupIdentifiers=[arn])
    events = iter(response["responseStream"])
    start = next(events)["sessionStart"]
    assert start["logGroupIdentifiers"] == [arn] and start["sessionId"]
    server.client("lambda").invoke(FunctionName=name, Payload=b'{"job": "j-7"}')["Payload"].read()
    seen = results_until(events, lambda seen: any(r["message"].startswith("REPORT") for r in seen))
    messages = [r["message"] for r in seen]
    assert messages[0].startswith("START RequestId: ")
    assert any("working on j-7" in m for m in messages)
    assert any(m.startswith("END RequestId: ") for m in messages)
    assert {r["logGroupIdentifier"] for r in seen} == {arn}
    assert all(r["logStreamName"].split("/")[3].startswith("[$LATEST]") for r in seen)
    response["responseStream"].close()


def test_filters_streams_and_patterns(clock_server: ServerProcess) -> None:
    logs = tail_client(clock_server)
    group = f"/app/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    for stream in ("web-1", "web-2", "worker"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    response = logs.start_live_tail(
        logGroupIdentifiers=[group], logStreamNamePrefixes=["web"], logEventFilterPattern="ERROR"
    )
    events = iter(response["responseStream"])
    assert next(events)["sessionStart"]["logEventFilterPattern"] == "ERROR"
    now = int(time.time() * 1000)
    for stream in ("worker", "web-2", "web-1"):
        lines = [
            {"timestamp": now, "message": f"{stream} ERROR"},
            {"timestamp": now, "message": f"{stream} ok"},
        ]
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=lines)
    seen = results_until(events, lambda seen: len(seen) >= 2)
    assert [(r["logStreamName"], r["message"], r["logGroupIdentifier"]) for r in seen] == [
        ("web-2", "web-2 ERROR", group),
        ("web-1", "web-1 ERROR", group),
    ]
    response["responseStream"].close()
    with pytest.raises(ClientError) as raised:
        logs.start_live_tail(logGroupIdentifiers=[group, group + "x"], logStreamNames=["web-1"])
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        logs.start_live_tail(logGroupIdentifiers=["/no/such/group"])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_empty_updates_each_second_and_the_end_after_three_hours(clock_server: ServerProcess) -> None:
    logs = tail_client(clock_server)
    group = f"/app/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    stream = logs.start_live_tail(logGroupIdentifiers=[group])["responseStream"]
    events = iter(stream)
    next(events)
    clock_server.post("/_millpond/clock", {"advance": 1})
    assert next(events)["sessionUpdate"] == {"sessionMetadata": {"sampled": False}, "sessionResults": []}
    clock_server.post("/_millpond/clock", {"advance": 3 * 3600})
    with pytest.raises(EventStreamError) as ended:
        for _ in events:
            pass
    assert ended.value.response["Error"]["Code"] == "SessionTimeoutException"
    stream.close()
