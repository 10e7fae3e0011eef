"""The processor deployed as a real function behind a real SQS event source mapping on millpond."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.millpond(reset=True)


def messages_left(sqs, queue_url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def zipped(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(path, path.name)
    return buffer.getvalue()


def test_good_orders_are_processed_and_bad_ones_end_in_the_dlq(millpond, aws_client):
    sqs, lambda_ = aws_client("sqs"), aws_client("lambda")
    dlq_url = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    queue_url = sqs.create_queue(
        QueueName="orders", Attributes={"VisibilityTimeout": "30", "RedrivePolicy": redrive}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    done_url = sqs.create_queue(QueueName="done")["QueueUrl"]

    lambda_.create_function(
        FunctionName="processor",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/processor",
        Handler="processor.handler",
        Code={"ZipFile": zipped(Path(__file__).with_name("processor.py"))},
        Environment={"Variables": {"DONE_QUEUE_URL": done_url}},
    )
    lambda_.create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName="processor",
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )

    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"order_id": "o-1", "amount": 25}))
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"order_id": "o-bad", "amount": 0}))

    done = sqs.receive_message(QueueUrl=done_url, WaitTimeSeconds=20)["Messages"]
    assert [message["Body"] for message in done] == ["o-1"]
    sqs.delete_message(QueueUrl=done_url, ReceiptHandle=done[0]["ReceiptHandle"])
    # The mapping deletes o-1 when the invocation returns: wait for that before moving the clock,
    # or o-1's visibility timeout would pass while it is still in flight and SQS would redeliver it.
    for _ in range(200):
        if messages_left(sqs, queue_url) == 1:
            break
        time.sleep(0.05)

    # The bad order is retried after each visibility timeout; advancing the clock skips the waiting.
    dead: list[dict] = []
    for _ in range(20):
        millpond.advance(31)
        dead = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=2).get("Messages", [])
        if dead:
            break
    assert [json.loads(message["Body"])["order_id"] for message in dead] == ["o-bad"]
    assert sqs.receive_message(QueueUrl=done_url, WaitTimeSeconds=1).get("Messages", []) == []
