"""S3 event notifications: to a queue (AWS's record, checked field by field, after s3:TestEvent) and to a
function (its log shows the event), with prefix/suffix filters."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess


def receive_all(sqs: Any, url: str, want: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(found) < want and time.monotonic() < deadline:
        found += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
    return [json.loads(m["Body"]) for m in found]


def test_put_notifies_a_queue_with_aws_event_shape(server: ServerProcess, s3: Any, bucket: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rules = [{"Name": "prefix", "Value": "uploads/"}, {"Name": "suffix", "Value": ".csv"}]
    queue = {
        "Id": "csv",
        "QueueArn": arn,
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": rules}},
    }
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [queue]}
    )
    (test_event,) = receive_all(sqs, url, 1)
    assert test_event["Event"] == "s3:TestEvent"
    assert test_event["Bucket"] == bucket and test_event["Service"] == "Amazon S3"
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert stored[0]["QueueArn"] == arn and stored[0]["Id"] == "csv"

    s3.put_object(Bucket=bucket, Key="uploads/skip.txt", Body=b"no")  # suffix does not match
    s3.put_object(Bucket=bucket, Key="other/skip.csv", Body=b"no")  # prefix does not match
    put = s3.put_object(Bucket=bucket, Key="uploads/a b+c.csv", Body=b"1,2,3")
    (event,) = receive_all(sqs, url, 1)
    assert receive_all(sqs, url, 1, timeout=1.5) == []
    (record,) = event["Records"]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"].endswith("Z")
    assert record["s3"]["s3SchemaVersion"] == "1.0"
    assert record["s3"]["configurationId"] == "csv"
    assert record["s3"]["bucket"] == {
        "name": bucket, "ownerIdentity": {"principalId": "000000000000"}, "arn": f"arn:aws:s3:::{bucket}",
    }  # fmt: skip
    obj = record["s3"]["object"]
    assert obj["key"] == "uploads/a+b%2Bc.csv"  # URL-encoded as AWS sends it
    assert obj["size"] == 5
    assert obj["eTag"] == put["ETag"].strip('"')
    assert len(obj["sequencer"]) >= 16
    assert "versionId" not in obj  # unversioned bucket


def test_bad_destination_is_refused(s3: Any, bucket: str) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue"
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
    assert raised.value.response["Error"]["Code"] == "InvalidArgument"


@pytest.mark.slow
def test_put_invokes_a_function(server: ServerProcess, s3: Any, bucket: str) -> None:
    lambda_ = server.client("lambda")
    name = f"fn-{uuid.uuid4().hex[:10]}"
    source = "import json\ndef handler(event, context):\n    print('S3EVENT ' + json.dumps(event))\n"
    arn = lambda_.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
    )["FunctionArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:Put"]},
        ]},
    )  # fmt: skip
    s3.put_object(Bucket=bucket, Key="in/photo.jpg", Body=b"jpeg")
    logs = server.client("logs")
    deadline = time.monotonic() + 25
    messages: list[str] = []
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        messages = [e["message"] for e in events if "S3EVENT" in e["message"]]
        if messages:
            break
        time.sleep(0.3)
    assert messages, "the function never logged the event"
    event = json.loads(messages[0].split("S3EVENT ", 1)[1])
    record = event["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["object"]["key"] == "in/photo.jpg"


def test_put_notifies_a_topic_whose_queue_gets_the_event_in_the_sns_envelope(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    sqs, sns = server.client("sqs"), server.client("sns")
    url = sqs.create_queue(QueueName=f"fanout-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=f"uploads-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "TopicConfigurations": [{"Id": "all", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    (test_envelope,) = receive_all(sqs, url, 1)
    assert test_envelope["Type"] == "Notification" and test_envelope["TopicArn"] == topic
    assert json.loads(test_envelope["Message"])["Event"] == "s3:TestEvent"
    s3.put_object(Bucket=bucket, Key="report.txt", Body=b"hello")
    (envelope,) = receive_all(sqs, url, 1)
    assert envelope["Subject"] == "Amazon S3 Notification"
    (record,) = json.loads(envelope["Message"])["Records"]
    assert record["eventName"] == "ObjectCreated:Put" and record["s3"]["object"]["key"] == "report.txt"
    assert record["s3"]["configurationId"] == "all" and record["s3"]["object"]["size"] == 5
