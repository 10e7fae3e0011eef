"""Kinesis over CBOR (application/x-amz-cbor-1.1), as the Java SDK and the KCL send it: requests encoded
here with cbor2, answers decoded with cbor2 (blobs are byte strings, timestamps tag 1 epoch milliseconds)."""

from __future__ import annotations

import time
from typing import Any

import cbor2
import httpx
import pytest

from tests.integration.kinesis.conftest import shard_for
from tests.support.server import ServerProcess

CBOR = "application/x-amz-cbor-1.1"


def call(server: ServerProcess, operation: str, body: dict[str, Any], status: int = 200) -> Any:
    reply = httpx.post(
        server.url + "/",
        headers={
            "Content-Type": CBOR,
            "X-Amz-Target": f"Kinesis_20131202.{operation}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
        content=cbor2.dumps(body),
    )
    assert reply.status_code == status, reply.content
    assert reply.headers["content-type"] == CBOR
    # Tag 1 stays a raw tag: it holds epoch milliseconds, which cbor2 would misread as seconds.
    return cbor2.loads(reply.content, semantic_decoders={1: lambda value, immutable: cbor2.CBORTag(1, value)})


@pytest.fixture
def stream(server: ServerProcess, name: str) -> str:
    server.client("kinesis").create_stream(StreamName=name, ShardCount=2)
    return name


def test_put_and_get_records_in_cbor(server: ServerProcess, stream: str) -> None:
    payload = bytes(range(256))  # binary data travels as a CBOR byte string, not base64
    put = call(server, "PutRecord", {"StreamName": stream, "Data": payload, "PartitionKey": "java"})
    assert put["ShardId"] == shard_for("java", 2)
    batch = call(
        server,
        "PutRecords",
        {
            "StreamName": stream,
            "Records": [{"Data": f"r{n}".encode(), "PartitionKey": "java"} for n in range(3)],
        },
    )
    assert batch["FailedRecordCount"] == 0 and len(batch["Records"]) == 3
    iterator = call(
        server,
        "GetShardIterator",
        {"StreamName": stream, "ShardId": put["ShardId"], "ShardIteratorType": "AT_SEQUENCE_NUMBER",
         "StartingSequenceNumber": put["SequenceNumber"]},
    )["ShardIterator"]  # fmt: skip
    page = call(server, "GetRecords", {"ShardIterator": iterator, "Limit": 10})
    assert [r["Data"] for r in page["Records"]] == [payload, b"r0", b"r1", b"r2"]
    assert isinstance(page["Records"][0]["Data"], bytes)
    stamp = page["Records"][0]["ApproximateArrivalTimestamp"]
    # Java's SDK reads timestamps as tag 1 holding epoch milliseconds.
    assert isinstance(stamp, cbor2.CBORTag) and stamp.tag == 1 and isinstance(stamp.value, int)
    assert abs(stamp.value / 1000 - time.time()) < 3600
    assert page["MillisBehindLatest"] == 0 and isinstance(page["NextShardIterator"], str)


def test_at_timestamp_in_epoch_milliseconds(server: ServerProcess, stream: str) -> None:
    newer = call(server, "PutRecord", {"StreamName": stream, "Data": b"new", "PartitionKey": "k"})
    first = call(
        server,
        "GetShardIterator",
        {"StreamName": stream, "ShardId": newer["ShardId"], "ShardIteratorType": "TRIM_HORIZON"},
    )["ShardIterator"]
    when = call(server, "GetRecords", {"ShardIterator": first})["Records"][-1][
        "ApproximateArrivalTimestamp"
    ].value

    iterator = call(
        server,
        "GetShardIterator",
        {"StreamName": stream, "ShardId": newer["ShardId"], "ShardIteratorType": "AT_TIMESTAMP",
         "Timestamp": cbor2.CBORTag(1, when)},
    )["ShardIterator"]  # fmt: skip
    records = call(server, "GetRecords", {"ShardIterator": iterator})["Records"]
    assert records[-1]["Data"] == b"new"
    assert all(r["ApproximateArrivalTimestamp"].value >= when for r in records)


def test_errors_come_back_in_cbor(server: ServerProcess, stream: str) -> None:
    error = call(server, "GetRecords", {"ShardIterator": "bm90IGFuIGl0ZXJhdG9y"}, status=400)
    assert error == {"__type": "InvalidArgumentException", "message": "Invalid ShardIterator."}
    error = call(server, "DescribeStreamSummary", {"StreamName": f"{stream}-gone"}, status=400)
    assert error["__type"] == "ResourceNotFoundException"
