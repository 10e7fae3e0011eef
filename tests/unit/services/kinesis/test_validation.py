"""Model constraints answered as AWS's ValidationException words them."""

from __future__ import annotations

import pytest

from millpond.errors import AwsError
from millpond.services.kinesis.validation import validate


def message(operation: str, params: dict[str, object]) -> str:
    with pytest.raises(AwsError) as raised:
        validate(operation, params)
    assert raised.value.code == "ValidationException"
    return raised.value.message


def test_a_bad_stream_name() -> None:
    assert message("CreateStream", {"StreamName": "a b", "ShardCount": 1}) == (
        "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_several_errors_are_counted_and_joined() -> None:
    text = message("GetRecords", {"ShardIterator": "x" * 513, "Limit": 10001})
    assert text.startswith("2 validation errors detected: ")
    assert (
        "at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 512"
        in text
    )
    assert (
        "Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal "
        "to 10000" in text
    )


def test_missing_required_members_are_null() -> None:
    assert message("PutRecords", {"StreamName": "s"}) == (
        "1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not "
        "be null"
    )


def test_list_members_are_addressed_by_position() -> None:
    text = message(
        "PutRecords",
        {"StreamName": "s", "Records": [{"Data": b"", "PartitionKey": "k"}, {"PartitionKey": ""}]},
    )
    assert (
        "Value null at 'records.2.member.data' failed to satisfy constraint: Member must not be null" in text
    )
    assert (
        "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length "
        "greater" in text
    )


def test_enums_list_their_values() -> None:
    text = message(
        "GetShardIterator", {"StreamName": "s", "ShardId": "shardId-0", "ShardIteratorType": "OLDEST"}
    )
    assert text.endswith(
        "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, "
        "LATEST, AT_TIMESTAMP]"
    )


def test_valid_requests_pass() -> None:
    validate(
        "PutRecord",
        {"StreamName": "orders.v1", "Data": b"x" * 100, "PartitionKey": "k", "ExplicitHashKey": "12"},
    )
    validate("ListStreams", {})
