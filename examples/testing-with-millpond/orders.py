"""A tiny order processor: the code under test. It knows nothing about millpond, only boto3."""

from __future__ import annotations

import json

import boto3


def create_queues(name: str) -> tuple[str, str]:
    """An order queue whose failures go to a dead-letter queue after 3 receives."""
    sqs = boto3.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    queue_url = sqs.create_queue(
        QueueName=name, Attributes={"VisibilityTimeout": "30", "RedrivePolicy": redrive}
    )["QueueUrl"]
    return queue_url, dlq_url


def place_order(queue_url: str, order_id: str, amount: int) -> None:
    boto3.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps({"order_id": order_id, "amount": amount}),
        MessageAttributes={"priority": {"DataType": "String", "StringValue": "high"}},
    )


def process_once(queue_url: str) -> list[str]:
    """Receive a batch and delete the orders that are valid; invalid ones stay and are retried."""
    sqs = boto3.client("sqs")
    done = []
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
        "Messages", []
    )
    for message in messages:
        order = json.loads(message["Body"])
        if order["amount"] > 0:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            done.append(order["order_id"])
    return done
