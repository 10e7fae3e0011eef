"""SQS benchmarks against baselines measured in the same run.

1. Sequential boto3 (one client, one thread): SendMessage and ReceiveMessage+DeleteMessage in ms/op, against
   the client floor: the same boto3 calls to a bare ASGI app on the same granian answering the same bytes.
2. Server throughput under a concurrent keep-alive load generator: SendMessage, SendMessageBatch (10) and
   ReceiveMessage (VisibilityTimeout 0 on a filled queue, so every request returns a message), at durability
   "normal" and "full", against the stack's null-request rate (STS GetCallerIdentity through millpond).

Run: .venv/bin/python bench/sqs.py   (targets: sequential <= 1.10x floor; SendMessage >= 0.5x null rate)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from botocore.config import Config
from tests.support.server import CREDENTIALS, ServerProcess, make_server

from _load import post, requests_per_second, start_bare

SEQUENTIAL_OPS = 400
STS = (b"Action=GetCallerIdentity&Version=2011-06-15", {"Content-Type": "application/x-www-form-urlencoded"})


def sqs_request(operation: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{operation}"}
    return json.dumps(payload).encode(), headers


def ms_per_op(fn: Callable[[], None], count: int = SEQUENTIAL_OPS) -> float:
    for _ in range(20):
        fn()
    started = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - started) * 1000 / count


def raw_reply(port: int, body: bytes, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, headers=headers)
    return urllib.request.urlopen(request).read()


def rate(port: int, body: bytes, headers: dict[str, str]) -> float:
    return requests_per_second("127.0.0.1", port, post("/", "127.0.0.1", port, body, headers), seconds=3.0)


def client(port: int) -> Any:
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    return boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{port}", config=config, **CREDENTIALS)


def sequential(server: ServerProcess) -> dict[str, float]:
    sqs = client(server.port)
    url = sqs.create_queue(QueueName="bench-seq")["QueueUrl"]
    results = {"send": ms_per_op(lambda: sqs.send_message(QueueUrl=url, MessageBody="hello world"))}

    def receive_delete() -> None:
        messages = sqs.receive_message(QueueUrl=url).get("Messages", [])
        if messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])

    results["receive+delete"] = ms_per_op(receive_delete, SEQUENTIAL_OPS - 20)
    # The floor: the same calls answered with the same bytes by a bare app.
    send_reply = raw_reply(server.port, *sqs_request("SendMessage", {"QueueUrl": url, "MessageBody": "x"}))
    sqs.send_message(QueueUrl=url, MessageBody="hello world")
    receive_reply = raw_reply(
        server.port, *sqs_request("ReceiveMessage", {"QueueUrl": url, "VisibilityTimeout": 0})
    )
    for key, reply in (("send", send_reply), ("receive+delete", receive_reply)):
        bare, port = start_bare(reply)
        try:
            bare_client = client(port)
            if key == "send":
                results["floor send"] = ms_per_op(
                    lambda c=bare_client: c.send_message(QueueUrl=url, MessageBody="x")
                )
            else:

                def floor(c: Any = bare_client) -> None:
                    handle = c.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
                    c.delete_message(QueueUrl=url, ReceiptHandle=handle)

                results["floor receive+delete"] = ms_per_op(floor, SEQUENTIAL_OPS - 20)
        finally:
            bare.terminate()
            bare.wait()
    return results


def throughput(server: ServerProcess) -> dict[str, float]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="bench-load")["QueueUrl"]
    out = {"null (STS)": rate(server.port, *STS)}
    out["SendMessage"] = rate(
        server.port, *sqs_request("SendMessage", {"QueueUrl": url, "MessageBody": "hello"})
    )
    entries = [{"Id": str(i), "MessageBody": f"hello {i}"} for i in range(10)]
    out["SendMessageBatch(10)"] = rate(
        server.port, *sqs_request("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    )
    receive = {"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 0}
    out["ReceiveMessage(10)"] = rate(server.port, *sqs_request("ReceiveMessage", receive))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(
            Path(tmp), "--data-dir", str(Path(tmp) / "normal"), "--log-level", "warning"
        ).start()
        try:
            seq = sequential(server)
            normal = throughput(server)
        finally:
            server.stop()
        full_dir = Path(tmp) / "full"
        full_dir.mkdir()
        server = make_server(
            full_dir, "--data-dir", str(full_dir / "data"), "--durability", "full", "--log-level", "warning"
        ).start()
        try:
            full = throughput(server)
        finally:
            server.stop()
    print("millpond SQS benchmark")
    print("  sequential boto3 (ms/op)      millpond   floor   ratio (target <= 1.10)")
    for key in ("send", "receive+delete"):
        print(f"    {key:<28}{seq[key]:8.3f}{seq['floor ' + key]:8.3f}{seq[key] / seq['floor ' + key]:8.2f}")
    for label, figures in (("normal", normal), ("full", full)):
        null = figures["null (STS)"]
        print(f"  concurrent load, durability {label} (req/s; ratio to the null request {null:,.0f}/s)")
        for key, value in figures.items():
            if key != "null (STS)":
                print(f"    {key:<28}{value:10,.0f}{value / null:8.2f}")
    print("  target: SendMessage >= 0.50 of the null-request rate")


if __name__ == "__main__":
    main()
