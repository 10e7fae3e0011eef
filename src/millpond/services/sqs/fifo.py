"""FIFO queue rules: MessageGroupId and MessageDeduplicationId, content-based deduplication, the 5-minute
deduplication window, and sequence numbers.

A duplicate send (same deduplication id within 5 minutes of the first accepted send, per queue or per message
group depending on DeduplicationScope) succeeds and returns the first message's MessageId and SequenceNumber,
but enqueues nothing. Deduplication ids are remembered even after the message is deleted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from millpond.errors import AwsError

FIFO_ID_MAX_LENGTH = 128
DEDUPLICATION_WINDOW_SECONDS = 300
DEDUPLICATION_SCOPES = ("queue", "messageGroup")
# Alphanumerics and ASCII punctuation, no spaces: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
_FIFO_ID = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")
_SEQUENCE_SHIFT = 23  # epoch milliseconds << 23 gives 20-digit numbers until 2039, and room for 8M per ms


def is_valid_fifo_id(value: str) -> bool:
    return bool(_FIFO_ID.fullmatch(value))


def validate_fifo_id(value: str, parameter: str) -> None:
    """MessageGroupId and MessageDeduplicationId: 1-128 alphanumeric or punctuation characters."""
    if not is_valid_fifo_id(value):
        raise AwsError(
            "InvalidParameterValueException",
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only include "
            "alphanumeric and punctuation characters. 1 to 128 in length.",
        )


def content_deduplication_id(body: str) -> str:
    """ContentBasedDeduplication: SHA-256 of the body only (not the attributes), lowercase hex."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def check_send_parameters(
    *,
    fifo_queue: bool,
    content_based_deduplication: bool,
    body: str,
    message_group_id: str | None,
    message_deduplication_id: str | None,
    in_batch: bool = False,
) -> tuple[str | None, str | None]:
    """Check which FIFO parameters a send carries; return the (group id, deduplication id) to store.

    FIFO: MessageGroupId is required; a deduplication id is required unless ContentBasedDeduplication is on
    (an explicit id wins over the content hash). Standard: MessageDeduplicationId is rejected, MessageGroupId
    is allowed (fair queues) but still validated.
    """
    if fifo_queue:
        if not message_group_id:
            # AWS-recorded: a single send reports MissingParameter, a batch entry InvalidParameterValue.
            code = "InvalidParameterValueException" if in_batch else "MissingRequiredParameterException"
            raise AwsError(code, "The request must contain the parameter MessageGroupId.")
        validate_fifo_id(message_group_id, "MessageGroupId")
        if message_deduplication_id:
            validate_fifo_id(message_deduplication_id, "MessageDeduplicationId")
            return message_group_id, message_deduplication_id
        if not content_based_deduplication:
            raise AwsError(
                "InvalidParameterValueException",
                "The queue should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly",
            )
        return message_group_id, content_deduplication_id(body)
    if message_deduplication_id:
        if in_batch:
            message = "The request include parameter that is not valid for this queue type"
        else:
            message = (
                "The request include parameter MessageDeduplicationId which is not valid for this queue type"
            )
        raise AwsError("InvalidParameterValueException", message)
    if message_group_id is not None:
        validate_fifo_id(message_group_id, "MessageGroupId")
    return message_group_id, None


def deduplication_key(scope: str, message_group_id: str, deduplication_id: str) -> str:
    """The key a deduplication id is remembered under: per queue, or per message group."""
    if scope == "messageGroup":
        return f"{len(message_group_id)}:{message_group_id}:{deduplication_id}"
    return deduplication_id


def within_window(first_sent_at: float, now: float) -> bool:
    """A send is a duplicate while now is less than 5 minutes after the first accepted send."""
    return now < first_sent_at + DEDUPLICATION_WINDOW_SECONDS


@dataclass(frozen=True, slots=True)
class DeduplicationRecord:
    """The first accepted send for a deduplication key: what a duplicate send returns."""

    message_id: str
    sequence_number: str
    sent_at: float


class DeduplicationWindow:
    """Remembers accepted sends and decides whether a new one is a duplicate (an in-memory reference model;
    storage keeps the same records durably under `deduplication_key`)."""

    def __init__(self) -> None:
        self._records: dict[str, DeduplicationRecord] = {}

    def find_duplicate(
        self, scope: str, message_group_id: str, deduplication_id: str, now: float
    ) -> DeduplicationRecord | None:
        record = self._records.get(deduplication_key(scope, message_group_id, deduplication_id))
        if record is not None and within_window(record.sent_at, now):
            return record
        return None

    def accept(
        self, scope: str, message_group_id: str, deduplication_id: str, record: DeduplicationRecord
    ) -> DeduplicationRecord:
        """Record a send unless it is a duplicate; return the record the caller should answer with."""
        duplicate = self.find_duplicate(scope, message_group_id, deduplication_id, record.sent_at)
        if duplicate is not None:
            return duplicate
        self._records[deduplication_key(scope, message_group_id, deduplication_id)] = record
        return record

    def expire(self, now: float) -> int:
        """Forget records whose window has closed; return how many were dropped."""
        stale = [key for key, record in self._records.items() if not within_window(record.sent_at, now)]
        for key in stale:
            del self._records[key]
        return len(stale)

    def __len__(self) -> int:
        return len(self._records)


def next_sequence_number(previous: str | None, now: float) -> str:
    """A FIFO SequenceNumber: a decimal string of 20 or more digits that only grows (18849496460467696128).

    Based on the clock so that numbers keep growing across restarts, and never below previous + 1.
    """
    candidate = int(now * 1000) << _SEQUENCE_SHIFT
    if previous is not None:
        candidate = max(candidate, int(previous) + 1)
    return f"{candidate:020d}"
