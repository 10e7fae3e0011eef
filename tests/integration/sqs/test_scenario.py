"""The same SQS scenario through current botocore (JSON protocol) and botocore 1.31.80 (query protocol):
DLQ with maxReceiveCount 3, attributes kept through the redrive, and a move task that brings the message back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration.sqs.md5_reference import md5_of_message_attributes
from tests.support.server import ServerProcess, legacy_python

SCRIPT = Path(__file__).with_name("scenario.py")


PYTHONS = {"json-current-botocore": sys.executable, "query-botocore-1.31": legacy_python()}


@pytest.mark.parametrize("python", PYTHONS.values(), ids=PYTHONS.keys())
def test_dead_letter_scenario(clock_server: ServerProcess, python: str) -> None:
    if not Path(python).exists():
        pytest.fail(f"{python} is missing: `make test` installs it")
    run = subprocess.run(
        [python, str(SCRIPT), clock_server.url, uuid.uuid4().hex[:8]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    if "legacy" in python:
        assert out["botocore"] < "1.31.81"
    assert out["idempotent_url"] == out["queue_url"]
    assert out["queue_url"].startswith(clock_server.url + "/000000000000/scenario-")
    assert out["create_conflict"] == "QueueAlreadyExists"
    assert out["missing"] == ["AWS.SimpleQueueService.NonExistentQueue", 400]
    expected_md5 = md5_of_message_attributes(
        {
            "kind": ("String", "order"),
            "price": ("Number.float", "12.50"),
            "blob": ("Binary", b"\x00\x01\xff"),
        }
    )
    sent = out["sent"]
    assert sent["MD5OfMessageAttributes"] == expected_md5
    message_id = sent["MessageId"]
    body = '{"id": 1} & <x>\r\n'
    assert [r["receive_count"] for r in out["receives"]] == ["1", "2", "3"]
    for received in out["receives"]:
        assert received["id"] == message_id and received["body"] == body
        assert received["md5_attributes"] == expected_md5
        assert received["seconds"] < 2  # a long poll with a message ready answers at once
    assert out["fourth_receive"] == 0  # the receive that would exceed maxReceiveCount dead-letters it
    (dead,) = out["dead"]
    assert dead["id"] == message_id and dead["body"] == body
    assert dead["md5_attributes"] == expected_md5
    assert dead["attributes"]["blob"] == {"DataType": "Binary", "BinaryValue": [0, 1, 255]}
    assert dead["attributes"]["price"] == {"DataType": "Number.float", "StringValue": "12.50"}
    assert dead["source"].endswith(":" + out["queue_url"].rsplit("/", 1)[1])
    assert out["sources"] == [out["queue_url"]]
    assert out["task"] == {"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 1}
    assert out["back"] == [{"id": message_id, "body": body, "md5": expected_md5}]
    assert out["after"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
