"""Rules shared by SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch: 1-10 entries,
distinct ids of at most 80 alphanumerics, hyphens and underscores, and SendMessageBatch's total size.

Whole-request problems raise; per-entry problems (a bad receipt handle, an empty body...) are the caller's to
collect into `Failed` entries, with HTTP 200 for the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from millpond.errors import AwsError

MAX_BATCH_ENTRIES = 10
MAX_BATCH_PAYLOAD_BYTES = 1_048_576  # fixed, whatever the queue's MaximumMessageSize
_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")

SEND_ENTRY = "SendMessageBatchRequestEntry"
DELETE_ENTRY = "DeleteMessageBatchRequestEntry"
CHANGE_VISIBILITY_ENTRY = "ChangeMessageVisibilityBatchRequestEntry"


def is_valid_entry_id(entry_id: str) -> bool:
    return bool(_ENTRY_ID.fullmatch(entry_id))


def validate_batch_entries(entries: Sequence[Mapping[str, Any]] | None, entry_name: str) -> list[str]:
    """Check a batch's size and ids in AWS's order; return the entry ids.

    `entry_name` is the query-protocol entry name AWS uses in its messages, as in "There should be at least
    one SendMessageBatchRequestEntry in the request.".
    """
    if not entries:
        # The ChangeMessageVisibilityBatch wording is inferred from the other two operations.
        raise AwsError("EmptyBatchRequest", f"There should be at least one {entry_name} in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise AwsError(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(entries)}.",
        )
    seen: set[str] = set()
    ids: list[str] = []
    for index, entry in enumerate(entries, start=1):
        entry_id = entry.get("Id")
        if entry_id is None:
            raise AwsError(
                "MissingRequiredParameterException",
                f"The request must contain the parameter {entry_name}.{index}.Id.",
            )
        if not is_valid_entry_id(entry_id):
            raise AwsError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long.",
            )
        if entry_id in seen:
            raise AwsError("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")  # AWS-recorded
        seen.add(entry_id)
        ids.append(entry_id)
    return ids


def entry_payload_size(entry: Mapping[str, Any]) -> int:
    """What one unvalidated SendMessageBatch entry adds to the total: body plus attribute names, types and
    values (AWS-recorded: 131072 + 131000 + two 8-byte bodies + 41 + 60 attribute bytes = 262189)."""
    total = len((entry.get("MessageBody") or "").encode("utf-8"))
    for name, value in (entry.get("MessageAttributes") or {}).items():
        value = value or {}
        total += len(name.encode("utf-8")) + len((value.get("DataType") or "").encode("utf-8"))
        binary = value.get("BinaryValue")
        if binary is not None:
            total += len(binary.encode("utf-8") if isinstance(binary, str) else binary)
        else:
            total += len((value.get("StringValue") or "").encode("utf-8"))
    return total


def check_batch_size(entries: Sequence[Mapping[str, Any]]) -> int:
    """SendMessageBatch: the sum of all entries must not exceed 1 MiB (checked before any entry is sent)."""
    total = sum(entry_payload_size(entry) for entry in entries)
    if total > MAX_BATCH_PAYLOAD_BYTES:
        raise AwsError(
            "BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_BATCH_PAYLOAD_BYTES} bytes. "
            f"You have sent {total} bytes.",
        )
    return total


def empty_entry_body(index: int) -> AwsError:
    """A SendMessageBatch entry without a body fails alone (AWS reports the entry's Code as "EmptyValue")."""
    return AwsError("EmptyValue", f"The request must contain the parameter {SEND_ENTRY}.{index}.MessageBody.")


def missing_receipt_handle() -> AwsError:
    """A Delete/ChangeMessageVisibility batch entry without a receipt handle fails alone."""
    return AwsError(
        "MissingRequiredParameterException", "The request must contain the parameter ReceiptHandle."
    )


# A batch entry's Failed[].Code is AWS's legacy query code, not the JSON shape name (AWS-recorded).
ENTRY_ERROR_CODES = {
    "InvalidParameterValueException": "InvalidParameterValue",
    "MissingRequiredParameterException": "MissingParameter",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}


def failed_entry(entry_id: str, error: AwsError) -> dict[str, Any]:
    """A `Failed` entry of a batch result for an entry that failed with `error` (always a sender fault)."""
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": ENTRY_ERROR_CODES.get(error.code, error.code),
        "Message": error.message,
    }
