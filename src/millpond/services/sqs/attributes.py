"""Queue attributes: names, defaults, ranges and validation for CreateQueue, SetQueueAttributes and
GetQueueAttributes, and the comparison behind CreateQueue's idempotency.

Attributes are stored as AWS returns them: a dict of strings holding only the settable attributes that are
set (defaults included); the computed ones (counts, timestamps, QueueArn) come from the caller when read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from millpond.errors import AwsError
from millpond.services.sqs.messages import QueueSendRules
from millpond.services.sqs.redrive import (
    RedriveAllowPolicy,
    RedrivePolicy,
    parse_redrive_allow_policy,
    parse_redrive_policy,
)

ALL = "All"
# The QueueAttributeName enum of the current model, without "All", in model order.
QUEUE_ATTRIBUTE_NAMES = (
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
)
COMPUTED_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
)
SETTABLE_ATTRIBUTES = tuple(name for name in QUEUE_ATTRIBUTE_NAMES if name not in COMPUTED_ATTRIBUTES)
FIFO_ONLY_ATTRIBUTES = ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
CREATE_ONLY_ATTRIBUTES = ("FifoQueue",)
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
BOOLEAN_ATTRIBUTES = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
ENUM_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
# Setting these to "" removes them.
REMOVABLE_ATTRIBUTES = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")

STANDARD_DEFAULTS: dict[str, str] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",  # 1 MiB since 2025 (was 256 KiB)
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS: dict[str, str] = {
    **STANDARD_DEFAULTS,
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
KMS_DATA_KEY_REUSE_DEFAULT = "300"

_INTEGER = re.compile(r"-?\d+")
_SSE_CONFLICT = (
    "You can use one type of server-side encryption (SSE) at one time. "
    "You can either enable KMS SSE or SQS SSE."
)


def _unknown(name: str) -> AwsError:
    return AwsError("InvalidAttributeName", f"Unknown Attribute {name}.")


def _invalid_value(name: str, reason: str | None = None) -> AwsError:
    message = f"Invalid value for the parameter {name}."
    return AwsError("InvalidAttributeValue", f"{message} Reason: {reason}" if reason else message)


def _check_names(attributes: Mapping[str, str], *, fifo: bool) -> None:
    for name in attributes:
        if name not in SETTABLE_ATTRIBUTES:
            raise _unknown(name)
        if not fifo and name in FIFO_ONLY_ATTRIBUTES:
            if name in ("DeduplicationScope", "FifoThroughputLimit"):
                raise AwsError(
                    "InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true."
                )
            raise _unknown(name)  # AWS-recorded for FifoQueue and ContentBasedDeduplication


def normalize_value(name: str, value: str) -> str:
    """Validate one settable attribute's value; return it as stored ("" means: remove the attribute)."""
    if name in INTEGER_RANGES:
        low, high = INTEGER_RANGES[name]
        # AWS rejects "", " 6", "6.5" and out-of-range values alike.
        if not _INTEGER.fullmatch(value) or not low <= int(value) <= high:
            raise _invalid_value(name)
        return str(int(value))
    if name in BOOLEAN_ATTRIBUTES:
        if value.lower() not in ("true", "false"):
            raise _invalid_value(name)
        return value.lower()
    if name in ENUM_ATTRIBUTES:
        if value not in ENUM_ATTRIBUTES[name]:
            raise _invalid_value(name)
        return value
    if name == "RedrivePolicy":
        policy = parse_redrive_policy(value)
        return policy.to_json() if policy else ""
    if name == "RedriveAllowPolicy":
        allow = parse_redrive_allow_policy(value)
        return allow.to_json() if allow else ""
    if name == "Policy" and value != "":
        try:
            document = json.loads(value)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise _invalid_value(name)
    return value  # Policy (kept as sent) and KmsMasterKeyId


def _normalize_all(attributes: Mapping[str, str]) -> dict[str, str]:
    normalized = {name: normalize_value(name, value) for name, value in attributes.items()}
    if normalized.get("KmsMasterKeyId") and normalized.get("SqsManagedSseEnabled") == "true":
        raise AwsError("InvalidAttributeName", _SSE_CONFLICT)  # AWS-recorded
    return normalized


def validate_create_attributes(attributes: Mapping[str, str] | None, *, fifo: bool) -> dict[str, str]:
    """CreateQueue's Attributes, validated and normalized (queue type already decided by names.py)."""
    attributes = attributes or {}
    _check_names(attributes, fifo=fifo)
    return {name: value for name, value in _normalize_all(attributes).items() if value != ""}


def validate_set_attributes(attributes: Mapping[str, str] | None, *, fifo: bool) -> dict[str, str]:
    """SetQueueAttributes' Attributes, validated and normalized; "" values mean removal."""
    attributes = attributes or {}
    _check_names(attributes, fifo=fifo)
    fifo_value = attributes.get("FifoQueue")
    if fifo_value is not None and fifo_value.lower() != "true":
        raise _invalid_value("FifoQueue", "Modifying queue type is not supported.")  # AWS-recorded
    return _normalize_all(attributes)


def _check_throughput(stored: Mapping[str, str]) -> None:
    if (
        stored.get("FifoThroughputLimit") == "perMessageGroupId"
        and stored.get("DeduplicationScope") != "messageGroup"
    ):
        # The rule is AWS's documented one; the wording of its error is a best guess.
        raise _invalid_value(
            "FifoThroughputLimit",
            "The perMessageGroupId value is allowed only when the value for DeduplicationScope is "
            "messageGroup.",
        )


def apply_changes(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """The stored attributes after applying validated changes, with AWS's server-side-encryption coupling."""
    stored = dict(current)
    for name, value in changes.items():
        if name in CREATE_ONLY_ATTRIBUTES:
            continue
        if value == "":
            stored.pop(name, None)
            if name == "KmsMasterKeyId":
                stored.pop("KmsDataKeyReusePeriodSeconds", None)
            continue
        stored[name] = value
    if changes.get("KmsMasterKeyId"):
        # AWS-recorded: SSE-KMS turns SSE-SQS off and shows the default data key reuse period.
        stored["SqsManagedSseEnabled"] = "false"
        stored.setdefault("KmsDataKeyReusePeriodSeconds", KMS_DATA_KEY_REUSE_DEFAULT)
    elif changes.get("SqsManagedSseEnabled") == "true":
        stored.pop("KmsMasterKeyId", None)
        stored.pop("KmsDataKeyReusePeriodSeconds", None)
    _check_throughput(stored)
    return stored


def initial_attributes(requested: Mapping[str, str], *, fifo: bool) -> dict[str, str]:
    """The attributes a new queue starts with: defaults, then the validated CreateQueue attributes."""
    return apply_changes(FIFO_DEFAULTS if fifo else STANDARD_DEFAULTS, requested)


def check_idempotent_create(current: Mapping[str, str], requested: Mapping[str, str]) -> None:
    """CreateQueue on an existing name succeeds only if every requested attribute equals the queue's current
    value (AWS-validated: no attributes always succeeds; the comparison is against values set since)."""
    for name, value in requested.items():
        if current.get(name) != value:
            raise AwsError(
                "QueueNameExists",
                f"A queue already exists with the same name and a different value for attribute {name}",
            )


def resolve_attribute_names(names: Iterable[str] | None, *, fifo: bool) -> list[str]:
    """GetQueueAttributes' AttributeNames: none means none, "All" means each attribute of the queue's type."""
    requested = list(names or ())
    for name in requested:
        if name != ALL and name not in QUEUE_ATTRIBUTE_NAMES:
            raise _unknown(name)
        if not fifo and name in FIFO_ONLY_ATTRIBUTES:
            raise _unknown(
                name
            )  # a standard queue has no FIFO attributes (seen from AWS by a client's tests)
    if ALL in requested:
        requested = [name for name in QUEUE_ATTRIBUTE_NAMES if fifo or name not in FIFO_ONLY_ATTRIBUTES]
    return list(dict.fromkeys(requested))


def computed_attributes(
    *,
    queue_arn: str,
    created_timestamp: float,
    last_modified_timestamp: float,
    visible: int,
    not_visible: int,
    delayed: int,
) -> dict[str, str]:
    """The read-only attributes; timestamps are whole epoch seconds."""
    return {
        "ApproximateNumberOfMessages": str(visible),
        "ApproximateNumberOfMessagesNotVisible": str(not_visible),
        "ApproximateNumberOfMessagesDelayed": str(delayed),
        "CreatedTimestamp": str(int(created_timestamp)),
        "LastModifiedTimestamp": str(int(last_modified_timestamp)),
        "QueueArn": queue_arn,
    }


def select_attributes(
    stored: Mapping[str, str], computed: Mapping[str, str], names: Iterable[str]
) -> dict[str, str]:
    """The GetQueueAttributes result for resolved names: unset attributes (Policy, KMS...) are left out."""
    values = {**stored, **computed}
    return {name: values[name] for name in names if name in values}


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """Typed view of a queue's stored attributes, for the rules that act on them."""

    fifo: bool
    visibility_timeout: int
    delay_seconds: int
    maximum_message_size: int
    message_retention_period: int
    receive_message_wait_time_seconds: int
    content_based_deduplication: bool
    deduplication_scope: str
    fifo_throughput_limit: str
    redrive_policy: RedrivePolicy | None
    redrive_allow_policy: RedriveAllowPolicy | None

    @classmethod
    def from_attributes(cls, stored: Mapping[str, str]) -> QueueConfig:
        fifo = stored.get("FifoQueue") == "true"
        values = {**(FIFO_DEFAULTS if fifo else STANDARD_DEFAULTS), **stored}
        redrive = values.get("RedrivePolicy")
        allow = values.get("RedriveAllowPolicy")
        return cls(
            fifo=fifo,
            visibility_timeout=int(values["VisibilityTimeout"]),
            delay_seconds=int(values["DelaySeconds"]),
            maximum_message_size=int(values["MaximumMessageSize"]),
            message_retention_period=int(values["MessageRetentionPeriod"]),
            receive_message_wait_time_seconds=int(values["ReceiveMessageWaitTimeSeconds"]),
            content_based_deduplication=values.get("ContentBasedDeduplication") == "true",
            deduplication_scope=values.get("DeduplicationScope", "queue"),
            fifo_throughput_limit=values.get("FifoThroughputLimit", "perQueue"),
            redrive_policy=parse_redrive_policy(redrive) if redrive else None,
            redrive_allow_policy=parse_redrive_allow_policy(allow) if allow else None,
        )

    def send_rules(self) -> QueueSendRules:
        return QueueSendRules(
            fifo=self.fifo,
            content_based_deduplication=self.content_based_deduplication,
            maximum_message_size=self.maximum_message_size,
            delay_seconds=self.delay_seconds,
        )
