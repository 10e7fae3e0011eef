"""Invoke through real clients: sync, async, dry run, errors, timeouts, crashes, tails and throttles."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess

ECHO = """
import os
def handler(event, context):
    print("event:", event)
    return {"event": event, "stream": context.log_stream_name, "memory": context.memory_limit_in_mb,
            "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "version": context.function_version,
            "remaining": context.get_remaining_time_in_millis()}
"""


def test_sync_invoke_returns_the_handler_result(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function(ECHO, Timeout=30)
    reply = server.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"n": 1}))
    assert reply["StatusCode"] == 200 and "FunctionError" not in reply
    assert reply["ExecutedVersion"] == "$LATEST"
    result = json.loads(reply["Payload"].read())
    assert result["event"] == {"n": 1} and result["name"] == name and result["memory"] == "128"
    assert result["version"] == "$LATEST" and 25_000 < result["remaining"] <= 30_000
    assert result["stream"].split("/")[3].startswith("[$LATEST]")


def test_handler_boto3_reaches_millpond_without_endpoint_or_credentials(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    queue_url = server.client("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    name = make_function(
        "import boto3\n"
        "def handler(event, context):\n"
        "    sqs = boto3.client('sqs')\n"
        "    return sqs.send_message(QueueUrl=event['url'], MessageBody='from lambda')['MessageId']\n",
        Timeout=30,
    )
    reply = server.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"url": queue_url}))
    assert "FunctionError" not in reply, reply["Payload"].read()
    message_id = json.loads(reply["Payload"].read())
    received = server.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert received[0]["Body"] == "from lambda" and received[0]["MessageId"] == message_id


def test_async_invoke_is_accepted_and_runs(server: ServerProcess, make_function: Callable[..., str]) -> None:
    queue_url = server.client("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    name = make_function(
        "import boto3, json\n"
        "def handler(event, context):\n"
        "    boto3.client('sqs').send_message(QueueUrl=event['url'], MessageBody=json.dumps(event))\n",
    )
    client = server.client("lambda")
    reply = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"url": queue_url}))
    assert reply["StatusCode"] == 202 and reply["Payload"].read() == b""
    messages = server.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"]
    assert json.loads(messages[0]["Body"]) == {"url": queue_url}
    dry = client.invoke(FunctionName=name, InvocationType="DryRun")
    assert dry["StatusCode"] == 204 and dry["Payload"].read() == b""


def test_raising_handler_gets_the_unhandled_error_shape(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function("def handler(event, context):\n    raise ValueError('it broke')\n")
    reply = server.client("lambda").invoke(FunctionName=name, LogType="Tail")
    assert reply["StatusCode"] == 200 and reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Payload"].read())
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "it broke"
    assert "raise ValueError('it broke')" in error["stackTrace"][0]
    assert "[ERROR] ValueError: it broke" in base64.b64decode(reply["LogResult"]).decode()


def test_timeout_kills_and_replaces_the_environment(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function(
        "import time\n"
        "def handler(event, context):\n"
        "    time.sleep(event.get('sleep', 0))\n"
        "    return context.log_stream_name\n",
        Timeout=1,
    )
    client = server.client("lambda")
    first_stream = json.loads(client.invoke(FunctionName=name)["Payload"].read())
    reply = client.invoke(FunctionName=name, Payload=b'{"sleep": 5}', LogType="Tail")
    assert reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Payload"].read())
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert "Task timed out after 1.00 seconds" in base64.b64decode(reply["LogResult"]).decode()
    again = client.invoke(FunctionName=name)
    assert "FunctionError" not in again
    assert json.loads(again["Payload"].read()) != first_stream  # a new environment, a new stream


def test_sys_exit_and_segfault_are_runtime_exit_errors(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function(
        "import sys, ctypes\n"
        "def handler(event, context):\n"
        "    if event.get('segv'):\n"
        "        ctypes.string_at(0)\n"
        "    sys.exit(3)\n"
    )
    client = server.client("lambda")
    error = json.loads(client.invoke(FunctionName=name)["Payload"].read())
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    crashed = client.invoke(FunctionName=name, Payload=b'{"segv": true}')
    assert crashed["FunctionError"] == "Unhandled"
    assert "signal: segmentation fault" in json.loads(crashed["Payload"].read())["errorMessage"]
    assert server.get("/_millpond/health")["status"] == "ok"


def test_log_tail_has_the_platform_lines(server: ServerProcess, make_function: Callable[..., str]) -> None:
    name = make_function(ECHO)
    reply = server.client("lambda").invoke(FunctionName=name, Payload=b'{"k": "v"}', LogType="Tail")
    reply["Payload"].read()
    tail = base64.b64decode(reply["LogResult"]).decode()
    lines = tail.splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[0].endswith(" Version: $LATEST")
    assert "event: {'k': 'v'}" in tail
    report = next(line for line in lines if line.startswith("REPORT RequestId: "))
    assert (
        "\tDuration: " in report and "\tBilled Duration: " in report and "\tMemory Size: 128 MB\t" in report
    )
    assert "\tMax Memory Used: " in report and "\tInit Duration: " in report and report.endswith("\t")


def test_invalid_payload_and_unknown_function_are_aws_errors(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    client = server.client("lambda")
    with pytest.raises(ClientError) as missing:
        client.invoke(FunctionName="no-such-function-here")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function-here"
    )
    name = make_function(ECHO)
    with pytest.raises(ClientError) as bad:
        client.invoke(FunctionName=name, Payload=b"{not json")
    assert bad.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_reserved_concurrency_throttles_sync_invokes(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function("import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n")
    client, other = server.client("lambda"), server.client("lambda")
    try:
        client.invoke(FunctionName=name)["Payload"].read()  # warm one environment
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(other.invoke, FunctionName=name, Payload=b'{"sleep": 1.5}')
            time.sleep(0.5)
            with pytest.raises(ClientError) as throttled:
                client.invoke(FunctionName=name)
            reply = slow.result()
            assert reply["StatusCode"] == 200 and reply["Payload"].read() == b"null"
        error = throttled.value.response
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        with pytest.raises(ClientError) as blocked:
            client.invoke(FunctionName=name)
        assert blocked.value.response["Error"]["Code"] == "TooManyRequestsException"
    finally:
        client.close()
        other.close()


def test_failed_async_event_goes_to_the_on_failure_destination(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"fail-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    name = make_function("def handler(event, context):\n    raise RuntimeError('nope')\n")
    client = server.client("lambda")
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": queue_arn}}
    )
    client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"id": 7}')["Payload"].read()
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"]
    record = json.loads(messages[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"id": 7}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "nope"
