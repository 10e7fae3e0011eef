"""SNS delivery rules without a server: the HTTP retry schedule, message checks, the envelope and the
string AWS signs, the Lambda event shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from millpond.errors import AwsError
from millpond.services.sns import messages
from millpond.services.sns.common import DEFAULT_DELIVERY_POLICY, check_json, check_retry_policy, statements
from millpond.services.sns.delivery import retry_delay

DEFAULT = DEFAULT_DELIVERY_POLICY["http"]["defaultHealthyRetryPolicy"]


def test_default_policy_retries_three_times_twenty_seconds_apart() -> None:
    assert [retry_delay(DEFAULT, n) for n in range(1, 5)] == [20, 20, 20, None]


def test_policy_phases() -> None:
    policy = {
        "numRetries": 6, "numNoDelayRetries": 1, "numMinDelayRetries": 1, "numMaxDelayRetries": 1,
        "minDelayTarget": 10, "maxDelayTarget": 40, "backoffFunction": "linear",
    }  # fmt: skip
    assert [retry_delay(policy, n) for n in range(1, 8)] == [0, 10, 10, 25, 40, 40, None]


class FakeSigner:
    def sign(self, text: str, version: str = "1") -> str:
        return f"signed:{version}:{len(text)}"


MESSAGE: dict[str, Any] = {
    "Type": "Notification",
    "MessageId": "id-1",
    "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
    "Message": "body",
    "Subject": None,
    "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}},
    "Timestamp": 1_700_000_000.25,
    "Endpoint": "http://localhost:4566",
    "SignatureVersion": "1",
}
SUBSCRIPTION = {"SubscriptionArn": "arn:aws:sns:us-east-1:000000000000:t:s", "Protocol": "sqs"}


def test_envelope_fields_and_order() -> None:
    envelope = messages.envelope(MESSAGE, SUBSCRIPTION, FakeSigner())
    assert list(envelope) == [
        "Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature",
        "SigningCertURL", "UnsubscribeURL", "MessageAttributes",
    ]  # fmt: skip
    assert envelope["Timestamp"] == "2023-11-14T22:13:20.250Z"
    assert envelope["MessageAttributes"] == {"a": {"Type": "String", "Value": "x"}}
    text = messages.envelope_json(MESSAGE, SUBSCRIPTION, FakeSigner())
    assert text.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "id-1",')
    assert text.endswith(',\n  "MessageAttributes" : {\n    "a" : {"Type":"String","Value":"x"}\n  }\n}')
    assert json.loads(text) == envelope


def test_string_to_sign_skips_a_missing_subject() -> None:
    fields = {"Type": "Notification", "MessageId": "m", "TopicArn": "t", "Message": "x", "Timestamp": "ts"}
    assert (
        messages.string_to_sign(fields)
        == "Message\nx\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"
    )
    assert "Subject\ns\n" in messages.string_to_sign({**fields, "Subject": "s"})


def test_lambda_event_shape() -> None:
    event = messages.lambda_event(MESSAGE, {**SUBSCRIPTION, "Protocol": "lambda"}, FakeSigner())
    (record,) = event["Records"]
    assert (record["EventSource"], record["EventVersion"]) == ("aws:sns", "1.0")
    assert record["Sns"]["Subject"] is None and "SigningCertUrl" in record["Sns"]


def test_message_structure_json_picks_the_protocol() -> None:
    structured = {**MESSAGE, "MessageStructure": "json", "Message": json.dumps({"default": "d", "sqs": "q"})}
    assert messages.for_protocol(structured, "sqs") == "q"
    assert messages.for_protocol(structured, "lambda") == "d"
    with pytest.raises(AwsError, match="No default entry"):
        messages.check_message({"Message": '{"sqs": "q"}', "MessageStructure": "json"}, False, False)


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"a": {"DataType": "Weird", "StringValue": "x"}}, "invalid message attribute type"),
        ({"a": {"DataType": "String", "StringValue": ""}}, "must contain non-empty message attribute value"),
        ({"a": {"DataType": "Number", "StringValue": "ten"}}, "Could not cast"),
        ({"AWS.x": {"DataType": "String", "StringValue": "x"}}, "name 'AWS.x' is invalid"),
        ({"a": {"DataType": "String.Array", "StringValue": "[{}]"}}, "String.Array"),
    ],
)
def test_attribute_checks(attributes: dict[str, Any], reason: str) -> None:
    with pytest.raises(AwsError) as raised:
        messages.check_attributes(attributes)
    assert reason in raised.value.message


def test_binary_attributes_are_kept_as_base64() -> None:
    checked = messages.check_attributes({"b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
    assert checked == {"b": {"DataType": "Binary", "BinaryValue": "AP8="}}


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ({"numRetries": "3"}, "numRetries must be a non-negative whole number"),
        ({"numRetries": 101}, "numRetries must be at most 100"),
        ({"minDelayTarget": 30, "maxDelayTarget": 10}, "1 <= min <= max <= 3600"),
        ({"backoffFunction": "random"}, "backoffFunction must be one of"),
        ([1, 2], "must be an object"),
    ],
)
def test_retry_policy_checks(policy: Any, reason: str) -> None:
    with pytest.raises(AwsError) as raised:
        check_retry_policy(policy)
    assert reason in raised.value.message


def test_policy_attributes_must_be_json_objects() -> None:
    with pytest.raises(AwsError, match="must be a JSON object"):
        check_json("Policy", "[1]")
    with pytest.raises(AwsError, match="failed to parse JSON"):
        check_json("Policy", "[" * 100_000)
    assert statements({"Statement": {"Sid": "one"}}) == [{"Sid": "one"}]
