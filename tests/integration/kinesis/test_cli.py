"""Kinesis through the AWS CLI (v1, its own process and botocore) against a real millpond."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.integration.kinesis.conftest import shard_for
from tests.support.server import ServerProcess, run_aws


def aws(server: ServerProcess, *args: str) -> Any:
    output = run_aws(server, "kinesis", *args).stdout
    return json.loads(output) if output.strip() else None


def read(server: ServerProcess, stream: str, shard: str, *position: str) -> list[dict[str, Any]]:
    iterator = aws(server, "get-shard-iterator", "--stream-name", stream, "--shard-id", shard, *position)[
        "ShardIterator"
    ]
    return list(aws(server, "get-records", "--shard-iterator", iterator)["Records"])


def test_cli_streams_records_resharding_tags_and_retention(server: ServerProcess, name: str) -> None:
    aws(server, "create-stream", "--stream-name", name, "--shard-count", "2")
    aws(server, "wait", "stream-exists", "--stream-name", name)
    shards = aws(server, "list-shards", "--stream-name", name)["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000", "shardId-000000000001"]

    sent: dict[str, list[str]] = {}
    for key in ("alpha", "beta"):  # MD5 puts these two on different shards
        # The CLI (v1) sends blob arguments as the text's bytes.
        put = aws(
            server, "put-record", "--stream-name", name, "--partition-key", key, "--data", f"hello {key}"
        )
        assert put["ShardId"] == shard_for(key, 2)
        sent.setdefault(put["ShardId"], []).append(f"hello {key}")
    entries = [{"Data": f"batch {n}", "PartitionKey": f"b{n}"} for n in range(6)]
    batch = aws(server, "put-records", "--stream-name", name, "--records", json.dumps(entries))
    assert batch["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in batch["Records"]] == [shard_for(f"b{n}", 2) for n in range(6)]
    for entry, result in zip(entries, batch["Records"], strict=True):
        sent[result["ShardId"]].append(entry["Data"])

    first: dict[str, Any] = {}
    for shard, texts in sorted(sent.items()):
        records = read(server, name, shard, "--shard-iterator-type", "TRIM_HORIZON")
        # The CLI prints blobs base64-encoded.
        assert [base64.b64decode(r["Data"]).decode() for r in records] == texts
        first[shard] = records
    shard, records = sorted(first.items())[0]
    later = read(server, name, shard, "--shard-iterator-type", "AFTER_SEQUENCE_NUMBER",
                 "--starting-sequence-number", records[0]["SequenceNumber"])  # fmt: skip
    assert [r["SequenceNumber"] for r in later] == [r["SequenceNumber"] for r in records[1:]]

    aws(server, "split-shard", "--stream-name", name, "--shard-to-split", "shardId-000000000000",
        "--new-starting-hash-key", str(2**126))  # fmt: skip
    aws(server, "merge-shards", "--stream-name", name, "--shard-to-merge", "shardId-000000000003",
        "--adjacent-shard-to-merge", "shardId-000000000001")  # fmt: skip
    summary = aws(server, "describe-stream-summary", "--stream-name", name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2

    aws(server, "add-tags-to-stream", "--stream-name", name, "--tags", "team=data,env=test")
    tags = aws(server, "list-tags-for-stream", "--stream-name", name)["Tags"]
    assert tags == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "data"}]
    aws(server, "increase-stream-retention-period", "--stream-name", name, "--retention-period-hours", "72")
    assert (
        aws(server, "describe-stream", "--stream-name", name)["StreamDescription"]["RetentionPeriodHours"]
        == 72
    )

    failed = run_aws(server, "kinesis", "describe-stream", "--stream-name", f"{name}-missing", check=False)
    assert failed.returncode != 0
    assert "ResourceNotFoundException" in failed.stderr and "not found" in failed.stderr
    aws(server, "delete-stream", "--stream-name", name)
    aws(server, "wait", "stream-not-exists", "--stream-name", name)
