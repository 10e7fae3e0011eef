"""The event source mapping API through boto3: documents, defaults per source, states, errors, listing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from tests.integration.event_sources.conftest import create_queue, drain, wait_state
from tests.integration.event_sources.test_kinesis_source import make_stream
from tests.integration.event_sources.test_sqs_source import REPORTING
from tests.support.server import ServerProcess

NOOP = "def handler(event, context):\n    return None\n"


def test_sqs_document_defaults_and_lifecycle(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    client = esm_server.client("lambda")
    _, arn = create_queue(esm_server)
    name = make_function(NOOP)
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    body = {k: v for k, v in created.items() if k != "ResponseMetadata"}
    assert set(body) == {
        "UUID",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "EventSourceArn",
        "EventSourceMappingArn",
        "FunctionArn",
        "FunctionResponseTypes",
        "LastModified",
        "State",
        "StateTransitionReason",
    }
    assert body["BatchSize"] == 10 and body["MaximumBatchingWindowInSeconds"] == 0
    assert body["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert body["EventSourceMappingArn"].endswith(f":event-source-mapping:{body['UUID']}")
    assert len(body["UUID"]) == 36 and body["FunctionResponseTypes"] == []
    enabled = wait_state(esm_server, body["UUID"], "Enabled")
    assert enabled["StateTransitionReason"] == "USER_INITIATED"

    with pytest.raises(ClientError) as conflict:
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert conflict.value.response["Error"]["Code"] == "ResourceConflictException"
    assert body["UUID"] in conflict.value.response["Error"]["Message"]

    assert [
        m["UUID"] for m in client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    ] == [body["UUID"]]
    assert [
        m["UUID"] for m in client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    ] == [body["UUID"]]
    updated = client.update_event_source_mapping(
        UUID=body["UUID"], BatchSize=20, MaximumBatchingWindowInSeconds=2
    )
    assert updated["State"] == "Updating" and updated["BatchSize"] == 20
    wait_state(esm_server, body["UUID"], "Enabled")
    disabled = client.update_event_source_mapping(UUID=body["UUID"], Enabled=False)
    assert disabled["State"] == "Disabling"
    wait_state(esm_server, body["UUID"], "Disabled")
    deleted = client.delete_event_source_mapping(UUID=body["UUID"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202 and deleted["State"] == "Deleting"
    with pytest.raises(ClientError) as missing:
        client.get_event_source_mapping(UUID=body["UUID"])
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_kinesis_document_defaults(esm_server: ServerProcess, make_function: Callable[..., str]) -> None:
    _, arn = make_stream(esm_server, 1)
    created = esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=make_function(NOOP), StartingPosition="LATEST"
    )
    assert created["BatchSize"] == 100 and created["MaximumRecordAgeInSeconds"] == -1
    assert created["MaximumRetryAttempts"] == -1 and created["ParallelizationFactor"] == 1
    assert created["BisectBatchOnFunctionError"] is False and created["TumblingWindowInSeconds"] == 0
    assert created["DestinationConfig"] == {"OnFailure": {}} and created["StartingPosition"] == "LATEST"
    assert created["StateTransitionReason"] == "User action"
    assert created["LastProcessingResult"] == "No records processed"


@pytest.mark.parametrize(
    ("settings", "code", "fragment"),
    [
        (
            {"BatchSize": 11},
            "InvalidParameterValueException",
            "Maximum batch window in seconds must be greater",
        ),
        ({"BatchSize": 10_001}, "ValidationException", "batchSize"),
        ({"ScalingConfig": {"MaximumConcurrency": 1001}}, "ValidationException", "maximumConcurrency"),
        (
            {"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:x"}}},
            "InvalidParameterValueException",
            "Unsupported DestinationConfig parameter",
        ),
        (
            {"FilterCriteria": {"Filters": [{"Pattern": "not json"}]}},
            "InvalidParameterValueException",
            "filter",
        ),
    ],
)
def test_sqs_validation(
    esm_server: ServerProcess, make_function: Callable[..., str], settings: dict, code: str, fragment: str
) -> None:
    _, arn = create_queue(esm_server)
    with pytest.raises(ClientError) as error:
        esm_server.client("lambda").create_event_source_mapping(
            EventSourceArn=arn, FunctionName=make_function(NOOP), **settings
        )
    assert error.value.response["Error"]["Code"] == code
    assert fragment in error.value.response["Error"]["Message"]


def test_source_and_function_errors(esm_server: ServerProcess, make_function: Callable[..., str]) -> None:
    client = esm_server.client("lambda")
    name = make_function(NOOP)
    cases = [
        ("arn:aws:sqs:us-east-1:000000000000:missing", {}, "The specified queue does not exist."),
        (
            "arn:aws:kinesis:us-east-1:000000000000:stream/missing",
            {"StartingPosition": "LATEST"},
            "Stream not found",
        ),
        ("arn:aws:s3:::bucket", {}, "Unrecognized event source."),
    ]
    for arn, extra, fragment in cases:
        with pytest.raises(ClientError) as error:
            client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **extra)
        assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert fragment in error.value.response["Error"]["Message"]
    _, stream_arn = make_stream(esm_server, 1)
    with pytest.raises(ClientError) as error:
        client.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=name)
    assert "startingPosition" in error.value.response["Error"]["Message"]
    _, queue_arn = create_queue(esm_server)
    with pytest.raises(ClientError) as error:
        client.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="nope")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_disable_stops_invocations_and_delete_leaves_no_poller(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    client, sqs = esm_server.client("lambda"), esm_server.client("sqs")
    log_url, _ = create_queue(esm_server)
    url, arn = create_queue(esm_server)
    name = make_function(REPORTING, Environment={"Variables": {"LOG_URL": log_url}})
    uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    wait_state(esm_server, uuid, "Enabled")
    sqs.send_message(QueueUrl=url, MessageBody="one")
    drain(esm_server, log_url, lambda got: len(got) == 1)
    client.update_event_source_mapping(UUID=uuid, Enabled=False)
    sqs.send_message(QueueUrl=url, MessageBody="two")
    time.sleep(1)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    client.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert drain(esm_server, log_url, lambda got: len(got) == 1)[0]["records"][0]["body"] == "two"
    client.delete_event_source_mapping(UUID=uuid)
    time.sleep(0.3)
    sqs.send_message(QueueUrl=url, MessageBody="three")
    time.sleep(1)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"


def test_filters_drop_and_delete_unmatched_messages(
    esm_server: ServerProcess, make_function: Callable[..., str]
) -> None:
    sqs = esm_server.client("sqs")
    log_url, _ = create_queue(esm_server)
    url, arn = create_queue(esm_server)
    name = make_function(REPORTING, Environment={"Variables": {"LOG_URL": log_url}})
    pattern = {"body": {"kind": ["order"], "total": [{"numeric": [">", 10]}]}}
    uuid = esm_server.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]}
    )["UUID"]
    wait_state(esm_server, uuid, "Enabled")
    for body in [
        {"kind": "order", "total": 5},
        {"kind": "refund", "total": 50},
        "plain",
        {"kind": "order", "total": 11},
    ]:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body) if isinstance(body, dict) else body)
    logged = drain(esm_server, log_url, lambda got: len(got) >= 1)
    time.sleep(0.5)
    logged += drain(esm_server, log_url, lambda got: True, timeout=1)
    assert [json.loads(r["body"]) for e in logged for r in e["records"]] == [{"kind": "order", "total": 11}]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"]
        == attributes["ApproximateNumberOfMessagesNotVisible"]
        == "0"
    )
