"""kill -9 after acknowledged publishes: the outbox in SQLite delivers them after restart, to SQS at
once and to an HTTP endpoint that was down at the crash once its retry comes due; the signing
certificate is the same one."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from tests.integration.sns.conftest import advance, make_queue
from tests.integration.sns.test_http import Endpoint
from tests.support.server import ServerProcess, make_server


def certificate(url: str) -> bytes:
    with urllib.request.urlopen(url + "/_millpond/sns/SimpleNotificationService.pem", timeout=5) as reply:
        return bytes(reply.read())


def test_acknowledged_publishes_are_delivered_after_sigkill(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    server = make_server(tmp_path, "--data-dir", data).start()
    sns = server.client("sns")
    topic = sns.create_topic(Name="durable")["TopicArn"]
    url, arn = make_queue(server, "durable-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    endpoint = Endpoint()
    port = endpoint.server.server_address[1]
    sub = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url + "/ok", ReturnSubscriptionArn=True
    )
    endpoint.wait_for(lambda got: len(got) == 1)
    ((_, confirmation),) = endpoint.of("/ok", "SubscriptionConfirmation")
    sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])
    endpoint.server.shutdown()
    endpoint.server.server_close()  # the HTTP subscriber is down from here
    before = certificate(server.url)

    count = 200
    for i in range(0, count, 10):
        entries = [{"Id": f"e{j}", "Message": f"m{i + j}"} for j in range(10)]
        assert not sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)["Failed"]
    server.kill()

    server = make_server(tmp_path, "--data-dir", data, port=server.port).start()
    try:
        assert certificate(server.url) == before
        sqs = server.client("sqs")
        received = drain_unique(server, url, count)
        assert received == {f"m{i}" for i in range(count)}
        revived = Endpoint(port)
        advance(server, 25)  # the HTTP retries come due
        revived.wait_for(lambda got: len({json.loads(b)["Message"] for _, _, b in got}) == count, timeout=60)
        notes = revived.of("/ok", "Notification")
        assert {note["Message"] for _, note in notes} == {f"m{i}" for i in range(count)}
        assert all(h["x-amz-sns-subscription-arn"] == sub["SubscriptionArn"] for h, _ in notes)
        revived.server.shutdown()
        revived.server.server_close()
        assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    finally:
        server.stop()


def drain_unique(server: ServerProcess, url: str, count: int) -> set[str]:
    """Bodies until `count` distinct ones arrived (a crash between delivery and its record may repeat one)."""
    sqs = server.client("sqs")
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    while len(seen) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            seen.add(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen
