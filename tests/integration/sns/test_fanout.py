"""One topic, three SQS subscribers (raw, attribute filter, body filter), ten messages: each queue holds
exactly what its filter passes, in AWS's envelope (checked field by field, signature verified)."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from millpond.services.sns.messages import string_to_sign
from tests.integration.sns.conftest import bodies, drain, make_queue, unique
from tests.integration.sqs.md5_reference import md5_of_message_attributes
from tests.support.server import ServerProcess

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ENVELOPE_KEYS = [
    "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature",
    "SigningCertURL", "UnsubscribeURL", "MessageAttributes",
]  # fmt: skip


def verify(envelope: dict[str, Any]) -> None:
    with urllib.request.urlopen(envelope["SigningCertURL"], timeout=5) as reply:
        certificate = x509.load_pem_x509_certificate(reply.read())
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    digest = hashes.SHA256() if envelope["SignatureVersion"] == "2" else hashes.SHA1()
    key.verify(
        base64.b64decode(envelope["Signature"]), string_to_sign(envelope).encode(), padding.PKCS1v15(), digest
    )


def publish_ten(server: ServerProcess, topic: str) -> list[str]:
    sns = server.client("sns")
    ids = []
    for i in range(10):
        kind = "order" if i % 2 == 0 else "refund"
        body = json.dumps({"n": i, "status": "paid" if i % 3 == 0 else "new"})
        reply = sns.publish(
            TopicArn=topic,
            Message=body,
            Subject=f"message {i}",
            MessageAttributes={
                "kind": {"DataType": "String", "StringValue": kind},
                "amount": {"DataType": "Number", "StringValue": str(i * 50)},
            },
        )
        ids.append(reply["MessageId"])
    return ids


def test_three_subscribers_each_get_what_their_filter_passes(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("fanout"))["TopicArn"]
    raw_url, raw_arn = make_queue(sns_server)
    attr_url, attr_arn = make_queue(sns_server)
    body_url, body_arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    attr_policy = {"kind": ["order"], "amount": [{"numeric": [">=", 200]}]}
    attr_sub = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=attr_arn,
        Attributes={"FilterPolicy": json.dumps(attr_policy)},
    )["SubscriptionArn"]
    body_sub = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=body_arn,
        Attributes={"FilterPolicy": json.dumps({"status": ["paid"]}), "FilterPolicyScope": "MessageBody"},
    )["SubscriptionArn"]

    ids = publish_ten(sns_server, topic)

    # Raw: the message itself as the body, its attributes as SQS message attributes.
    raw = drain(sns_server, raw_url, 10)
    assert sorted(json.loads(m["Body"])["n"] for m in raw) == list(range(10))
    first = next(m for m in raw if json.loads(m["Body"])["n"] == 4)
    assert first["MessageAttributes"] == {
        "kind": {"DataType": "String", "StringValue": "order"},
        "amount": {"DataType": "Number", "StringValue": "200"},
    }
    expected_md5 = md5_of_message_attributes({"kind": ("String", "order"), "amount": ("Number", "200")})
    assert first["MD5OfMessageAttributes"] == expected_md5

    # Attribute filter: kind order (even n) and amount >= 200 (n >= 4): n = 4, 6, 8.
    filtered = bodies(drain(sns_server, attr_url, 3))
    assert sorted(json.loads(e["Message"])["n"] for e in filtered) == [4, 6, 8]
    # Body filter: status paid (n divisible by 3): n = 0, 3, 6, 9.
    by_body = bodies(drain(sns_server, body_url, 4))
    assert sorted(json.loads(e["Message"])["n"] for e in by_body) == [0, 3, 6, 9]

    envelope = next(e for e in filtered if json.loads(e["Message"])["n"] == 6)
    assert list(envelope) == ENVELOPE_KEYS
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == ids[6]
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == "message 6"
    assert json.loads(envelope["Message"]) == {"n": 6, "status": "paid"}
    assert ISO_MS.match(envelope["Timestamp"])
    assert envelope["SignatureVersion"] == "1"
    assert envelope["SigningCertURL"] == sns_server.url + "/_millpond/sns/SimpleNotificationService.pem"
    assert envelope["UnsubscribeURL"].startswith(sns_server.url + "/?Action=Unsubscribe&SubscriptionArn=")
    assert envelope["UnsubscribeURL"] == f"{sns_server.url}/?Action=Unsubscribe&SubscriptionArn={attr_sub}"
    assert envelope["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "order"},
        "amount": {"Type": "Number", "Value": "300"},
    }
    verify(envelope)
    body_envelope = next(e for e in by_body if json.loads(e["Message"])["n"] == 0)
    assert body_envelope["UnsubscribeURL"].endswith(f"SubscriptionArn={body_sub}")
    verify(body_envelope)


def test_signature_version_2_is_sha256(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("sig2"), Attributes={"SignatureVersion": "2"})["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="plain text")
    (envelope,) = bodies(drain(sns_server, url, 1))
    assert envelope["SignatureVersion"] == "2"
    assert "Subject" not in envelope and "MessageAttributes" not in envelope
    verify(envelope)


def test_unsubscribe_url_unsubscribes(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("unsub"))["TopicArn"]
    url, arn = make_queue(sns_server)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="one")
    (envelope,) = bodies(drain(sns_server, url, 1))
    with urllib.request.urlopen(envelope["UnsubscribeURL"], timeout=5) as reply:
        assert b"UnsubscribeResponse" in reply.read()
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    sns.publish(TopicArn=topic, Message="two")
    drain(sns_server, url, 0, timeout=1)
    assert sub not in json.dumps(sns.list_subscriptions()["Subscriptions"])


def test_publish_batch_delivers_and_reports_failures(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("batch"))["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    reply = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "first"},
            {"Id": "b", "Message": ""},
            {
                "Id": "c",
                "Message": "third",
                "MessageAttributes": {"x": {"DataType": "Number", "StringValue": "x"}},
            },
            {"Id": "d", "Message": "fourth"},
        ],
    )
    assert [s["Id"] for s in reply["Successful"]] == ["a", "d"]
    assert all(s["MessageId"] for s in reply["Successful"])
    failed = {f["Id"]: f for f in reply["Failed"]}
    assert failed["b"] == {
        "Id": "b",
        "Code": "InvalidParameter",
        "Message": "Invalid parameter: Empty message",
        "SenderFault": True,
    }
    assert failed["c"]["Code"] == "ParameterValueInvalid"
    assert sorted(m["Body"] for m in drain(sns_server, url, 2)) == ["first", "fourth"]


def test_raw_delivery_carries_binary_and_array_attributes(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("binary"))["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"tags": ["blue"]})},
    )
    attributes = {
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
        "tags": {"DataType": "String.Array", "StringValue": '["red", "blue"]'},
    }
    sns.publish(TopicArn=topic, Message="with binary", MessageAttributes=attributes)
    sns.publish(TopicArn=topic, Message="filtered out", MessageAttributes={"tags": attributes["tags"] | {
        "StringValue": '["green"]'}})  # fmt: skip
    (message,) = drain(sns_server, url, 1)
    assert message["Body"] == "with binary"
    assert message["MessageAttributes"] == {
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
        "tags": {"DataType": "String.Array", "StringValue": '["red", "blue"]'},
    }
