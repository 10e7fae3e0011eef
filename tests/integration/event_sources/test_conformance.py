"""Event source mapping and Lambda behaviours AWS-recorded test suites showed millpond answering
differently (aws-facts.md §12b), through boto3 against a real server: what counts as success for a
Kinesis batch, the OnFailure record of a batch that reported failures, the Creating state, async invokes
of a function with reserved concurrency 0 and their DLQ record, $LATEST's qualified ARN in listings, and
the function-name pattern AWS quotes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from tests.integration.event_sources.conftest import advance, create_queue, drain, unique, wait_state
from tests.integration.event_sources.test_kinesis_source import make_stream, put
from tests.support.server import ServerProcess

# Reports the record with data "bad" as failed; returns `EMPTY` (a JSON text) for any other batch.
REPORTING = """
import base64, json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    data = {base64.b64decode(r["kinesis"]["data"]).decode(): r["kinesis"]["sequenceNumber"]
            for r in event["Records"]}
    sqs.send_message(QueueUrl=os.environ["LOG_URL"], MessageBody=json.dumps(sorted(data)))
    if "bad" in data:
        return {"batchItemFailures": [{"itemIdentifier": data["bad"]}]}
    return json.loads(os.environ["EMPTY"])
"""


@pytest.mark.parametrize("empty", ["[]", "{}", '{"batchItemFailures": []}'])
def test_an_empty_answer_is_success_and_reported_failures_leave_function_error_out(
    esm_server: ServerProcess, make_function: Callable[..., str], empty: str
) -> None:
    log_url, _ = create_queue(esm_server)
    failure_url, failure_arn = create_queue(esm_server)
    stream, arn = make_stream(esm_server, 1)
    function = make_function(REPORTING, Environment={"Variables": {"LOG_URL": log_url, "EMPTY": empty}})
    created = esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        MaximumRetryAttempts=0,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": failure_arn}},
    )
    wait_state(esm_server, created["UUID"], "Enabled")
    put(esm_server, stream, [("k", "ok-1"), ("k", "ok-2")])
    seen = drain(esm_server, log_url, lambda got: sum(map(len, got)) >= 2)
    assert sorted(data for batch in seen for data in batch) == ["ok-1", "ok-2"]
    advance(esm_server, 5)
    time.sleep(1.5)
    # Not retried: the empty answer was a success.
    assert "Messages" not in esm_server.client("sqs").receive_message(QueueUrl=log_url, WaitTimeSeconds=1)
    put(esm_server, stream, [("k", "bad")])
    failure = drain(esm_server, failure_url, lambda got: len(got) == 1)[0]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert "functionError" not in failure["responseContext"]  # the function returned; it did not raise


def test_a_disabled_mapping_is_creating_then_disabled(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    _, queue_arn = create_queue(esm_server)
    function = make_function("def handler(event, context):\n    return None\n")
    created = esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=function, Enabled=False
    )
    assert created["State"] == "Creating"
    wait_state(esm_server, created["UUID"], "Disabled")


def test_async_invoke_with_reserved_concurrency_zero_is_accepted_then_dead_lettered(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    dlq_url, dlq_arn = create_queue(esm_server)
    function = make_function(
        "def handler(event, context):\n    return event\n", DeadLetterConfig={"TargetArn": dlq_arn}
    )
    lambda_ = esm_server.client("lambda")
    lambda_.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
    lambda_.put_function_event_invoke_config(FunctionName=function, MaximumEventAgeInSeconds=60)
    reply = lambda_.invoke(FunctionName=function, InvocationType="Event", Payload=b'{"n": 1}')
    assert reply["StatusCode"] == 202
    time.sleep(1)  # the first attempt is throttled
    advance(esm_server, 61)  # past the event's maximum age: it goes to the DLQ
    sqs = esm_server.client("sqs")
    deadline = time.monotonic() + 20
    messages: list[dict[str, object]] = []
    while not messages and time.monotonic() < deadline:
        found = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"], WaitTimeSeconds=1)
        messages = found.get("Messages", [])
    assert messages, "nothing reached the DLQ"
    (message,) = messages
    assert json.loads(str(message["Body"])) == {"n": 1}
    attributes = message["MessageAttributes"]
    assert isinstance(attributes, dict)
    assert attributes["ErrorCode"]["DataType"] == "Number"
    assert attributes["RequestID"]["DataType"] == "String"


def test_latest_is_listed_with_its_qualified_arn(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    function = make_function("def handler(event, context):\n    return 1\n")
    lambda_ = esm_server.client("lambda")
    lambda_.publish_version(FunctionName=function)
    versions = {
        v["Version"]: v["FunctionArn"]
        for v in lambda_.list_versions_by_function(FunctionName=function)["Versions"]
    }
    assert versions["$LATEST"].endswith(f":function:{function}:$LATEST")
    assert versions["1"].endswith(f":function:{function}:1")
    every = lambda_.list_functions(FunctionVersion="ALL")["Functions"]
    assert {f["FunctionArn"].rsplit(":", 1)[-1] for f in every if f["FunctionName"] == function} == {
        "$LATEST",
        "1",
    }
    plain = [f["FunctionArn"] for f in lambda_.list_functions()["Functions"] if f["FunctionName"] == function]
    assert plain == [plain[0]] and plain[0].endswith(f":function:{function}")


def test_function_names_follow_the_current_pattern(esm_server: ServerProcess) -> None:
    lambda_ = esm_server.client("lambda")
    with pytest.raises(ClientError) as raised:
        lambda_.get_function(FunctionName="not a name!")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert (
        "((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
        in raised.value.response["Error"]["Message"]
    )
    missing = unique("fn")
    for ref in (
        f"{missing}:$LATEST.PUBLISHED",
        f"arn:aws:lambda:eusc-de-east-1:000000000000:function:{missing}",
    ):
        with pytest.raises(ClientError) as raised:
            lambda_.get_function(FunctionName=ref)
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException", ref
