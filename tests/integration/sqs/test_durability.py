"""Durability and load: acknowledged sends survive SIGKILL; 30 concurrent consumers over 10,000 messages
lose none and never get a message twice inside its visibility window."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.support.server import make_server


def test_acknowledged_messages_survive_sigkill(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    server = make_server(tmp_path, "--data-dir", data).start()
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="durable")["QueueUrl"]
    count = 250
    for i in range(0, count, 10):
        entries = [{"Id": str(j), "MessageBody": f"m{i + j}"} for j in range(10)]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
    # An acknowledged delete and visibility change survive too.
    (first,) = sqs.receive_message(QueueUrl=url)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    (second,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0)
    server.kill()
    server = make_server(tmp_path, "--data-dir", data, port=server.port).start()
    try:
        sqs = server.client("sqs")
        bodies: list[str] = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600)
            messages = got.get("Messages", [])
            if not messages:
                break
            bodies += [m["Body"] for m in messages]
        assert len(bodies) == count - 1 and len(set(bodies)) == count - 1
        assert first["Body"] not in bodies and second["Body"] in bodies
    finally:
        server.stop()


def test_thirty_consumers_ten_thousand_messages(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--data-dir", str(tmp_path / "data")).start()
    try:
        producer = server.client("sqs")
        url = producer.create_queue(QueueName="load", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        total = 10_000

        def produce(start: int) -> None:
            client = server.client("sqs")
            for i in range(start, start + 1000, 10):
                entries = [{"Id": str(j), "MessageBody": str(i + j)} for j in range(10)]
                assert not client.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")

        with ThreadPoolExecutor(10) as pool:
            for future in [pool.submit(produce, start) for start in range(0, total, 1000)]:
                future.result(120)
        deliveries: Counter[str] = Counter()
        errors: list[BaseException] = []
        lock = threading.Lock()
        deleted = 0

        def consume() -> None:
            nonlocal deleted
            client = server.client("sqs")
            try:
                while True:
                    with lock:
                        if deleted >= total:
                            return
                    got: dict[str, Any] = client.receive_message(
                        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                    )
                    messages = got.get("Messages", [])
                    if not messages:
                        continue
                    with lock:
                        deliveries.update(m["Body"] for m in messages)
                    entries = [
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
                    ]
                    result = client.delete_message_batch(QueueUrl=url, Entries=entries)
                    assert not result.get("Failed"), result["Failed"]
                    with lock:
                        deleted += len(result["Successful"])
            except BaseException as error:  # reported below, with the others
                errors.append(error)

        started = time.monotonic()
        threads = [threading.Thread(target=consume) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        elapsed = time.monotonic() - started
        assert not errors, errors[:3]
        assert set(deliveries) == {str(i) for i in range(total)}  # none lost
        assert max(deliveries.values()) == 1  # none twice inside its 60 s visibility window
        attrs = producer.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
        assert elapsed < 60, elapsed
    finally:
        server.stop()
