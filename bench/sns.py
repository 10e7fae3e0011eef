"""SNS benchmark: Publish to a topic with one SQS subscriber, sequentially with boto3.

Prints the Publish call's ms/op and the publish-to-receive latency (from Publish being called to the
message arriving through a long-polling ReceiveMessage on another thread) at p50 and p99, for an
envelope subscriber and a raw one, at durability "normal". Numbers are printed, never asserted.

Run: .venv/bin/python bench/sns.py [messages]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.server import ServerProcess, make_server

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 300


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(server: ServerProcess, raw: bool) -> None:
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name=f"bench-{'raw' if raw else 'envelope'}")["TopicArn"]
    url = sqs.create_queue(QueueName=f"bench-{'raw' if raw else 'envelope'}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true" if raw else "false"},
    )
    sent: dict[str, float] = {}
    latencies: list[float] = []
    done, stop = threading.Event(), threading.Event()

    def receive() -> None:
        receiver = server.client("sqs")
        while len(latencies) < COUNT and not stop.is_set():
            reply = receiver.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            arrived = time.perf_counter()
            messages = reply.get("Messages", [])
            for message in messages:
                body = message["Body"] if raw else json.loads(message["Body"])["Message"]
                if body in sent:
                    latencies.append((arrived - sent[body]) * 1000)
            if messages:
                receiver.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
                    ],
                )
        done.set()

    consumer = threading.Thread(target=receive, daemon=True)
    consumer.start()
    publish_ms: list[float] = []
    for i in range(COUNT):
        body = f"message {i}"
        started = sent[body] = time.perf_counter()
        sns.publish(TopicArn=topic, Message=body)
        publish_ms.append((time.perf_counter() - started) * 1000)
    done.wait(60)
    stop.set()
    consumer.join()
    label = "raw     " if raw else "envelope"
    print(
        f"{label}  Publish {statistics.mean(publish_ms):6.2f} ms/op   "
        f"publish-to-receive p50 {percentile(latencies, 0.5):6.2f} ms  "
        f"p99 {percentile(latencies, 0.99):6.2f} ms  "
        f"({len(latencies)}/{COUNT} received)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(Path(folder), "--data-dir", str(Path(folder) / "data")).start()
        try:
            print(f"SNS -> SQS, {COUNT} messages, sequential boto3, durability normal")
            run(server, raw=False)
            run(server, raw=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
