"""Kinesis benchmarks against baselines measured in the same run.

1. Sequential boto3 PutRecord (one client, one thread) in ms/op, against the client floor: the same boto3
   call to a bare ASGI app on the same granian answering the same bytes. Target: within 1.10x of the floor.
   A null request (STS GetCallerIdentity) measured the same way shows how much of the gap is the stack's.
2. PutRecords with 500-record batches under a concurrent keep-alive load generator, in records/s.
   Target: at least 50,000 records/s.
3. GetRecords returning 10,000 records per call: ms per call and records/s, over raw HTTP (server and
   transfer) and through boto3 (which adds its own parsing).

The server runs on a data directory at durability "normal" (what `millpond up` does by default).
Run: .venv/bin/python bench/kinesis.py
"""

from __future__ import annotations

import base64
import json
import statistics
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
from tests.support.server import CREDENTIALS, make_server

from _load import post, requests_per_second, start_bare

SEQUENTIAL_OPS = 400
RECORD = b"x" * 100
JSON_11 = "application/x-amz-json-1.1"
STS = (b"Action=GetCallerIdentity&Version=2011-06-15", {"Content-Type": "application/x-www-form-urlencoded"})


def kinesis_request(operation: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return json.dumps(payload).encode(), {
        "Content-Type": JSON_11,
        "X-Amz-Target": f"Kinesis_20131202.{operation}",
    }


def send(port: int, body: bytes, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, headers=headers)
    reply: bytes = urllib.request.urlopen(request).read()
    return reply


def call(port: int, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = json.loads(send(port, *kinesis_request(operation, payload)) or b"{}")
    return reply


def boto3_client(service: str, port: int) -> Any:
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", config=config, **CREDENTIALS)


def client(port: int) -> Any:
    return boto3_client("kinesis", port)


def interleaved(
    calls: dict[str, Callable[[], object]], count: int = SEQUENTIAL_OPS, rounds: int = 5
) -> dict[str, float]:
    """ms/op of each call, best of `rounds`; the calls take turns, so load on the machine hits all alike."""
    for fn in calls.values():
        for _ in range(50):
            fn()
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, fn in calls.items():
            started = time.perf_counter()
            for _ in range(count):
                fn()
            best[name] = min(best[name], (time.perf_counter() - started) * 1000 / count)
    return best


def put_records_body(stream: str, count: int) -> tuple[bytes, dict[str, str]]:
    data = base64.b64encode(RECORD).decode()
    records = [{"Data": data, "PartitionKey": f"key-{n}"} for n in range(count)]
    return kinesis_request("PutRecords", {"StreamName": stream, "Records": records})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(
            Path(tmp), "--data-dir", str(Path(tmp) / "data"), "--log-level", "warning"
        ).start()
        try:
            port = server.port
            kinesis = client(port)
            kinesis.create_stream(StreamName="bench", ShardCount=4)
            kinesis.create_stream(StreamName="wide", ShardCount=4)
            kinesis.create_stream(StreamName="reads", ShardCount=1)

            # 1. sequential PutRecord through boto3 and the same calls to a bare app with the same reply; a
            # null request (STS GetCallerIdentity) both ways shows how much of the gap is the stack's
            reply_body, reply_headers = kinesis_request(
                "PutRecord",
                {"StreamName": "bench", "Data": base64.b64encode(RECORD).decode(), "PartitionKey": "k"},
            )
            bare_put, put_port = start_bare(send(port, reply_body, reply_headers))
            bare_sts, sts_port = start_bare(send(port, *STS))
            try:
                floor_client = client(put_port)
                times = interleaved(
                    {
                        "put": lambda: kinesis.put_record(StreamName="bench", Data=RECORD, PartitionKey="k"),
                        "floor": lambda: floor_client.put_record(
                            StreamName="bench", Data=RECORD, PartitionKey="k"
                        ),
                        "null": boto3_client("sts", port).get_caller_identity,
                        "null_floor": boto3_client("sts", sts_port).get_caller_identity,
                    }
                )
            finally:
                for bare in (bare_put, bare_sts):
                    bare.terminate()
                    bare.wait()

            # 2. GetRecords of 10,000 records per call (filled with PutRecords beforehand)
            fill, fill_headers = put_records_body("reads", 500)
            for _ in range(20):
                send(port, fill, fill_headers)
            iterator = call(
                port,
                "GetShardIterator",
                {
                    "StreamName": "reads",
                    "ShardId": "shardId-000000000000",
                    "ShardIteratorType": "TRIM_HORIZON",
                },
            )["ShardIterator"]
            body, headers = kinesis_request("GetRecords", {"ShardIterator": iterator, "Limit": 10000})
            assert len(json.loads(send(port, body, headers))["Records"]) == 10000
            raw_times = []
            for _ in range(10):
                started = time.perf_counter()
                send(port, body, headers)
                raw_times.append(time.perf_counter() - started)
            boto_times = []
            for _ in range(5):
                started = time.perf_counter()
                kinesis.get_records(ShardIterator=iterator, Limit=10000)
                boto_times.append(time.perf_counter() - started)
            raw_ms = statistics.median(raw_times) * 1000
            boto_ms = statistics.median(boto_times) * 1000

            # 3. PutRecords of 500 records from a concurrent keep-alive load generator
            body, headers = put_records_body("wide", 500)
            request = post("/", "127.0.0.1", port, body, headers)
            batches = requests_per_second("127.0.0.1", port, request, seconds=4.0, connections=8)
            records_per_second = batches * 500
        finally:
            server.stop()

    ours, floor, null, null_floor = times["put"], times["floor"], times["null"], times["null_floor"]
    raw_rate, boto_rate = 10000 / raw_ms * 1000, 10000 / boto_ms * 1000
    print("millpond Kinesis benchmark")
    print(f"  sequential boto3 PutRecord:        {ours:.3f} ms/op")
    print(f"  same calls to the bare app:        {floor:.3f} ms/op (client floor)")
    print(f"  ratio millpond / floor:            {ours / floor:.2f} (target <= 1.10)")
    print(
        f"  null request (STS), same way:      {null:.3f} vs {null_floor:.3f} ms/op ({null / null_floor:.2f})"
    )
    print(f"  PutRecord beyond a null request:   {(ours - floor) - (null - null_floor):.3f} ms/op")
    print(f"  PutRecords (500 per call):         {records_per_second:,.0f} records/s (target >= 50,000)")
    print(
        f"  GetRecords, 10,000 records/call:   {raw_ms:.1f} ms/call over raw HTTP ({raw_rate:,.0f} records/s)"
    )
    print(f"                          via boto3: {boto_ms:.1f} ms/call ({boto_rate:,.0f} records/s)")


if __name__ == "__main__":
    main()
