"""CloudWatch Logs through real clients: groups, streams, events, filters, and Lambda's output."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import make_function  # noqa: F401  (fixture)
from tests.support.server import ServerProcess, run_aws


def _wait_for(fetch: Callable[[], list[Any]], count: int, timeout: float = 5.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = fetch()
        except ClientError as error:
            # Logs arrive moments after an invoke (as on AWS): the group may not exist yet.
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            found = []
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_groups_streams_and_events(server: ServerProcess) -> None:
    logs = server.client("logs")
    group = f"/app/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group, tags={"env": "test"})
    with pytest.raises(ClientError) as exists:
        logs.create_log_group(logGroupName=group)
    assert exists.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    now = int(time.time() * 1000)
    events = [{"timestamp": now + i, "message": f"line {i} {'ERROR' if i % 2 else 'INFO'}"} for i in range(5)]
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=events)
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described[0]["logGroupName"] == group and described[0]["arn"].endswith(f":log-group:{group}:*")
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert streams[0]["logStreamName"] == "s1" and streams[0]["lastEventTimestamp"] == now + 4
    page = logs.get_log_events(logGroupName=group, logStreamName="s1", startFromHead=True, limit=3)
    assert [e["message"] for e in page["events"]] == ["line 0 INFO", "line 1 ERROR", "line 2 INFO"]
    rest = logs.get_log_events(logGroupName=group, logStreamName="s1", nextToken=page["nextForwardToken"])
    assert [e["message"] for e in rest["events"]] == ["line 3 ERROR", "line 4 INFO"]
    end = logs.get_log_events(logGroupName=group, logStreamName="s1", nextToken=rest["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == rest["nextForwardToken"]
    errors = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    assert [e["message"] for e in errors] == ["line 1 ERROR", "line 3 ERROR"]
    either = logs.filter_log_events(logGroupName=group, filterPattern='?"line 0" ?"line 4"')["events"]
    assert len(either) == 2
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 7
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"env": "test"}
    logs.delete_log_stream(logGroupName=group, logStreamName="s1")
    logs.delete_log_group(logGroupName=group)
    with pytest.raises(ClientError) as gone:
        logs.get_log_events(logGroupName=group, logStreamName="s1")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_json_filter_patterns(server: ServerProcess) -> None:
    logs = server.client("logs")
    group = f"/json/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    documents = [{"level": "ERROR", "ms": 900}, {"level": "INFO", "ms": 20}, {"level": "ERROR", "ms": 5}]
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now + i, "message": json.dumps(d)} for i, d in enumerate(documents)],
    )
    found = logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" && $.ms > 100 }')
    assert [json.loads(e["message"]) for e in found["events"]] == [documents[0]]


def test_lambda_output_lands_in_its_log_group(
    server: ServerProcess,
    make_function: Callable[..., str],  # noqa: F811
) -> None:
    name = make_function("def handler(event, context):\n    print('working on', event['job'])\n")
    server.client("lambda").invoke(FunctionName=name, Payload=b'{"job": "j-42"}')["Payload"].read()
    group = f"/aws/lambda/{name}"
    logs = server.client("logs")
    streams = _wait_for(lambda: logs.describe_log_streams(logGroupName=group)["logStreams"], 1)
    stream = streams[0]["logStreamName"]
    assert stream.split("/")[3].startswith("[$LATEST]") and len(stream.split("]")[1]) == 32
    messages = [
        e["message"]
        for e in _wait_for(
            lambda: run_json(
                server,
                "logs",
                "get-log-events",
                "--log-group-name",
                group,
                "--log-stream-name",
                stream,
                "--start-from-head",
            )["events"],
            4,
        )
    ]
    assert messages[0].startswith("START RequestId: ") and messages[1] == "working on j-42"
    assert messages[2].startswith("END RequestId: ") and messages[3].startswith("REPORT RequestId: ")
    reports = run_json(
        server, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "REPORT"
    )
    assert len(reports["events"]) == 1 and "Init Duration" in reports["events"][0]["message"]


def run_json(server: ServerProcess, *args: str) -> Any:
    return json.loads(run_aws(server, *args).stdout)


def test_retention_expires_events_and_refuses_expired_ones(fresh_server: ServerProcess) -> None:
    server = fresh_server.start()
    logs = server.client("logs")
    logs.create_log_group(logGroupName="/app/retained")
    logs.create_log_group(logGroupName="/app/forever")
    now = int(server.get("/_millpond/clock")["now"] * 1000)
    for group in ("/app/retained", "/app/forever"):
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        old = [{"timestamp": now - 2 * 86_400_000 + i, "message": f"old {i}"} for i in range(3)]
        logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=old)

    def messages(group: str) -> list[str]:
        found = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
        return [e["message"] for e in found["events"]]

    def stored(group: str) -> int:
        return int(logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"])

    assert stored("/app/retained") == len("old 0") * 3
    # Setting a retention shorter than the events' age expires them at once (in the background).
    logs.put_retention_policy(logGroupName="/app/retained", retentionInDays=1)
    assert _wait_for(lambda: ["gone"] if not messages("/app/retained") else [], 1) == ["gone"]
    assert stored("/app/retained") == 0
    assert messages("/app/forever") == ["old 0", "old 1", "old 2"]

    # An event already past the retention is refused, as AWS reports it.
    batch = [
        {"timestamp": now - 3 * 86_400_000, "message": "expired"},
        {"timestamp": now, "message": "fresh"},
    ]
    answer = logs.put_log_events(logGroupName="/app/retained", logStreamName="s", logEvents=batch)
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    assert messages("/app/retained") == ["fresh"]

    # A day and a bit of clock later, the next write starts the pass that drops "fresh".
    server.post("/_millpond/clock", {"advance": 86_400 + 120})
    later = now + (86_400 + 120) * 1000
    logs.put_log_events(
        logGroupName="/app/retained", logStreamName="s", logEvents=[{"timestamp": later, "message": "later"}]
    )
    assert _wait_for(lambda: ["done"] if messages("/app/retained") == ["later"] else [], 1) == ["done"]
    assert stored("/app/retained") == len("later")
    assert messages("/app/forever") == ["old 0", "old 1", "old 2"]
