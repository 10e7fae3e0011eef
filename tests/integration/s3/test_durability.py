"""S3 durability: acknowledged puts (single and multipart) survive kill -9; a crash mid-upload leaves no
half object visible and no temp file behind after the restart."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from tests.support.server import make_server


@pytest.mark.slow
def test_acknowledged_puts_survive_sigkill_and_half_uploads_vanish(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = make_server(tmp_path, "--data-dir", str(data)).start()
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    s3: Any = _client(server.url, config)
    s3.create_bucket(Bucket="durable")
    s3.put_bucket_versioning(Bucket="durable", VersioningConfiguration={"Status": "Enabled"})
    bodies = {f"small/{i}": os.urandom(1000 + i) for i in range(50)}
    versions = {
        key: s3.put_object(Bucket="durable", Key=key, Body=body)["VersionId"] for key, body in bodies.items()
    }
    big = os.urandom(6 * 1024 * 1024)
    upload = s3.create_multipart_upload(Bucket="durable", Key="big")["UploadId"]
    parts = []
    for number, start in enumerate(range(0, len(big), 5 * 1024 * 1024), 1):
        etag = s3.upload_part(
            Bucket="durable",
            Key="big",
            UploadId=upload,
            PartNumber=number,
            Body=big[start : start + 5 * 1024 * 1024],
        )["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(
        Bucket="durable", Key="big", UploadId=upload, MultipartUpload={"Parts": parts}
    )

    # An upload the server is still receiving when it dies.
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(
        b"PUT /durable/half HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10485760\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
        b"Signature=0\r\n\r\n"
    )
    sock.sendall(b"x" * 1024 * 1024)
    time.sleep(0.5)
    server.kill()
    sock.close()

    server = make_server(tmp_path, "--data-dir", str(data), port=server.port).start()
    try:
        s3 = _client(server.url, config)
        for key, body in bodies.items():
            got = s3.get_object(Bucket="durable", Key=key)
            assert got["Body"].read() == body and got["VersionId"] == versions[key]
        assert (
            hashlib.md5(s3.get_object(Bucket="durable", Key="big")["Body"].read()).digest()
            == hashlib.md5(big).digest()
        )
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="durable")["Contents"]]
        assert "half" not in keys and len(keys) == 51
        assert list((data / "s3" / "tmp").iterdir()) == []
    finally:
        server.stop()


def _client(url: str, config: Config) -> Any:
    import boto3

    from tests.support.server import CREDENTIALS

    return boto3.client("s3", endpoint_url=url, config=config, **CREDENTIALS)
