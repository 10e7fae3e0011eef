"""S3 through the AWS CLI, as a user runs it (its own process): `aws s3 mb/cp/sync/ls/rm` with the CLI's
default checksums, a multipart upload downloaded back byte for byte, and `aws s3api` calls."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import ServerProcess, run_aws

MB = 1024 * 1024


@pytest.mark.slow
def test_cp_multipart_round_trip(server: ServerProcess, s3: Any, tmp_path: Path) -> None:
    bucket = f"cli-{uuid.uuid4().hex[:10]}"
    run_aws(server, "s3", "mb", f"s3://{bucket}")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(20 * MB))
    run_aws(server, "s3", "cp", str(big), f"s3://{bucket}/data/big.bin", "--no-progress")
    head = s3.head_object(Bucket=bucket, Key="data/big.bin", ChecksumMode="ENABLED")
    assert head["ContentLength"] == 20 * MB
    assert head["ETag"].endswith('-3"')  # the CLI's 8 MiB parts
    assert head["ChecksumCRC32"].endswith("-3")  # the CLI's default checksum, per part
    back = tmp_path / "back.bin"
    run_aws(server, "s3", "cp", f"s3://{bucket}/data/big.bin", str(back), "--no-progress")
    assert back.read_bytes() == big.read_bytes()


@pytest.mark.slow
def test_sync_ls_rm(server: ServerProcess, tmp_path: Path) -> None:
    bucket = f"cli-{uuid.uuid4().hex[:10]}"
    run_aws(server, "s3", "mb", f"s3://{bucket}")
    small = tmp_path / "small.bin"
    small.write_bytes(b"small")
    run_aws(server, "s3", "cp", str(small), f"s3://{bucket}/data/big.bin", "--no-progress")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a")
    (tree / "sub" / "b.txt").write_text("b")
    run_aws(server, "s3", "sync", str(tree), f"s3://{bucket}/tree", "--no-progress")
    listing = run_aws(server, "s3", "ls", f"s3://{bucket}/", "--recursive").stdout
    assert "tree/a.txt" in listing and "tree/sub/b.txt" in listing and "data/big.bin" in listing
    top = run_aws(server, "s3", "ls", f"s3://{bucket}/").stdout
    assert "PRE data/" in top and "PRE tree/" in top
    assert bucket in run_aws(server, "s3", "ls").stdout
    (tree / "a.txt").write_text("changed a")
    synced = run_aws(server, "s3", "sync", str(tree), f"s3://{bucket}/tree", "--no-progress").stdout
    assert "a.txt" in synced and "b.txt" not in synced
    run_aws(server, "s3", "rm", f"s3://{bucket}/tree", "--recursive")
    assert "tree/" not in run_aws(server, "s3", "ls", f"s3://{bucket}/", "--recursive").stdout
    run_aws(server, "s3", "rb", f"s3://{bucket}", "--force")
    assert bucket not in run_aws(server, "s3", "ls").stdout


def test_s3api_calls(server: ServerProcess, tmp_path: Path) -> None:
    bucket = f"api-{uuid.uuid4().hex[:10]}"
    run_aws(server, "s3api", "create-bucket", "--bucket", bucket)
    body = tmp_path / "body.txt"
    body.write_text("0123456789")
    put = json.loads(
        run_aws(server, "s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", str(body)).stdout
    )
    assert put["ETag"]
    ranged = tmp_path / "ranged.txt"
    run_aws(
        server, "s3api", "get-object", "--bucket", bucket, "--key", "k", "--range", "bytes=2-4", str(ranged)
    )
    assert ranged.read_text() == "234"
    location = json.loads(run_aws(server, "s3api", "get-bucket-location", "--bucket", bucket).stdout)
    assert location["LocationConstraint"] is None
    run_aws(server, "s3api", "copy-object", "--bucket", bucket, "--key", "k2", "--copy-source", f"{bucket}/k")
    keys = json.loads(run_aws(server, "s3api", "list-objects-v2", "--bucket", bucket).stdout)
    assert [o["Key"] for o in keys["Contents"]] == ["k", "k2"]
    missing = run_aws(server, "s3api", "head-bucket", "--bucket", f"{bucket}-gone", check=False)
    assert missing.returncode != 0 and "404" in missing.stderr
