"""The payloads event source mappings send and read: SQS and Kinesis event records exactly as AWS shapes
them, batch item failure responses, and the OnFailure record a stream mapping sends to its destination."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from millpond.services.kinesis.names import shard_id
from millpond.services.kinesis.repository import Record


def iso_millis(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_seconds(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- SQS --------------------------------------------------------------------------------------------------


def _message_attribute(wire: dict[str, Any]) -> dict[str, Any]:
    # Lower-camel keys, and the list fields are always present (empty) as AWS sends them.
    shaped: dict[str, Any] = {}
    if wire.get("BinaryValue") is not None:
        value = wire["BinaryValue"]
        shaped["binaryValue"] = base64.b64encode(value).decode() if isinstance(value, bytes) else value
    else:
        shaped["stringValue"] = wire.get("StringValue")
    shaped["stringListValues"] = []
    shaped["binaryListValues"] = []
    shaped["dataType"] = wire["DataType"]
    return shaped


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of an SQS event, from a message as ReceiveMessage returned it."""
    attributes = message.get("MessageAttributes") or {}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {name: _message_attribute(value) for name, value in attributes.items()},
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record["md5OfBody"] = message["MD5OfBody"]
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = queue_arn
    record["awsRegion"] = region
    return record


# -- batch item failures ----------------------------------------------------------------------------------


def failed_items(payload: bytes, identifiers: Collection[str]) -> set[str] | None:
    """The item identifiers a ReportBatchItemFailures response lists; None when the whole batch failed.

    Success: an empty or null list, an empty or null response. Whole failure: unparseable JSON, an empty,
    null or unknown itemIdentifier, or a wrong key name (AWS's documented rules).
    """
    if not payload.strip():
        return set()
    try:
        response = json.loads(payload)
    except ValueError:
        return None
    if response is None or response == [] or response == {}:
        return set()  # AWS-recorded: a handler returning [] or {} succeeded
    if not isinstance(response, dict):
        return None  # [unsure] a JSON scalar or list is not an EventResponse: treated as invalid
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    found: set[str] = set()
    for item in failures:
        if not isinstance(item, dict):
            return None
        identifier = item.get("itemIdentifier")
        if not isinstance(identifier, str) or not identifier or identifier not in identifiers:
            return None
        found.add(identifier)
    return found


# -- Kinesis ----------------------------------------------------------------------------------------------


def kinesis_record(
    record: Record, sequence_number: str, shard: int, stream_arn: str, region: str, role: str
) -> dict[str, Any]:
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record.partition_key,
            "sequenceNumber": sequence_number,
            "data": base64.b64encode(record.data).decode(),
            "approximateArrivalTimestamp": round(record.arrival, 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id(shard)}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


def on_failure_record(
    *,
    function_arn: str,
    condition: str,
    invoke_count: int,
    function_error: str | None,
    now: float,
    shard: int,
    first: tuple[str, float],
    last: tuple[str, float],
    batch_size: int,
    stream_arn: str,
) -> dict[str, Any]:
    """What a stream mapping sends to DestinationConfig.OnFailure: where the skipped records are, not them."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": iso_millis(now),
        "KinesisBatchInfo": {
            "shardId": shard_id(shard),
            "startSequenceNumber": first[0],
            "endSequenceNumber": last[0],
            "approximateArrivalOfFirstRecord": iso_millis(first[1]),
            "approximateArrivalOfLastRecord": iso_millis(last[1]),
            "batchSize": batch_size,
            "streamArn": stream_arn,
        },
    }
