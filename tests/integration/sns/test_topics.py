"""Topics and subscriptions through boto3 and the AWS CLI: create (standard, FIFO), list with
pagination, attributes and the default policy, permissions, tags, data protection, subscription
attributes, and AWS's errors for bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.sns.conftest import make_queue, unique
from tests.support.server import ServerProcess, aws_cli_path, run_aws

ACCOUNT = "000000000000"


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_create_get_set_delete(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    name = unique("topic")
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "Orders"})["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}"
    assert sns.create_topic(Name=name)["TopicArn"] == arn  # idempotent
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Orders" and attributes["Owner"] == ACCOUNT
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("0", "0")
    assert "FifoTopic" not in attributes
    policy = json.loads(attributes["Policy"])
    assert policy["Id"] == "__default_policy_ID" and policy["Version"] == "2008-10-17"
    (statement,) = policy["Statement"]
    assert statement["Sid"] == "__default_statement_ID" and statement["Resource"] == arn
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    assert "SNS:Publish" in statement["Action"] and statement["Principal"] == {"AWS": "*"}
    assert (
        json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"]
        == 3
    )
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Renamed")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Renamed"
    assert error_of(sns.create_topic, Name=name, Attributes={"DisplayName": "Other"})[0] == "InvalidParameter"
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)  # deleting twice succeeds, as on AWS
    assert error_of(sns.get_topic_attributes, TopicArn=arn) == ("NotFound", "Topic does not exist", 404)


def test_fifo_topic_attributes_and_name_rules(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    name = unique("ordered") + ".fifo"
    arn = sns.create_topic(Name=name, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})[
        "TopicArn"
    ]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (attributes["FifoTopic"], attributes["ContentBasedDeduplication"]) == ("true", "true")
    code, message, status = error_of(sns.create_topic, Name="no-suffix", Attributes={"FifoTopic": "true"})
    assert (code, status) == ("InvalidParameter", 400)
    assert message.startswith("Invalid parameter: Fifo Topic names must end with .fifo")
    assert error_of(sns.create_topic, Name="bad name!") == (
        "InvalidParameter",
        "Invalid parameter: Topic Name",
        400,
    )
    assert error_of(sns.create_topic, Name="x.fifo")[0] == "InvalidParameter"  # .fifo needs FifoTopic


def test_list_topics_pages_by_100(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns", region_name="eu-west-2")  # a region of its own: only these topics
    created = {sns.create_topic(Name=f"page-{i:03d}")["TopicArn"] for i in range(105)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    pages = list(sns.get_paginator("list_topics").paginate())
    assert len(pages) == 2
    assert {t["TopicArn"] for page in pages for t in page["Topics"]} == created
    assert error_of(sns.list_topics, NextToken="garbage")[0] == "InvalidParameter"


def test_tags_permissions_and_data_protection(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    arn = sns.create_topic(Name=unique("tagged"), Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    missing = arn + "-gone"
    assert error_of(sns.tag_resource, ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}])[:2] == (
        "ResourceNotFound",
        "Resource does not exist",
    )
    sns.add_permission(TopicArn=arn, Label="partner", AWSAccountId=["111122223333"], ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    assert statements[1] == {
        "Sid": "partner", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
        "Action": ["SNS:Publish"], "Resource": arn,
    }  # fmt: skip
    sns.remove_permission(TopicArn=arn, Label="partner")
    assert len(json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]) == 1
    document = {"Name": "p", "Version": "2021-06-01", "Statement": [{"Sid": "s", "DataIdentifier": [],
                "Operation": {"Audit": {}}, "Principal": ["*"], "DataDirection": "Inbound"}]}  # fmt: skip
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=json.dumps(document))
    assert json.loads(sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"]) == document


def test_subscription_attributes_and_errors(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("subs"))["TopicArn"]
    _, queue_arn = make_queue(sns_server)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == sub
    policy = json.dumps({"kind": ["a"]})
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=policy)
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert (attributes["FilterPolicy"], attributes["FilterPolicyScope"]) == (policy, "MessageAttributes")
    assert (attributes["PendingConfirmation"], attributes["RawMessageDelivery"]) == ("false", "false")
    code, message, _ = error_of(
        sns.set_subscription_attributes, SubscriptionArn=sub, AttributeName="FilterPolicy",
        AttributeValue='{"kind": {"nested": ["x"]}}',
    )  # fmt: skip
    assert (code, message) == (
        "InvalidParameter",
        "Invalid parameter: FilterPolicy: Filter policy scope MessageAttributes does not support "
        "nested filter policy",
    )
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    code, message, _ = error_of(
        sns.set_subscription_attributes, SubscriptionArn=sub, AttributeName="RawMessageDelivery",
        AttributeValue="maybe",
    )  # fmt: skip
    assert code == "InvalidParameter"
    assert error_of(sns.subscribe, TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")[:2] == (
        "InvalidParameter",
        "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
    )
    assert error_of(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint="not-an-arn")[:2] == (
        "InvalidParameter",
        "Invalid parameter: SQS endpoint ARN",
    )
    assert error_of(sns.subscribe, TopicArn=topic + "x", Protocol="sqs", Endpoint=queue_arn)[0] == "NotFound"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed == [{"SubscriptionArn": sub, "Owner": ACCOUNT, "Protocol": "sqs", "Endpoint": queue_arn,
                       "TopicArn": topic}]  # fmt: skip
    sns.unsubscribe(SubscriptionArn=sub)
    assert error_of(sns.get_subscription_attributes, SubscriptionArn=sub)[:2] == (
        "NotFound",
        "Subscription does not exist",
    )
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"


def test_publish_errors(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("errors"))["TopicArn"]
    assert error_of(sns.publish, TopicArn=topic, Message="")[:2] == (
        "InvalidParameter",
        "Invalid parameter: Empty message",
    )
    assert error_of(sns.publish, TopicArn=topic, Message="x" * 262_145)[:2] == (
        "InvalidParameter",
        "Invalid parameter: Message too long",
    )
    assert (
        error_of(sns.publish, TopicArn="arn:aws:sns:us-east-1:000000000000:nope", Message="x")[0]
        == "NotFound"
    )
    assert error_of(sns.publish, TopicArn="not-an-arn", Message="x")[:2] == (
        "InvalidParameter",
        "Invalid parameter: TopicArn",
    )
    code, message, _ = error_of(
        sns.publish,
        TopicArn=topic,
        Message="x",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}},
    )
    assert (code, message) == (
        "ParameterValueInvalid",
        "Could not cast message attribute 'n' value to number.",
    )
    assert (
        error_of(
            sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "1"}] * 2
        )[0]
        == "BatchEntryIdsNotDistinct"
    )
    entries = [{"Id": str(i), "Message": "m"} for i in range(11)]
    assert error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=entries)[0] == (
        "TooManyEntriesInBatchRequest"
    )


def test_operations_millpond_does_not_serve_answer_not_implemented(sns_server: ServerProcess) -> None:
    code, message, status = error_of(sns_server.client("sns").list_platform_applications)
    assert (code, status) == ("NotImplemented", 501) and "ListPlatformApplications" in message


@pytest.mark.skipif(not os.path.exists(aws_cli_path()), reason="the AWS CLI is installed by make")
def test_the_aws_cli(sns_server: ServerProcess, tmp_path: Path) -> None:
    name = unique("cli")
    arn = json.loads(run_aws(sns_server, "sns", "create-topic", "--name", name).stdout)["TopicArn"]
    _, queue_arn = make_queue(sns_server)
    run_aws(
        sns_server,
        "sns",
        "subscribe",
        "--topic-arn",
        arn,
        "--protocol",
        "sqs",
        "--notification-endpoint",
        queue_arn,
    )
    published = json.loads(
        run_aws(sns_server, "sns", "publish", "--topic-arn", arn, "--message", "from the cli").stdout
    )
    assert published["MessageId"]
    topics = json.loads(run_aws(sns_server, "sns", "list-topics").stdout)["Topics"]
    assert {"TopicArn": arn} in topics
    failed = run_aws(sns_server, "sns", "get-topic-attributes", "--topic-arn", arn + "x", check=False)
    assert failed.returncode != 0 and "NotFound" in failed.stderr


def test_list_subscriptions_pages_by_100(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns", region_name="ap-northeast-1")  # a region of its own
    topic = sns.create_topic(Name="many-subscribers")["TopicArn"]
    created = {
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:ap-northeast-1:{ACCOUNT}:q{i:03d}"
        )["SubscriptionArn"]
        for i in range(101)
    }
    for operation, kwargs in (
        ("list_subscriptions", {}),
        ("list_subscriptions_by_topic", {"TopicArn": topic}),
    ):
        pages = list(sns.get_paginator(operation).paginate(**kwargs))
        assert [len(p["Subscriptions"]) for p in pages] == [100, 1]
        assert {s["SubscriptionArn"] for p in pages for s in p["Subscriptions"]} == created
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("101", "0")
