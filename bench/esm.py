"""Event source mapping benchmarks: send-to-handler-start latency and sustained throughput, SQS and Kinesis.

The handler appends, for every record, (its start time, the send time carried in the record) to a file, so
latency is measured on one machine clock without the handler reporting over the network.

1. SQS latency: one message at a time (spaced out), a mapping with BatchSize 10 and no window.
2. SQS throughput: N messages sent by SendMessageBatch from a few threads; messages/s until all handled.
3. Kinesis latency and throughput: the same through PutRecord / PutRecords and a mapping with no window.

Run: .venv/bin/python bench/esm.py   (targets: SQS p50 < 10 ms, p99 < 50 ms; Kinesis p50 < 20 ms)
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.server import ServerProcess, make_server

ROLE = "arn:aws:iam::000000000000:role/bench"
HANDLER = """
import base64, json, os, time
PATH = os.environ["OUT"]
def handler(event, context):
    start = time.time()
    lines = []
    for record in event["Records"]:
        if "body" in record:
            sent = json.loads(record["body"])["t"]
        else:
            sent = json.loads(base64.b64decode(record["kinesis"]["data"]))["t"]
        lines.append(f"{start} {sent}\\n")
    with open(PATH, "a") as out:
        out.write("".join(lines))
"""
LATENCY_SAMPLES = 300
THROUGHPUT_MESSAGES = 5000


def function(server: ServerProcess, name: str, out: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", HANDLER)
    server.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": archive.getvalue()}, Timeout=60, Environment={"Variables": {"OUT": str(out)}},
    )  # fmt: skip


def lines(out: Path) -> list[tuple[float, float]]:
    if not out.exists():
        return []
    return [(float(a), float(b)) for a, b in (line.split() for line in out.read_text().splitlines() if line)]


def wait_for(out: Path, count: int, timeout: float = 120.0) -> list[tuple[float, float]]:
    deadline = time.monotonic() + timeout
    while len(found := lines(out)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(found)} of {count} records handled")
        time.sleep(0.005)
    return found


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    print(f"{label:<28} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   (n={len(samples)})")


def latency(send: Any, out: Path) -> list[float]:
    samples = []
    for index in range(LATENCY_SAMPLES):
        send(json.dumps({"t": time.time()}))
        found = wait_for(out, index + 1)
        start, sent = found[-1]
        samples.append((start - sent) * 1000)
        time.sleep(0.01)
    return samples[10:]  # the first few include the cold start


def throughput(label: str, send_many: Any, out: Path, already: int) -> None:
    started = time.perf_counter()
    bodies = [json.dumps({"t": time.time()}) for _ in range(THROUGHPUT_MESSAGES)]
    chunks = [bodies[i : i + 10] for i in range(0, len(bodies), 10)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send_many, chunks))
    sent = time.perf_counter() - started
    wait_for(out, already + THROUGHPUT_MESSAGES, timeout=300)
    elapsed = time.perf_counter() - started
    print(
        f"{label:<28} {THROUGHPUT_MESSAGES / elapsed:8.0f} messages/s handled "
        f"(sending took {sent:.2f} s, all handled after {elapsed:.2f} s)"
    )


def bench_sqs(server: ServerProcess, folder: Path) -> None:
    sqs, lambda_ = server.client("sqs"), server.client("lambda")
    url = sqs.create_queue(QueueName="bench")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    out = folder / "sqs.txt"
    function(server, "sqs-bench", out)
    lambda_.create_event_source_mapping(EventSourceArn=arn, FunctionName="sqs-bench", BatchSize=10)
    time.sleep(0.5)
    report(
        "SQS send -> handler start",
        latency(lambda body: sqs.send_message(QueueUrl=url, MessageBody=body), out),
    )
    clients = [server.client("sqs") for _ in range(4)]

    def send_many(chunk: list[str]) -> None:
        client = clients[hash(chunk[0]) % len(clients)]
        client.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(chunk)]
        )

    throughput("SQS sustained", send_many, out, LATENCY_SAMPLES)


def bench_kinesis(server: ServerProcess, folder: Path) -> None:
    kinesis, lambda_ = server.client("kinesis"), server.client("lambda")
    kinesis.create_stream(StreamName="bench", ShardCount=2)
    arn = kinesis.describe_stream_summary(StreamName="bench")["StreamDescriptionSummary"]["StreamARN"]
    out = folder / "kinesis.txt"
    function(server, "kinesis-bench", out)
    lambda_.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="kinesis-bench", StartingPosition="LATEST", BatchSize=100
    )
    time.sleep(0.5)

    def put(body: str) -> None:
        kinesis.put_record(StreamName="bench", PartitionKey=str(time.time_ns()), Data=body.encode())

    report("Kinesis put -> handler start", latency(put, out))
    clients = [server.client("kinesis") for _ in range(4)]

    def send_many(chunk: list[str]) -> None:
        client = clients[hash(chunk[0]) % len(clients)]
        records = [{"PartitionKey": str(i), "Data": b.encode()} for i, b in enumerate(chunk)]
        client.put_records(StreamName="bench", Records=records)

    throughput("Kinesis sustained", send_many, out, LATENCY_SAMPLES)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        server = make_server(folder, "--in-memory", "--log-level", "warning").start()
        try:
            bench_sqs(server, folder)
            bench_kinesis(server, folder)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
