"""FIFO topics: group ids and deduplication (explicit and content-based, five minutes on the virtual
clock), sequence numbers, and per-group order into a FIFO queue."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.sns.conftest import advance, drain, make_queue, unique
from tests.support.server import ServerProcess


def fifo_pair(server: ServerProcess, content_dedup: bool = False, raw: bool = False) -> tuple[str, str]:
    sns = server.client("sns")
    attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "true" if content_dedup else "false"}
    topic = sns.create_topic(Name=unique("t") + ".fifo", Attributes=attributes)["TopicArn"]
    url, arn = make_queue(server, unique("q") + ".fifo", FifoQueue="true")
    attrs = {"RawMessageDelivery": "true"} if raw else {}
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attrs)
    return topic, url


def test_fifo_topic_to_fifo_queue_keeps_order_per_group(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic, url = fifo_pair(sns_server)
    sequences = []
    for i in range(12):
        group = f"g{i % 3}"
        reply = sns.publish(
            TopicArn=topic, Message=f"{group}-{i}", MessageGroupId=group, MessageDeduplicationId=f"d{i}"
        )
        sequences.append(int(reply["SequenceNumber"]))
        assert len(reply["SequenceNumber"]) == 20
    assert sequences == sorted(sequences) and len(set(sequences)) == 12
    received = drain(sns_server, url, 12)
    per_group: dict[str, list[int]] = {}
    for message in received:
        envelope = json.loads(message["Body"])
        group, index = envelope["Message"].split("-")
        assert message["Attributes"]["MessageGroupId"] == group
        assert "SequenceNumber" in envelope
        per_group.setdefault(group, []).append(int(index))
    assert per_group == {"g0": [0, 3, 6, 9], "g1": [1, 4, 7, 10], "g2": [2, 5, 8, 11]}


def test_explicit_deduplication_lasts_five_minutes_of_the_clock(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic, url = fifo_pair(sns_server, raw=True)
    first = sns.publish(TopicArn=topic, Message="a", MessageGroupId="g", MessageDeduplicationId="same")
    again = sns.publish(TopicArn=topic, Message="b", MessageGroupId="g", MessageDeduplicationId="same")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert [m["Body"] for m in drain(sns_server, url, 1)] == ["a"]
    advance(sns_server, 301)
    later = sns.publish(TopicArn=topic, Message="c", MessageGroupId="g", MessageDeduplicationId="same")
    assert later["MessageId"] != first["MessageId"]
    assert [m["Body"] for m in drain(sns_server, url, 1)] == ["c"]


def test_content_based_deduplication(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic, url = fifo_pair(sns_server, content_dedup=True, raw=True)
    one = sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
    two = sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
    three = sns.publish(TopicArn=topic, Message="other body", MessageGroupId="g")
    assert one["MessageId"] == two["MessageId"] != three["MessageId"]
    assert [m["Body"] for m in drain(sns_server, url, 2)] == ["same body", "other body"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"),
        ({"MessageGroupId": "g"}, "Invalid parameter: The topic should either have ContentBasedDeduplication "
         "enabled or MessageDeduplicationId provided explicitly"),
    ],
)  # fmt: skip
def test_fifo_publish_errors(sns_server: ServerProcess, kwargs: dict[str, str], message: str) -> None:
    sns = sns_server.client("sns")
    topic, _ = fifo_pair(sns_server)
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn=topic, Message="x", **kwargs)
    error = raised.value.response["Error"]
    assert (error["Type"], error["Code"], error["Message"]) == ("Sender", "InvalidParameter", message)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_standard_topics_refuse_fifo_parameters(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("std"))["TopicArn"]
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert raised.value.response["Error"]["Code"] == "InvalidParameter"
    assert "MessageGroupId" in raised.value.response["Error"]["Message"]
    _, fifo_queue = make_queue(sns_server, unique("q") + ".fifo", FifoQueue="true")
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fifo_queue)
    assert raised.value.response["Error"]["Message"] == (
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
        "standard SNS topics"
    )


def test_fifo_topic_delivers_to_a_standard_queue_too(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic, _ = fifo_pair(sns_server)
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="to standard", MessageGroupId="g", MessageDeduplicationId="d1")
    assert [m["Body"] for m in drain(sns_server, url, 1)] == ["to standard"]
