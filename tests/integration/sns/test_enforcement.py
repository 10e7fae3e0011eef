"""SNS under --enforce-iam: a prefix user reaches only its own topics, SNS refuses as AWS does
(AuthorizationError, 403), a topic policy grants another user sns:Publish, the SubscribeURL works
unsigned, and SNS delivers to a queue only when the queue policy allows sns.amazonaws.com."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.integration.iam.conftest import client, code_of
from tests.integration.iam.test_enforcement import add_user
from tests.integration.sns.test_http import Endpoint
from tests.support.server import ServerProcess, make_server


@pytest.fixture(scope="module")
def enforced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = make_server(tmp_path_factory.mktemp("sns-enforced"), "--in-memory", "--enforce-iam").start()
    yield process
    process.stop()


def test_topic_policy_grants_publish_to_another_user(enforced: ServerProcess) -> None:
    tag = uuid.uuid4().hex[:6]
    user2, user3 = add_user(enforced, f"user2-{tag}", "user2-"), add_user(enforced, f"user3-{tag}", "user3-")
    arn2 = client(enforced, "sts", *user2).get_caller_identity()["Arn"]
    sns2, sns3 = client(enforced, "sns", *user2), client(enforced, "sns", *user3)
    topic = sns3.create_topic(Name="user3-alerts")["TopicArn"]
    code, status, message = code_of(lambda: sns2.publish(TopicArn=topic, Message="x"))
    assert (code, status) == ("AuthorizationError", 403)
    assert message.startswith(f"User: {arn2} is not authorized to perform: sns:Publish on resource: {topic}")
    assert code_of(lambda: sns2.create_topic(Name="user3-mine"))[0] == "AuthorizationError"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": arn2}, "Action": "sns:Publish", "Resource": topic}
        ],
    }
    sns3.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
    assert sns2.publish(TopicArn=topic, Message="granted")["MessageId"]
    assert code_of(lambda: sns2.delete_topic(TopicArn=topic))[0] == "AuthorizationError"


def test_subscribe_url_works_unsigned(enforced: ServerProcess) -> None:
    """AWS serves the SubscribeURL and UnsubscribeURL to whoever holds the link."""
    endpoint = Endpoint()
    try:
        sns = enforced.client("sns")  # the account's root keys
        topic = sns.create_topic(Name="links")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url + "/in")
        endpoint.wait_for(lambda got: len(got) == 1)
        ((_, confirmation),) = endpoint.of("/in", "SubscriptionConfirmation")
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5) as reply:
            assert b"<ConfirmSubscriptionResponse" in reply.read()
        (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert subscription["SubscriptionArn"].startswith(topic + ":")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(enforced.url + "/?Action=ListTopics&Version=2010-03-31", timeout=5)
        refused.value.close()
        assert refused.value.code == 403
    finally:
        endpoint.server.shutdown()
        endpoint.server.server_close()


def test_delivery_needs_the_queue_policy_to_allow_sns(enforced: ServerProcess) -> None:
    sns, sqs = enforced.client("sns"), enforced.client("sqs")
    topic = sns.create_topic(Name="to-guarded-queue")["TopicArn"]
    url = sqs.create_queue(QueueName="guarded")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(TopicArn=topic, Message="refused")
    time.sleep(1.0)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages") is None
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sns.publish(TopicArn=topic, Message="allowed")
    (message,) = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert message["Body"] == "allowed"
