"""The console's JSON API without a browser: it calls the same provider methods the AWS APIs call, refuses
anything that is not an AWS operation, and serves only its own static files."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.support.server import ServerProcess


def post(server: ServerProcess, path: str, payload: Any, **headers: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.url + path, data=json.dumps(payload).encode(), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_calls_match_the_aws_api(console_server: ServerProcess) -> None:
    status, created = post(
        console_server,
        "/_millpond/console/api/call",
        {"service": "sqs", "operation": "CreateQueue", "params": {"QueueName": "api-q"}},
    )
    assert status == 200
    listed = console_server.client("sqs").list_queues(QueueNamePrefix="api-q")["QueueUrls"]
    assert listed == [created["QueueUrl"]]


def test_only_aws_operations_are_callable(console_server: ServerProcess) -> None:
    status, body = post(
        console_server, "/_millpond/console/api/call", {"service": "sqs", "operation": "Reset"}
    )
    assert status == 400
    assert body["error"]["code"] == "InvalidAction"
    status, body = post(
        console_server,
        "/_millpond/console/api/call",
        {"service": "sqs", "operation": "GetQueueUrl", "params": {"QueueName": "nope"}},
    )
    assert status == 400
    assert body["error"]["code"] == "QueueDoesNotExist"


def test_account_and_region_come_from_headers(console_server: ServerProcess) -> None:
    payload = {"service": "sqs", "operation": "CreateQueue", "params": {"QueueName": "elsewhere"}}
    status, created = post(
        console_server,
        "/_millpond/console/api/call",
        payload,
        **{"X-Millpond-Account": "111122223333", "X-Millpond-Region": "eu-west-1"},
    )
    assert status == 200
    assert "/111122223333/elsewhere" in created["QueueUrl"]
    state = console_server.get("/_millpond/console/api/state")
    assert state["account"] == "000000000000"


def test_clock_advances_and_static_files_stay_inside(console_server: ServerProcess) -> None:
    before = console_server.get("/_millpond/clock")["offset"]
    status, clock = post(console_server, "/_millpond/console/api/clock", {"advance": 5})
    assert status == 200 and clock["offset"] == before + 5
    with urllib.request.urlopen(console_server.url + "/_millpond/console/", timeout=5) as response:
        assert b"millpond console" in response.read()
    try:
        urllib.request.urlopen(console_server.url + "/_millpond/console/static/../routes.py", timeout=5)
        raise AssertionError("a file outside static/ was served")
    except urllib.error.HTTPError as error:
        assert error.code == 404
