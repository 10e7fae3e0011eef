"""Testing the processor against a real millpond, with nothing but the millpond pytest plugin."""

from __future__ import annotations

import json

import boto3
import orders
import pytest

pytestmark = pytest.mark.millpond(reset=True)


def test_valid_orders_are_processed_once(millpond_env):
    queue_url, _ = orders.create_queues("orders")
    orders.place_order(queue_url, "o-1", 25)
    orders.place_order(queue_url, "o-2", 40)
    assert sorted(orders.process_once(queue_url)) == ["o-1", "o-2"]
    assert orders.process_once(queue_url) == []


def test_a_bad_order_lands_in_the_dead_letter_queue(millpond_env):
    queue_url, dlq_url = orders.create_queues("orders")
    orders.place_order(queue_url, "o-bad", -1)
    for _ in range(3):
        assert orders.process_once(queue_url) == []
        millpond_env.advance(31)  # past the visibility timeout, without sleeping
    # The fourth receive would exceed maxReceiveCount: SQS moves the message to the DLQ.
    assert orders.process_once(queue_url) == []
    dead = boto3.client("sqs").receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(dead[0]["Body"])["order_id"] == "o-bad"
    assert dead[0]["MessageAttributes"]["priority"]["StringValue"] == "high"


def test_aws_client_fixture(aws_client):
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName="scratch")["QueueUrl"]
    assert sqs.list_queues()["QueueUrls"] == [url]
