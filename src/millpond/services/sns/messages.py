"""Published messages: validating Publish's input (message, subject, attributes, FIFO ids), the stored
message, and the shapes it takes on delivery (the SQS/HTTP JSON envelope, the Lambda event record).

The envelope's field order is AWS's: Type, MessageId, [SequenceNumber], TopicArn, [Subject], Message,
Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, [MessageAttributes].
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from millpond.services.sns.common import invalid, invalid_value
from millpond.services.sns.repository import Record

MAX_MESSAGE_BYTES = 262_144  # message + attributes
MAX_SUBJECT = 100
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
GROUP_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
DEDUP_WINDOW = 300.0  # FIFO deduplication: five minutes
CERT_PATH = "/_millpond/sns/SimpleNotificationService.pem"


def iso_ms(seconds: float) -> str:
    """AWS's Timestamp: ISO 8601, milliseconds, Z."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def attributes_size(attributes: dict[str, dict[str, Any]]) -> int:
    size = 0
    for name, attribute in attributes.items():
        size += len(name.encode()) + len(str(attribute.get("DataType", "")).encode())
        if attribute.get("StringValue") is not None:
            size += len(str(attribute["StringValue"]).encode())
        elif attribute.get("BinaryValue") is not None:
            size += len(_binary(attribute["BinaryValue"]))
    return size


def _binary(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return base64.b64decode(str(value))


def check_attributes(attributes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Message attributes as stored ({DataType, StringValue} or {DataType, BinaryValue as base64})."""
    checked: dict[str, dict[str, Any]] = {}
    for name, attribute in attributes.items():
        if (
            not ATTRIBUTE_NAME.match(name)
            or name.startswith((".", "AWS.", "Amazon."))
            or name.endswith(".")
            or ".." in name
        ):
            raise invalid_value(f"The message attribute name '{name}' is invalid.")
        data_type = str(attribute.get("DataType") or "")
        string, binary = attribute.get("StringValue"), attribute.get("BinaryValue")
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary"):
            raise invalid_value(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String."
            )
        if base == "Binary":
            if binary is None or not _binary(binary):
                raise invalid_value(
                    f"The message attribute '{name}' with type 'Binary' must use field 'Binary'."
                )
            checked[name] = {"DataType": data_type, "BinaryValue": base64.b64encode(_binary(binary)).decode()}
            continue
        if string is None or string == "":
            raise invalid_value(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{base}'."
            )
        if base == "Number":
            try:
                float(string)
            except ValueError:
                raise invalid_value(f"Could not cast message attribute '{name}' value to number.") from None
        if data_type == "String.Array":
            try:
                parsed = json.loads(string)
            except (ValueError, RecursionError):
                parsed = None
            if not isinstance(parsed, list) or any(isinstance(v, dict | list) for v in parsed):
                raise invalid(f"The message attribute '{name}' has an invalid value for String.Array type.")
        checked[name] = {"DataType": data_type, "StringValue": str(string)}
    return checked


def check_message(
    params: dict[str, Any], fifo: bool, content_dedup: bool
) -> tuple[str, str | None, str | None, str | None]:
    """(message, subject, group id, dedup id) of a Publish or batch entry, validated as AWS does."""
    message = params.get("Message")
    if message is None or message == "":
        raise invalid("Empty message")
    message = str(message)
    structure = params.get("MessageStructure")
    if structure is not None:
        if structure != "json":
            raise invalid("MessageStructure")
        try:
            parsed = json.loads(message)
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            raise invalid("Message Structure - JSON message body failed to parse")
        if "default" not in parsed:
            raise invalid("Message Structure - No default entry in JSON message body")
    subject = params.get("Subject")
    if subject is not None:
        subject = str(subject)
        if not subject or len(subject) > MAX_SUBJECT or any(ord(c) < 32 for c in subject):
            raise invalid("Subject")
    group, dedup = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
    if fifo:
        if not group:
            raise invalid("The MessageGroupId parameter is required for FIFO topics")
        if not GROUP_ID.match(str(group)):
            raise invalid("MessageGroupId")
        if dedup is None and not content_dedup:
            raise invalid(
                "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                "provided explicitly"
            )
        if dedup is not None and not GROUP_ID.match(str(dedup)):
            raise invalid("MessageDeduplicationId")
    else:
        if dedup is not None:
            raise invalid(
                "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that "
                "is not valid for this topic type"
            )
    return message, subject, (str(group) if group else None), (str(dedup) if dedup is not None else None)


def content_dedup_id(message: str) -> str:
    return hashlib.sha256(message.encode()).hexdigest()


def for_protocol(message: Record, protocol: str) -> str:
    """The message text a subscription of `protocol` gets (MessageStructure json picks per protocol)."""
    text = str(message["Message"])
    if message.get("MessageStructure") != "json":
        return text
    parsed = json.loads(text)
    return str(parsed.get(protocol, parsed["default"]))


# -------------------------------------------------------------------------------------------- envelopes


def unsubscribe_url(endpoint: str, subscription_arn: str) -> str:
    return f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe=':')}"


def subscribe_url(endpoint: str, topic_arn: str, token: str) -> str:
    return f"{endpoint}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe=':')}&Token={token}"


def string_to_sign(fields: dict[str, Any]) -> str:
    """AWS's canonical string: the signed fields in order, "Name\\nvalue\\n" each."""
    names: tuple[str, ...]
    if fields["Type"] == "Notification":
        names = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    else:
        names = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    return "".join(f"{name}\n{fields[name]}\n" for name in names if fields.get(name) is not None)


def envelope(message: Record, subscription: Record, signer: Any) -> dict[str, Any]:
    """The JSON document SQS and HTTP subscribers receive (fields in AWS's order)."""
    endpoint = message["Endpoint"]
    kind = message.get("Type", "Notification")
    fields: dict[str, Any] = {"Type": kind, "MessageId": message["MessageId"]}
    if kind != "Notification":
        fields["Token"] = message["Token"]
    if message.get("SequenceNumber") is not None:
        fields["SequenceNumber"] = f"{message['SequenceNumber']:020d}"
    fields["TopicArn"] = message["TopicArn"]
    if message.get("Subject") is not None and kind == "Notification":
        fields["Subject"] = message["Subject"]
    fields["Message"] = (
        for_protocol(message, subscription["Protocol"]) if kind == "Notification" else message["Message"]
    )
    if kind != "Notification":
        fields["SubscribeURL"] = subscribe_url(endpoint, message["TopicArn"], message["Token"])
    fields["Timestamp"] = iso_ms(message["Timestamp"])
    version = str(message.get("SignatureVersion") or "1")
    fields["SignatureVersion"] = version
    fields["Signature"] = signer.sign(string_to_sign(fields), version)
    fields["SigningCertURL"] = endpoint + CERT_PATH
    if kind == "Notification":
        fields["UnsubscribeURL"] = unsubscribe_url(endpoint, subscription["SubscriptionArn"])
        attributes = message.get("MessageAttributes") or {}
        if attributes:
            fields["MessageAttributes"] = {
                name: {"Type": a["DataType"], "Value": a.get("StringValue", a.get("BinaryValue"))}
                for name, a in attributes.items()
            }
    return fields


def envelope_json(message: Record, subscription: Record, signer: Any) -> str:
    """The envelope as AWS writes it: one field a line, two-space indent, " : " between names and values,
    each message attribute compact on a line of its own."""
    lines = []
    for key, value in envelope(message, subscription, signer).items():
        if key == "MessageAttributes":
            inner = ",\n".join(
                f"    {_text(name)} : {json.dumps(attribute, separators=(',', ':'), ensure_ascii=False)}"
                for name, attribute in value.items()
            )
            lines.append(f'  "MessageAttributes" : {{\n{inner}\n  }}')
        else:
            lines.append(f"  {_text(key)} : {_text(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def lambda_event(message: Record, subscription: Record, signer: Any) -> dict[str, Any]:
    """The event a Lambda subscriber is invoked with (note SigningCertUrl/UnsubscribeUrl, Subject null)."""
    fields = envelope(message, subscription, signer)
    sns: dict[str, Any] = {
        "Type": fields["Type"],
        "MessageId": fields["MessageId"],
        "TopicArn": fields["TopicArn"],
        "Subject": fields.get("Subject"),
        "Message": fields["Message"],
        "Timestamp": fields["Timestamp"],
        "SignatureVersion": fields["SignatureVersion"],
        "Signature": fields["Signature"],
        "SigningCertUrl": fields["SigningCertURL"],
        "UnsubscribeUrl": fields["UnsubscribeURL"],
        "MessageAttributes": fields.get("MessageAttributes", {}),
    }
    if "SequenceNumber" in fields:
        sns["SequenceNumber"] = fields["SequenceNumber"]
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription["SubscriptionArn"],
                "Sns": sns,
            }
        ]
    }
