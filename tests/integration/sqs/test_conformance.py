"""SQS behaviours AWS-recorded test suites showed millpond answering differently (aws-facts.md §12b),
each driven through boto3 against a real server: queue names as QueueUrl, malformed URLs, FIFO batch
validation, ChangeMessageVisibility on expired or older handles, batch and permission response shapes,
tag limits, CreateQueue's FifoQueue rule, FIFO receive grouping and long-poll wake-up, purge and
deduplication, AWSTraceHeader from the trace header, and receive counts that carry on into the DLQ."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.sqs.conftest import advance
from tests.support.server import ServerProcess, make_server


def error(raised: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    return dict(raised.value.response["Error"])


def status(raised: pytest.ExceptionInfo[ClientError]) -> int:
    return int(raised.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_a_bare_queue_name_works_as_queue_url(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    sqs.create_queue(QueueName=name)
    sqs.send_message(QueueUrl=name, MessageBody="by name")
    (message,) = sqs.receive_message(QueueUrl=name)["Messages"]
    assert message["Body"] == "by name"
    sqs.delete_message(QueueUrl=name, ReceiptHandle=message["ReceiptHandle"])
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=f"{name}-missing", MessageBody="x")
    assert error(raised)["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_a_malformed_queue_url_is_a_non_existent_queue(server: ServerProcess) -> None:
    sqs = server.client("sqs")
    with pytest.raises(ClientError) as raised:
        sqs.get_queue_attributes(QueueUrl="http://whatever-incorrect-queue-address", AttributeNames=["All"])
    assert status(raised) == 400
    assert error(raised)["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_fifo_queue_true_on_a_name_without_fifo_is_invalid_parameter_value(
    server: ServerProcess, name: str
) -> None:
    sqs = server.client("sqs")
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})
    assert error(raised)["Code"] == "InvalidParameterValue"


def test_fifo_batch_without_group_or_dedup_id_fails_the_whole_call(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    good = {"Id": "a", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "a"}
    with pytest.raises(ClientError) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=[good, {"Id": "b", "MessageBody": "b"}])
    assert error(raised)["Code"] == "MissingParameter"
    assert error(raised)["Message"] == "The request must contain the parameter MessageGroupId."
    with pytest.raises(ClientError) as raised:
        sqs.send_message_batch(
            QueueUrl=url, Entries=[good, {"Id": "b", "MessageBody": "b", "MessageGroupId": "g"}]
        )
    assert error(raised)["Code"] == "InvalidParameterValue"
    assert "ContentBasedDeduplication" in error(raised)["Message"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # nothing of either call was sent
    result = sqs.send_message_batch(QueueUrl=url, Entries=[good])
    assert [entry["Id"] for entry in result["Successful"]] == ["a"]
    assert "Failed" not in result  # left out when nothing failed


def test_change_visibility_after_the_timeout_expired_and_with_an_older_handle(
    clock_server: ServerProcess, name: str
) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    (first,) = sqs.receive_message(QueueUrl=url)["Messages"]
    advance(clock_server, 11)  # visible again, not received again: changing it still succeeds and hides it
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=30)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    advance(clock_server, 31)
    (second,) = sqs.receive_message(QueueUrl=url)["Messages"]
    # The first handle is older than the second receive; it still changes the message's visibility.
    batch = sqs.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": first["ReceiptHandle"], "VisibilityTimeout": 100}]
    )
    assert [entry["Id"] for entry in batch["Successful"]] == ["x"]
    advance(clock_server, 50)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    with pytest.raises(ClientError) as raised:  # a deleted message has nothing left to change
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=5
        )
    assert error(raised)["Code"] == "InvalidParameterValue"


def test_add_permission_policy_and_action_rules(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="l1", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    assert policy["Version"] == "2008-10-17"
    with pytest.raises(ClientError) as raised:
        sqs.add_permission(
            QueueUrl=url, Label="l2", AWSAccountIds=["111111111111"], Actions=["RemovePermission"]
        )
    assert error(raised)["Message"] == (
        "Value SQS:RemovePermission for parameter ActionName is invalid. "
        "Reason: Only the queue owner is allowed to invoke this action."
    )
    with pytest.raises(ClientError) as raised:
        sqs.add_permission(QueueUrl=url, Label="l2", AWSAccountIds=[], Actions=["SendMessage"])
    assert error(raised)["Code"] == "InvalidParameterValue"
    eight = ["ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl"]
    eight += ["ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage"]
    with pytest.raises(ClientError) as raised:
        sqs.add_permission(QueueUrl=url, Label="l2", AWSAccountIds=["111111111111"], Actions=eight)
    assert (error(raised)["Code"], status(raised)) == ("OverLimit", 403)


def test_tag_limits(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name, tags={"keep": "1"})["QueueUrl"]
    with pytest.raises(ClientError) as raised:
        sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)})
    assert error(raised)["Message"] == f"Too many tags added for queue {name}."
    with pytest.raises(ClientError) as raised:
        sqs.untag_queue(QueueUrl=url, TagKeys=[])
    assert error(raised)["Code"] == "InvalidParameterValue"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"keep": "1"}


def fifo_queue(sqs: Any, name: str) -> str:
    return str(sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"])


def test_fifo_receive_takes_one_group_before_the_next(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = fifo_queue(sqs, name)
    for i in range(3):
        for group in ("a", "b"):
            body = f"{group}{i}"
            sqs.send_message(
                QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body
            )
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in received] == ["a0", "a1", "a2", "b0", "b1", "b2"]


def test_a_fifo_long_poll_wakes_when_its_group_unlocks(server: ServerProcess, name: str) -> None:
    sqs, poller = server.client("sqs"), server.client("sqs")
    url = fifo_queue(sqs, name)
    for body in ("1", "2"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g", MessageDeduplicationId=body)
    (first,) = sqs.receive_message(QueueUrl=url)["Messages"]
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        waiting = pool.submit(poller.receive_message, QueueUrl=url, WaitTimeSeconds=10)
        time.sleep(0.3)
        sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        (second,) = waiting.result()["Messages"]
        assert second["Body"] == "2"
        assert time.monotonic() - started < 5  # woken by the delete, not by the end of the wait


def test_purge_forgets_fifo_deduplication_ids(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = fifo_queue(sqs, name)
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d")
    sqs.purge_queue(QueueUrl=url)
    sqs.send_message(QueueUrl=url, MessageBody="again", MessageGroupId="g", MessageDeduplicationId="d")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["again"]


def test_aws_trace_header_comes_from_the_x_amzn_trace_id_header(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

    def add_trace(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = trace

    sqs.meta.events.register("before-sign.sqs.SendMessage", add_trace)
    sqs.send_message(QueueUrl=url, MessageBody="traced")
    (message,) = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"]
    assert message["Attributes"] == {"AWSTraceHeader": trace}


def test_a_dead_lettered_message_keeps_counting_receives(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    source = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "0", "RedrivePolicy": policy})
    sqs.send_message(QueueUrl=source["QueueUrl"], MessageBody="m")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source["QueueUrl"])["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=source["QueueUrl"])  # this receive moved it
    (moved,) = sqs.receive_message(QueueUrl=dlq, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert moved["Attributes"]["ApproximateReceiveCount"] == "3"


def test_region_unique_queue_urls_by_setting(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--in-memory", MILLPOND_SQS_QUEUE_URL="region").start()
    try:
        east, west = server.client("sqs"), server.client("sqs", region_name="eu-central-1")
        east_url = east.create_queue(QueueName="orders")["QueueUrl"]
        west_url = west.create_queue(QueueName="orders")["QueueUrl"]
        assert east_url == f"{server.url}/queue/us-east-1/000000000000/orders"
        assert west_url == f"{server.url}/queue/eu-central-1/000000000000/orders"
        assert east.list_queues()["QueueUrls"] == [east_url]
        assert west.get_queue_url(QueueName="orders")["QueueUrl"] == west_url
        # The URL names its region: any client resolves it, whatever region it signs for.
        east.send_message(QueueUrl=west_url, MessageBody="to frankfurt")
        (message,) = west.receive_message(QueueUrl=west_url)["Messages"]
        assert message["Body"] == "to frankfurt"
        assert "Messages" not in east.receive_message(QueueUrl=east_url)
        # Today's form is still accepted, in the caller's region.
        east.send_message(QueueUrl=f"{server.url}/000000000000/orders", MessageBody="old form")
        assert east.receive_message(QueueUrl=east_url)["Messages"][0]["Body"] == "old form"
    finally:
        server.stop()


def test_the_query_protocol_on_a_queue_url_takes_queue_actions_only(server: ServerProcess, name: str) -> None:
    url = server.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    form = {"Version": "2012-11-05"}
    listed = httpx.post(url, data={**form, "Action": "ListQueues"})
    assert listed.status_code == 400
    assert "<Code>InvalidAction</Code>" in listed.text
    assert "The action ListQueues is not valid for this endpoint." in listed.text
    bogus = httpx.post(url, data={**form, "Action": "Bogus"})
    assert "The action Bogus is not valid for this endpoint." in bogus.text
    bare = httpx.get(url)
    assert (
        bare.status_code == 400
        and bare.text.startswith("<?xml")
        and "<Code>MissingAction</Code>" in bare.text
    )
    sent = httpx.post(url, data={**form, "Action": "SendMessage", "MessageBody": "at the queue URL"})
    assert sent.status_code == 200 and "<MessageId>" in sent.text
