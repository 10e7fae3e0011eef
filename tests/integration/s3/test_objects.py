"""S3 objects through boto3: put/get/head with metadata and content headers, ranges, conditional reads,
response-* overrides, copy (directives, across buckets), listing v1/v2, batch delete, tagging, checksums."""

from __future__ import annotations

import base64
import hashlib
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .test_buckets import code


def test_put_get_head_with_metadata_and_headers(s3: Any, bucket: str) -> None:
    put = s3.put_object(
        Bucket=bucket, Key="dir/file name.txt", Body=b"hello world", ContentType="text/plain",
        Metadata={"Owner": "me"}, CacheControl="max-age=60", ContentDisposition="inline",
        StorageClass="STANDARD_IA", Tagging="a=1&b=2",
    )  # fmt: skip
    assert put["ETag"] == f'"{hashlib.md5(b"hello world").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/file name.txt")
    assert got["Body"].read() == b"hello world"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"owner": "me"}
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == "inline"
    assert got["StorageClass"] == "STANDARD_IA"
    assert got["TagCount"] == 2
    head = s3.head_object(Bucket=bucket, Key="dir/file name.txt")
    assert head["ContentLength"] == 11
    assert head["ETag"] == put["ETag"]
    assert s3.get_object_tagging(Bucket=bucket, Key="dir/file name.txt")["TagSet"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"},
    ]  # fmt: skip
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="missing")
    assert code(raised) == ("NoSuchKey", 404)
    assert raised.value.response["Error"]["Key"] == "missing"
    with pytest.raises(ClientError) as raised:
        s3.head_object(Bucket=bucket, Key="missing")
    assert code(raised) == ("404", 404)


def test_range_reads(s3: Any, bucket: str) -> None:
    body = bytes(range(256)) * 4
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    part = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert part["Body"].read() == body[10:20]
    assert part["ContentRange"] == f"bytes 10-19/{len(body)}"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == body[-5:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")["Body"].read() == body[1000:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1020-5000")["Body"].read() == body[1020:]
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=5000-")
    assert code(raised) == ("InvalidRange", 416)


def test_conditional_reads_and_overrides(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"data")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"nope"')
    assert code(raised) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert code(raised)[1] == 304
    later = datetime.now(UTC) + timedelta(hours=1)
    earlier = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=later)
    assert code(raised)[1] == 304
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=earlier)
    assert code(raised) == ("PreconditionFailed", 412)
    got = s3.get_object(
        Bucket=bucket,
        Key="c",
        ResponseContentType="application/json",
        ResponseContentDisposition="attachment",
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "attachment"
    assert got["Body"].read() == b"data"  # an unread body would hold its connection


def test_copy_with_metadata_directives_across_buckets(s3: Any, bucket: str) -> None:
    other = f"copy-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=other)
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", Metadata={"k": "v"}, ContentType="text/x")
    s3.copy_object(Bucket=other, Key="same", CopySource={"Bucket": bucket, "Key": "src"})
    copied = s3.get_object(Bucket=other, Key="same")
    assert (copied["Body"].read(), copied["Metadata"], copied["ContentType"]) == (
        b"copy me",
        {"k": "v"},
        "text/x",
    )
    s3.copy_object(
        Bucket=other, Key="new", CopySource=f"{bucket}/src", MetadataDirective="REPLACE", Metadata={"n": "1"}
    )
    replaced = s3.head_object(Bucket=other, Key="new")
    assert replaced["Metadata"] == {"n": "1"}
    assert replaced["ContentType"] == "binary/octet-stream"
    with pytest.raises(ClientError) as raised:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert code(raised) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as raised:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "missing"})
    assert code(raised) == ("NoSuchKey", 404)


def test_listing_v1_and_v2(s3: Any, bucket: str) -> None:
    keys = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d.txt", "e f.txt"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    flat = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in flat["Contents"]] == keys
    assert flat["KeyCount"] == 6
    grouped = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in grouped["Contents"]] == ["a.txt", "d.txt", "e f.txt"]
    assert grouped["CommonPrefixes"] == [{"Prefix": "b/"}]
    inner = s3.list_objects_v2(Bucket=bucket, Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in inner["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert inner["CommonPrefixes"] == [{"Prefix": "b/c/"}]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, StartAfter="b/2.txt")["Contents"]] == keys[3:]
    pages = list(
        s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
    )
    assert [o["Key"] for page in pages for o in page["Contents"]] == keys
    assert len(pages) == 3
    pages = list(
        s3.get_paginator("list_objects").paginate(
            Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}
        )
    )
    listed = [o["Key"] for page in pages for o in page.get("Contents", [])]
    prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    assert (listed, prefixes) == (["a.txt", "d.txt", "e f.txt"], ["b/"])
    v1 = s3.list_objects(Bucket=bucket, Prefix="b/", MaxKeys=2)
    assert [o["Key"] for o in v1["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert v1["IsTruncated"] is True


def test_delete_objects(s3: Any, bucket: str) -> None:
    for key in ("x", "y", "z"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    result = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "x"}, {"Key": "y"}, {"Key": "nope"}]}
    )
    assert sorted(d["Key"] for d in result["Deleted"]) == ["nope", "x", "y"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["z"]


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_checksums_verified_and_returned(s3: Any, bucket: str, algorithm: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="sum", Body=b"checksum me", ChecksumAlgorithm=algorithm)
    value = put[f"Checksum{algorithm}"]
    head = s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == value
    got = s3.get_object(
        Bucket=bucket, Key="sum", ChecksumMode="ENABLED"
    )  # botocore checks the body against it
    assert got["Body"].read() == b"checksum me"


def test_bad_checksums_are_refused(s3: Any, bucket: str) -> None:
    wrong = base64.b64encode(zlib.crc32(b"other").to_bytes(4, "big")).decode()
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"data", ChecksumCRC32=wrong)
    assert code(raised) == ("BadDigest", 400)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"data", ContentMD5=base64.b64encode(b"0" * 16).decode())
    assert code(raised) == ("BadDigest", 400)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="bad")  # nothing was stored


def test_multipart_upload_rules(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")["UploadId"]
    parts_data = [b"a" * (5 * 1024 * 1024), b"b" * 1024]
    etags = [
        s3.upload_part(
            Bucket=bucket, Key="mp", UploadId=upload, PartNumber=i + 1, Body=data, ChecksumAlgorithm="SHA256"
        )
        for i, data in enumerate(parts_data)
    ]
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [(1, 5 * 1024 * 1024), (2, 1024)]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [upload]
    parts = [
        {"PartNumber": i + 1, "ETag": e["ETag"], "ChecksumSHA256": e["ChecksumSHA256"]}
        for i, e in enumerate(etags)
    ]
    with pytest.raises(ClientError) as raised:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts[::-1]}
        )
    assert code(raised) == ("InvalidPartOrder", 400)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    digests = b"".join(hashlib.md5(d).digest() for d in parts_data)
    assert done["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-2"'
    assert done["ChecksumSHA256"].endswith("-2")
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"".join(parts_data)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    small = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    tags = [
        s3.upload_part(Bucket=bucket, Key="small", UploadId=small, PartNumber=n, Body=b"x")["ETag"]
        for n in (1, 2)
    ]
    small_parts = [{"PartNumber": n, "ETag": t} for n, t in zip((1, 2), tags, strict=True)]
    with pytest.raises(ClientError) as raised:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="small", UploadId=small, MultipartUpload={"Parts": small_parts}
        )
    assert code(raised) == ("EntityTooSmall", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=small)
    with pytest.raises(ClientError) as raised:
        s3.list_parts(Bucket=bucket, Key="small", UploadId=small)
    assert code(raised) == ("NoSuchUpload", 404)


def test_conditional_writes(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")["ETag"]
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert code(raised) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfMatch='"0000"')
    assert code(raised) == ("PreconditionFailed", 412)
    s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"second"


def test_get_object_attributes(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="attr", Body=b"attributes", ChecksumAlgorithm="SHA256")
    found = s3.get_object_attributes(
        Bucket=bucket, Key="attr", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"]
    )
    assert found["ETag"] == put["ETag"].strip('"')
    assert (found["ObjectSize"], found["StorageClass"]) == (10, "STANDARD")
    assert found["Checksum"]["ChecksumSHA256"] == put["ChecksumSHA256"]


def test_upload_part_copy(s3: Any, bucket: str) -> None:
    source = bytes(range(256)) * 40
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    part = s3.upload_part_copy(
        Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=100-1099",
    )  # fmt: skip
    s3.complete_multipart_upload(
        Bucket=bucket, Key="assembled", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]},
    )  # fmt: skip
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == source[100:1100]
