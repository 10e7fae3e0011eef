"""Batch request rules: entry count, entry ids, and SendMessageBatch's total size."""

from __future__ import annotations

from typing import Any

import pytest

from millpond.services.sqs.batches import (
    CHANGE_VISIBILITY_ENTRY,
    DELETE_ENTRY,
    SEND_ENTRY,
    check_batch_size,
    empty_entry_body,
    entry_payload_size,
    missing_receipt_handle,
    validate_batch_entries,
)

from ._aws import aws_error

INVALID_ID = (
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
    "It can be at most 80 letters long."
)


def entries(*ids: str) -> list[dict[str, Any]]:
    return [{"Id": entry_id, "MessageBody": "x"} for entry_id in ids]


def test_valid_batch_returns_ids() -> None:
    assert validate_batch_entries(entries("1", "a-b_C", "x" * 80), SEND_ENTRY) == ["1", "a-b_C", "x" * 80]


@pytest.mark.parametrize("entry_name", [SEND_ENTRY, DELETE_ENTRY, CHANGE_VISIBILITY_ENTRY])
def test_empty_batch(entry_name: str) -> None:
    # AWS-recorded for SendMessageBatch (real SQS); the other two are inferred.
    with aws_error("EmptyBatchRequest", f"There should be at least one {entry_name} in the request."):
        validate_batch_entries([], entry_name)
    with aws_error("EmptyBatchRequest"):
        validate_batch_entries(None, entry_name)


def test_too_many_entries() -> None:
    # AWS-recorded: "Maximum number of entries per request are 10. You have sent 20."
    with aws_error(
        "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 20."
    ):
        validate_batch_entries(entries(*[str(i) for i in range(20)]), DELETE_ENTRY)
    with aws_error(
        "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11."
    ):
        validate_batch_entries(entries(*[str(i) for i in range(11)]), SEND_ENTRY)


@pytest.mark.parametrize("entry_id", ["", " ", "invalid:id", "é", "x" * 81, "a.b"])
def test_invalid_entry_ids(entry_id: str) -> None:
    # AWS-recorded (LocalStack snapshots test_delete_message_batch_invalid_msg_id)
    with aws_error("InvalidBatchEntryId", INVALID_ID):
        validate_batch_entries(entries("ok", entry_id), DELETE_ENTRY)


def test_missing_entry_id() -> None:
    with aws_error(
        "MissingRequiredParameterException",
        "The request must contain the parameter SendMessageBatchRequestEntry.2.Id.",
    ):
        validate_batch_entries([{"Id": "1"}, {"MessageBody": "x"}, {"Id": "3"}], SEND_ENTRY)


def test_duplicate_ids() -> None:
    # AWS-recorded (real SQS): "Id idA repeated."
    with aws_error("BatchEntryIdsNotDistinct", "Id idA repeated."):
        validate_batch_entries(entries("idA", "idA"), SEND_ENTRY)


def test_count_is_checked_before_ids() -> None:
    with aws_error("TooManyEntriesInBatchRequest"):
        validate_batch_entries(entries(*["bad id"] * 11), SEND_ENTRY)


def test_batch_size_counts_bodies_and_attributes() -> None:
    # AWS-recorded total: 131072 + 131000 + 8 + 8 bodies, plus 41 and 60 attribute bytes = 262189.
    batch = [
        {"Id": "1", "MessageBody": "a" * 131072},
        {"Id": "2", "MessageBody": "b" * 131000},
        {
            "Id": "3",
            "MessageBody": "message3",
            "MessageAttributes": {
                "Yolo": {"DataType": "Number.customtype", "StringValue": "12345678901234567890"}
            },
        },
        {
            "Id": "4",
            "MessageBody": "message4",
            "MessageAttributes": {"Yolo": {"DataType": "String", "StringValue": "c" * 50}},
        },
    ]
    assert check_batch_size(batch) == 262189
    assert (
        entry_payload_size(
            {"MessageBody": "é", "MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": b"12"}}}
        )
        == 2 + 1 + 6 + 2
    )


def test_batch_too_long() -> None:
    batch = [{"Id": str(i), "MessageBody": "A" * 104858} for i in range(10)]
    with aws_error(
        "BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048580 bytes.",
    ):
        check_batch_size(batch)
    check_batch_size([{"Id": "1", "MessageBody": "A" * 1_048_576}])


def test_entry_level_errors() -> None:
    error = empty_entry_body(2)
    assert (error.code, error.message) == (
        "EmptyValue",
        "The request must contain the parameter SendMessageBatchRequestEntry.2.MessageBody.",
    )
    assert missing_receipt_handle().message == "The request must contain the parameter ReceiptHandle."
