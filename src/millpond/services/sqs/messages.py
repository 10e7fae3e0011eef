"""What makes a message sendable: body characters, size, per-message delay, system attributes, and the order
in which SendMessage checks them (`validate_send`).

The size counted against the queue's MaximumMessageSize is the UTF-8 body plus, for every message attribute,
its name, data type and value bytes; message system attributes do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from millpond.errors import AwsError
from millpond.services.sqs import fifo
from millpond.services.sqs.md5 import md5_of_attributes, md5_of_body, md5_of_system_attributes
from millpond.services.sqs.message_attributes import (
    ALLOWED_CHARACTERS_TEXT,
    MessageAttribute,
    attributes_size,
    character_reference,
    first_invalid_character,
    validate_attribute,
    validate_message_attributes,
)

MAX_DELAY_SECONDS = 900
SYSTEM_ATTRIBUTES_FOR_SEND = ("AWSTraceHeader",)


def require_body(body: str | None) -> str:
    """An empty body is reported as a missing one."""
    if not body:
        raise AwsError(
            "MissingRequiredParameterException", "The request must contain the parameter MessageBody."
        )
    return body


def check_body_characters(body: str) -> None:
    """Only XML-safe characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF."""
    bad = first_invalid_character(body)
    if bad is not None:
        # AWS-recorded in production: "Invalid binary character '#xFFFF' was found in the message body, ..."
        raise AwsError(
            "InvalidMessageContents",
            f"Invalid binary character '{character_reference(bad)}' was found in the message body, "
            f"the set of allowed characters is {ALLOWED_CHARACTERS_TEXT}.",
        )


def validate_body(body: str | None) -> str:
    """A body must be present, non-empty and made of XML-safe characters."""
    checked = require_body(body)
    check_body_characters(checked)
    return checked


def message_size(body: str, attributes: Mapping[str, MessageAttribute]) -> int:
    return len(body.encode("utf-8")) + attributes_size(attributes)


def check_message_size(size: int, maximum_message_size: int) -> None:
    if size > maximum_message_size:
        raise AwsError(
            "InvalidParameterValueException",
            "One or more parameters are invalid. "
            f"Reason: Message must be shorter than {maximum_message_size} bytes.",
        )


def validate_delay_seconds(delay_seconds: int | None, *, fifo_queue: bool) -> int | None:
    """Per-message DelaySeconds: 0-900 on standard queues; on FIFO queues only an explicit 0 is accepted."""
    if delay_seconds is None:
        return None
    if fifo_queue:
        if delay_seconds != 0:  # AWS-validated: DelaySeconds=0 works on FIFO queues
            raise AwsError(
                "InvalidParameterValueException",
                f"Value {delay_seconds} for parameter DelaySeconds is invalid. "
                "Reason: The request include parameter that is not valid for this queue type.",
            )
        return None
    if not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
        raise AwsError(
            "InvalidParameterValueException",
            f"Value {delay_seconds} for parameter DelaySeconds is invalid. "
            "Reason: DelaySeconds must be >= 0 and <= 900.",
        )
    return delay_seconds


def validate_system_attributes(raw: Mapping[str, Mapping[str, Any]] | None) -> dict[str, MessageAttribute]:
    """MessageSystemAttributes on send: only AWSTraceHeader, of type String."""
    if not raw:
        return {}
    for name in raw:
        if name not in SYSTEM_ATTRIBUTES_FOR_SEND:
            raise AwsError(
                "InvalidParameterValueException", f"Message system attribute name '{name}' is invalid."
            )
    validated: dict[str, MessageAttribute] = {}
    for name, value in raw.items():
        value = value or {}
        if value.get("DataType") not in (None, "", "String"):
            raise AwsError(
                "InvalidParameterValueException",
                f"The message system attribute '{name}' is reserved for AWS X-Ray trace header. "
                "The type must be 'String'.",
            )
        # AWS also checks the X-Ray header format; any non-empty string is accepted here.
        validated[name] = validate_attribute(name, value, kind="system")
    return validated


@dataclass(frozen=True, slots=True)
class QueueSendRules:
    """The queue attributes that decide whether a send is valid (see attributes.QueueConfig.send_rules)."""

    fifo: bool = False
    content_based_deduplication: bool = False
    maximum_message_size: int = 1_048_576
    delay_seconds: int = 0


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A validated message, ready to be stored: everything SendMessage's result and storage need."""

    body: str
    attributes: dict[str, MessageAttribute] = field(default_factory=dict)
    system_attributes: dict[str, MessageAttribute] = field(default_factory=dict)
    delay_seconds: int = 0
    message_group_id: str | None = None
    message_deduplication_id: str | None = None
    size: int = 0

    @property
    def md5_of_body(self) -> str:
        return md5_of_body(self.body)

    @property
    def md5_of_message_attributes(self) -> str | None:
        return md5_of_attributes(self.attributes)

    @property
    def md5_of_message_system_attributes(self) -> str | None:
        return md5_of_system_attributes(self.system_attributes)


def validate_send(
    queue: QueueSendRules,
    *,
    body: str | None,
    delay_seconds: int | None = None,
    message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
    message_system_attributes: Mapping[str, Mapping[str, Any]] | None = None,
    message_group_id: str | None = None,
    message_deduplication_id: str | None = None,
    in_batch: bool = False,
) -> OutgoingMessage:
    """Validate one SendMessage (or one SendMessageBatch entry) in the order AWS reports problems.

    Order: body present, FIFO parameters, DelaySeconds, body characters, message attributes, size, system
    attributes. The order between body characters and the FIFO checks is not known; this is a best guess.
    """
    body = require_body(body)
    group_id, dedup_id = fifo.check_send_parameters(
        fifo_queue=queue.fifo,
        content_based_deduplication=queue.content_based_deduplication,
        body=body,
        message_group_id=message_group_id,
        message_deduplication_id=message_deduplication_id,
        in_batch=in_batch,
    )
    delay = validate_delay_seconds(delay_seconds, fifo_queue=queue.fifo)
    check_body_characters(body)
    attributes = validate_message_attributes(message_attributes)
    size = message_size(body, attributes)
    check_message_size(size, queue.maximum_message_size)
    system_attributes = validate_system_attributes(message_system_attributes)
    return OutgoingMessage(
        body=body,
        attributes=attributes,
        system_attributes=system_attributes,
        # FIFO queues always use the queue's delay; standard ones use the message's when given.
        delay_seconds=queue.delay_seconds if delay is None else delay,
        message_group_id=group_id,
        message_deduplication_id=dedup_id,
        size=size,
    )
