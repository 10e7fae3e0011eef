"""ReceiveMessage's parameters: MaxNumberOfMessages, WaitTimeSeconds, VisibilityTimeout,
ReceiveRequestAttemptId, and which message system attributes to return.

Out-of-range values are InvalidParameterValue with AWS's texts; absent values fall back to 1 message and the
queue's ReceiveMessageWaitTimeSeconds and VisibilityTimeout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from millpond.errors import AwsError
from millpond.services.sqs.fifo import is_valid_fifo_id

MAX_MESSAGES_RANGE = (1, 10)
WAIT_TIME_RANGE = (0, 20)
VISIBILITY_TIMEOUT_RANGE = (0, 43_200)
# The MessageSystemAttributeName enum of the current model, without "All".
MESSAGE_SYSTEM_ATTRIBUTE_NAMES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def _out_of_range(parameter: str, value: int, reason: str) -> AwsError:
    return AwsError(
        "InvalidParameterValueException",
        f"Value {value} for parameter {parameter} is invalid. Reason: {reason}",
    )


@dataclass(frozen=True, slots=True)
class ReceiveParams:
    max_number_of_messages: int
    wait_time_seconds: int
    visibility_timeout: int
    receive_request_attempt_id: str | None


def validate_receive_params(
    *,
    max_number_of_messages: int | None,
    wait_time_seconds: int | None,
    visibility_timeout: int | None,
    receive_request_attempt_id: str | None = None,
    queue_wait_time_seconds: int,
    queue_visibility_timeout: int,
    fifo_queue: bool,
) -> ReceiveParams:
    """Validate ReceiveMessage's numbers (in this order; AWS's order among them is not known)."""
    count = 1 if max_number_of_messages is None else max_number_of_messages
    low, high = MAX_MESSAGES_RANGE
    if not low <= count <= high:
        raise _out_of_range("MaxNumberOfMessages", count, "Must be between 1 and 10, if provided.")
    wait = queue_wait_time_seconds if wait_time_seconds is None else wait_time_seconds
    low, high = WAIT_TIME_RANGE
    if not low <= wait <= high:
        raise _out_of_range("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
    visibility = queue_visibility_timeout if visibility_timeout is None else visibility_timeout
    low, high = VISIBILITY_TIMEOUT_RANGE
    if not low <= visibility <= high:
        raise _out_of_range("VisibilityTimeout", visibility, "Must be >= 0 and <= 43200, if provided.")
    attempt_id = receive_request_attempt_id if fifo_queue else None  # it only means something on FIFO queues
    if attempt_id is not None and not is_valid_fifo_id(attempt_id):
        # Wording modelled on MessageGroupId's; the documented rule (1-128 alphanumeric/punctuation) is alike.
        raise AwsError(
            "InvalidParameterValueException",
            f"Value {attempt_id} for parameter ReceiveRequestAttemptId is invalid. "
            "Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. "
            "1 to 128 in length.",
        )
    return ReceiveParams(
        max_number_of_messages=count,
        wait_time_seconds=wait,
        visibility_timeout=visibility,
        receive_request_attempt_id=attempt_id,
    )


def resolve_system_attribute_names(
    attribute_names: Iterable[str] | None, message_system_attribute_names: Iterable[str] | None
) -> tuple[str, ...]:
    """The system attributes to return: the union of the deprecated AttributeNames and
    MessageSystemAttributeNames; "All" means every one. Unknown names select nothing (not an error)."""
    requested = {*(attribute_names or ()), *(message_system_attribute_names or ())}
    if "All" in requested:
        return MESSAGE_SYSTEM_ATTRIBUTE_NAMES
    return tuple(name for name in MESSAGE_SYSTEM_ATTRIBUTE_NAMES if name in requested)
