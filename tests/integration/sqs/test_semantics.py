"""SQS rules through boto3 against a real server: time rules on the virtual clock (visibility, delays,
retention, the FIFO deduplication window, the 60 s purge and re-create rules), FIFO ordering under concurrent
consumers, long-poll wake-up latency, receipt-handle rules, and requests sent straight to a queue URL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.sqs.conftest import advance
from tests.support.server import ServerProcess


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


def receive(sqs: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    return list(sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", []))


def test_visibility_timeout_and_change_visibility(clock_server: ServerProcess, name: str) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    (first,) = receive(sqs, url)
    assert receive(sqs, url) == []
    advance(clock_server, 29)
    assert receive(sqs, url) == []
    advance(clock_server, 2)
    (second,) = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    # An older handle of a message received again since still changes its visibility (AWS-recorded).
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=5)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=100)
    advance(clock_server, 99)
    assert receive(sqs, url) == []
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0)
    (_third,) = receive(sqs, url, VisibilityTimeout=10)
    # A stale handle "succeeds" but deletes nothing on a standard queue.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    advance(clock_server, 11)
    (fourth,) = receive(sqs, url)
    assert fourth["MessageId"] == first["MessageId"]
    with pytest.raises(ClientError) as raised:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=fourth["ReceiptHandle"], VisibilityTimeout=43201
        )
    assert error_code(raised) == "InvalidParameterValue"
    with pytest.raises(ClientError) as raised:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    assert error_code(raised) == "ReceiptHandleIsInvalid"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=fourth["ReceiptHandle"])
    advance(clock_server, 31)
    assert receive(sqs, url) == []


def test_queue_and_message_delays(clock_server: ServerProcess, name: str) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="message-delay", DelaySeconds=120)
    sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesDelayed"]) == ("1", "2")
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=900)] == [
        "no-delay"
    ]
    advance(clock_server, 61)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=900)] == [
        "queue-delay"
    ]
    advance(clock_server, 60)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["message-delay"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"] == {"ApproximateNumberOfMessagesNotVisible": "3"}


def test_retention_expires_messages(clock_server: ServerProcess, name: str) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    advance(clock_server, 30)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    advance(clock_server, 31)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["new"]


def test_long_poll_wakes_at_a_delayed_message_when_the_clock_moves(
    clock_server: ServerProcess, name: str
) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(receive, clock_server.client("sqs"), url, WaitTimeSeconds=20)
        time.sleep(0.2)
        assert not waiting.done()
        started = time.monotonic()
        advance(clock_server, 601)
        assert [m["Body"] for m in waiting.result(5)] == ["later"]
        assert time.monotonic() - started < 1


def test_long_poll_returns_within_milliseconds_of_a_send(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    receiver = server.client("sqs")
    receive(receiver, url)  # warm the connection
    latencies = []
    with ThreadPoolExecutor(1) as pool:
        for _ in range(5):
            waiting = pool.submit(receive, receiver, url, WaitTimeSeconds=20, MaxNumberOfMessages=10)
            time.sleep(0.1)
            sent_at = time.monotonic()
            sqs.send_message(QueueUrl=url, MessageBody="now")
            messages = waiting.result(5)
            latencies.append(time.monotonic() - sent_at)
            assert len(messages) == 1  # early, with what arrived, before MaxNumberOfMessages
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    assert sorted(latencies)[2] < 0.05, latencies


def test_fifo_dedup_window_order_and_sequence(clock_server: ServerProcess, name: str) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1")
    dup = sqs.send_message(QueueUrl=url, MessageBody="a2", MessageGroupId="g", MessageDeduplicationId="d1")
    assert dup["MessageId"] == first["MessageId"] and dup["SequenceNumber"] == first["SequenceNumber"]
    second = sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g", MessageDeduplicationId="d2")
    assert (
        int(second["SequenceNumber"]) > int(first["SequenceNumber"]) and len(second["SequenceNumber"]) >= 20
    )
    advance(clock_server, 301)  # the 5-minute window has closed: the same id is a new message
    third = sqs.send_message(QueueUrl=url, MessageBody="c", MessageGroupId="g", MessageDeduplicationId="d1")
    assert third["MessageId"] != first["MessageId"]
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert error_code(raised) == "InvalidParameterValue"
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d9")
    assert error_code(raised) == "MissingParameter"
    with pytest.raises(ClientError) as raised:
        sqs.send_message(
            QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="z", DelaySeconds=5
        )
    assert error_code(raised) == "InvalidParameterValue"
    got = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["All"])
    assert [m["Body"] for m in got] == ["a", "b", "c"]
    assert (
        got[0]["Attributes"]["MessageGroupId"] == "g"
        and got[0]["Attributes"]["MessageDeduplicationId"] == "d1"
    )
    # FIFO: a handle whose visibility timeout has passed has expired.
    advance(clock_server, 31)
    with pytest.raises(ClientError) as raised:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    assert error_code(raised) == "InvalidParameterValue"
    standard = sqs.create_queue(QueueName=f"{name}-std")["QueueUrl"]
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=standard, MessageBody="x", MessageDeduplicationId="d")
    assert error_code(raised) == "InvalidParameterValue"


def test_fifo_groups_in_order_with_concurrent_consumers(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(
        QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    groups, per_group = 5, 20
    for i in range(per_group):
        entries = [
            {"Id": f"g{g}", "MessageBody": f"g{g}-{i}", "MessageGroupId": f"g{g}"} for g in range(groups)
        ]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
    seen: dict[str, list[int]] = {f"g{g}": [] for g in range(groups)}
    in_flight: set[str] = set()
    lock = threading.Lock()
    problems: list[str] = []

    def consume() -> None:
        client = server.client("sqs")
        while True:
            with lock:
                if sum(len(v) for v in seen.values()) >= groups * per_group:
                    return
            messages = receive(
                client, url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["MessageGroupId"]
            )
            batch_groups = {m["Attributes"]["MessageGroupId"] for m in messages}
            with lock:
                if batch_groups & in_flight:
                    problems.append(f"group handed to two consumers: {batch_groups & in_flight}")
                in_flight.update(batch_groups)
                for m in messages:
                    group, index = m["Body"].split("-")
                    seen[group].append(int(index))
            # Released before the deletes start: once a batch's last delete lands, SQS may rightly hand
            # the group to another consumer before this thread gets the lock back.
            with lock:
                in_flight.difference_update(batch_groups)
            for m in messages:
                client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    with ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(consume) for _ in range(4)]:
            future.result(60)
    assert not problems
    assert all(indexes == list(range(per_group)) for indexes in seen.values()), seen


def test_purge_and_recreate_60_second_rules(clock_server: ServerProcess, name: str) -> None:
    sqs = clock_server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(ClientError) as raised:
        sqs.purge_queue(QueueUrl=url)
    assert error_code(raised) == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    advance(clock_server, 61)
    sqs.purge_queue(QueueUrl=url)
    assert receive(sqs, url) == []
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=name)
    assert error_code(raised) == "AWS.SimpleQueueService.QueueDeletedRecently"
    advance(clock_server, 61)
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url


def test_attributes_tags_permissions_and_listing(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    urls = [sqs.create_queue(QueueName=f"{name}-{i}", tags={"i": str(i)})["QueueUrl"] for i in range(3)]
    page = sqs.list_queues(QueueNamePrefix=name, MaxResults=2)
    assert page["QueueUrls"] == urls[:2]
    rest = sqs.list_queues(QueueNamePrefix=name, MaxResults=2, NextToken=page["NextToken"])
    assert rest["QueueUrls"] == urls[2:] and "NextToken" not in rest
    assert sqs.list_queue_tags(QueueUrl=urls[0])["Tags"] == {"i": "0"}
    sqs.untag_queue(QueueUrl=urls[0], TagKeys=["i"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=urls[0])
    sqs.set_queue_attributes(
        QueueUrl=urls[0], Attributes={"VisibilityTimeout": "45", "KmsMasterKeyId": "alias/k"}
    )
    got = sqs.get_queue_attributes(QueueUrl=urls[0], AttributeNames=["All"])["Attributes"]
    assert got["VisibilityTimeout"] == "45" and got["KmsMasterKeyId"] == "alias/k"
    assert got["KmsDataKeyReusePeriodSeconds"] == "300" and got["SqsManagedSseEnabled"] == "false"
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=urls[0], Attributes={"VisibilityTimeout": "43201"})
    assert error_code(raised) == "InvalidAttributeValue"
    sqs.add_permission(
        QueueUrl=urls[1], Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"]
    )
    policy = sqs.get_queue_attributes(QueueUrl=urls[1], AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert '"Sid":"send"' in policy
    with pytest.raises(ClientError) as raised:
        sqs.add_permission(
            QueueUrl=urls[1], Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"]
        )
    assert error_code(raised) == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=urls[1], Label="send")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=urls[1], AttributeNames=["Policy"])
    # Any queue URL form resolves by account and name.
    aws_url = f"https://sqs.us-east-1.amazonaws.com/000000000000/{name}-2"
    assert sqs.get_queue_attributes(QueueUrl=aws_url, AttributeNames=["QueueArn"])["Attributes"]


def test_plain_query_requests_to_a_queue_url(server: ServerProcess, name: str) -> None:
    url = server.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    path = f"/000000000000/{name}"
    sent = httpx.post(server.url + path, data={"Action": "SendMessage", "MessageBody": 'a "quoted"\r body'})
    assert sent.status_code == 200 and "<MessageId>" in sent.text
    got = httpx.get(server.url + path, params={"Action": "ReceiveMessage", "Version": "2012-11-05"})
    assert (
        got.status_code == 200 and "<ReceiveMessageResult>" in got.text and "&quot;quoted&quot;" in got.text
    )
    missing = httpx.get(server.url + "/000000000000/nope", params={"Action": "GetQueueAttributes"})
    assert missing.status_code == 400 and "AWS.SimpleQueueService.NonExistentQueue" in missing.text
    # AWS words this error differently on the two protocols.
    assert "<Message>The specified queue does not exist for this wsdl version.</Message>" in missing.text
    with pytest.raises(ClientError) as raised:
        server.client("sqs").get_queue_url(QueueName=f"{name}-absent")
    assert raised.value.response["Error"]["Message"] == "The specified queue does not exist."
    assert url.endswith(path)


def test_batch_errors(server: ServerProcess, name: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "fine"},
            {"Id": "big", "MessageBody": "x" * 2000},
            {"Id": "bad", "MessageBody": "\x00"},
        ],
    )
    assert [s["Id"] for s in result["Successful"]] == ["ok"]
    assert {f["Id"]: f["Code"] for f in result["Failed"]} == {
        "big": "InvalidParameterValue",
        "bad": "InvalidMessageContents",
    }
    with pytest.raises(ClientError) as raised:
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}]
        )
    assert error_code(raised) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(ClientError) as raised:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert error_code(raised) == "InvalidParameterValue"
