"""S3 on the wire: presigned GET and PUT (SigV2 and SigV4) used from urllib, virtual-hosted requests by
Host header, aws-chunked uploads with trailing checksums as SDKs stream them, and HTTP-level answers."""

from __future__ import annotations

import base64
import urllib.request
import zlib
from typing import Any

import httpx
from botocore.config import Config

from tests.support.server import ServerProcess

from .conftest import s3_client

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
)


def test_presigned_get_and_put_from_urllib(server: ServerProcess, s3: Any, bucket: str) -> None:
    for client in (s3, s3_client(server, signature_version="s3v4")):
        put_url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"})
        request = urllib.request.Request(put_url, data=b"from urllib", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        get_url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "up"})
        with urllib.request.urlopen(get_url, timeout=10) as response:
            assert response.read() == b"from urllib"


def test_virtual_hosted_requests_by_host_header(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="v/h.txt", Body=b"virtual")
    for host in (f"{bucket}.s3.localhost:{server.port}", f"{bucket}.s3.us-east-1.amazonaws.com"):
        got = httpx.get(f"{server.url}/v/h.txt", headers={"Host": host, "Authorization": SIGNED})
        assert (got.status_code, got.content) == (200, b"virtual")
        listed = httpx.get(
            f"{server.url}/", params={"list-type": "2"}, headers={"Host": host, "Authorization": SIGNED}
        )
        assert "<Key>v/h.txt</Key>" in listed.text
    virtual = s3_client(server, s3={"addressing_style": "virtual"})
    virtual.meta.events.register("before-send.s3", _to_localhost(server))
    assert virtual.get_object(Bucket=bucket, Key="v/h.txt")["Body"].read() == b"virtual"


def _to_localhost(server: ServerProcess) -> Any:
    """Send a virtual-hosted request to the server's address, keeping its Host header (no DNS needed)."""

    def rewrite(request: Any, **_: Any) -> None:
        host = request.url.split("/")[2]
        request.headers["Host"] = host
        request.url = request.url.replace(host, f"localhost:{server.port}", 1)

    return rewrite


def _chunked(data: bytes, size: int, signed: bool, trailer: str | None) -> bytes:
    out = b""
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        extension = b";chunk-signature=" + b"0" * 64 if signed else b""
        out += f"{len(piece):x}".encode() + extension + b"\r\n" + piece + b"\r\n"
    out += b"0" + (b";chunk-signature=" + b"0" * 64 if signed else b"") + b"\r\n"
    if trailer:
        out += trailer.encode() + b"\r\n"
    return out + b"\r\n"


def test_aws_chunked_uploads_with_trailing_checksums(server: ServerProcess, s3: Any, bucket: str) -> None:
    data = bytes(range(256)) * 300
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    cases = {
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER": (False, f"x-amz-checksum-crc32:{crc}"),
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": (True, None),
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": (True, f"x-amz-checksum-crc32:{crc}"),
    }
    for mode, (signed, trailer) in cases.items():
        headers = {
            "Authorization": SIGNED, "x-amz-content-sha256": mode, "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(data)),
        }  # fmt: skip
        if trailer:
            headers.update({"x-amz-trailer": "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm": "CRC32"})
        reply = httpx.put(
            f"{server.url}/{bucket}/{mode}", content=_chunked(data, 8192, signed, trailer), headers=headers
        )
        assert reply.status_code == 200, reply.text
        got = s3.get_object(Bucket=bucket, Key=mode, ChecksumMode="ENABLED")
        assert got["Body"].read() == data
        if trailer:
            assert got["ChecksumCRC32"] == crc
    bad = _chunked(data, 8192, False, "x-amz-checksum-crc32:AAAAAA==")
    headers = {"Authorization": SIGNED, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32"}  # fmt: skip
    reply = httpx.put(f"{server.url}/{bucket}/bad", content=bad, headers=headers)
    assert reply.status_code == 400
    assert "<Code>BadDigest</Code>" in reply.text
    truncated = _chunked(data, 8192, False, None)[:5000]
    reply = httpx.put(
        f"{server.url}/{bucket}/cut", content=truncated, headers={**headers, "x-amz-trailer": ""}
    )
    assert reply.status_code == 400
    assert "cut" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_errors_are_s3_xml_and_unknown_paths_stay_unknown(server: ServerProcess, bucket: str) -> None:
    missing = httpx.get(f"{server.url}/{bucket}/nothing", headers={"Authorization": SIGNED})
    assert missing.status_code == 404
    assert (
        "<Code>NoSuchKey</Code>" in missing.text
        and "<RequestId>" in missing.text
        and "<HostId>" in missing.text
    )
    assert missing.headers["x-amz-request-id"]
    bad_xml = httpx.put(f"{server.url}/{bucket}", params={"versioning": ""}, content=b"<not xml",
                        headers={"Authorization": SIGNED})  # fmt: skip
    assert bad_xml.status_code == 400 and "<Code>MalformedXML</Code>" in bad_xml.text
    not_s3 = httpx.get(f"{server.url}/no/such/path")
    assert not_s3.status_code == 404
    assert not_s3.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_unsupported_operation_names_itself(s3: Any, bucket: str) -> None:
    import pytest
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        s3.get_bucket_analytics_configuration(Bucket=bucket, Id="a")
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert "GetBucketAnalyticsConfiguration" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert Config  # imported for the client configs above


def test_cors_preflight_and_response_headers(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"<html>")
    url = f"{server.url}/{bucket}/page.html"
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}
    assert httpx.options(url, headers=preflight).status_code == 403  # no CORS configuration yet
    rule = {
        "AllowedOrigins": ["https://*.example.com"],
        "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["*"],
    }
    rules = [{**rule, "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    allowed = httpx.options(
        url, headers={**preflight, "Access-Control-Request-Headers": "content-type,x-amz-meta-a"}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "PUT" in allowed.headers["access-control-allow-methods"]
    assert allowed.headers["access-control-allow-headers"] == "content-type, x-amz-meta-a"
    assert allowed.headers["access-control-max-age"] == "300"
    refused = httpx.options(url, headers={**preflight, "Origin": "https://evil.test"})
    assert refused.status_code == 403 and "<Code>AccessForbidden</Code>" in refused.text
    got = httpx.get(url, headers={"Origin": "https://app.example.com", "Authorization": SIGNED})
    assert got.status_code == 200
    assert got.headers["access-control-allow-origin"] == "https://app.example.com"
    assert got.headers["access-control-expose-headers"] == "ETag"


def test_post_object_browser_form_upload(server: ServerProcess, s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "uploads/${filename}", Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"}])  # fmt: skip
    fields = {**post["fields"], "x-amz-meta-origin": "form", "Content-Type": "text/csv"}
    reply = httpx.post(post["url"], data=fields, files={"file": ("report.csv", b"a,b\n1,2\n", "text/csv")})
    assert reply.status_code == 201, reply.text
    assert "<Key>uploads/report.csv</Key>" in reply.text
    got = s3.get_object(Bucket=bucket, Key="uploads/report.csv")
    assert (got["Body"].read(), got["ContentType"], got["Metadata"]) == (
        b"a,b\n1,2\n",
        "text/csv",
        {"origin": "form"},
    )
    plain = httpx.post(f"{server.url}/{bucket}", data={"key": "plain.txt"}, files={"file": ("x", b"plain")})
    assert plain.status_code == 204 and plain.headers["etag"]
    missing_key = httpx.post(f"{server.url}/{bucket}", files={"file": ("x", b"no key")})
    assert missing_key.status_code == 400 and "<Code>InvalidArgument</Code>" in missing_key.text


def test_unsigned_path_style_requests_to_a_bucket(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="public/page.html", Body=b"<p>hi</p>", ContentType="text/html")
    page = httpx.get(f"{server.url}/{bucket}/public/page.html")  # as curl sends it: no signature at all
    assert (page.status_code, page.content, page.headers["content-type"]) == (200, b"<p>hi</p>", "text/html")
    missing = httpx.get(f"{server.url}/{bucket}/public/none.html")
    assert missing.status_code == 404 and "<Code>NoSuchKey</Code>" in missing.text
    assert httpx.put(f"{server.url}/{bucket}/public/up.txt", content=b"curl -T").status_code == 200
    assert s3.get_object(Bucket=bucket, Key="public/up.txt")["Body"].read() == b"curl -T"
    elsewhere = httpx.get(f"{server.url}/no-such-bucket-{bucket}/key")
    assert elsewhere.headers["x-amzn-ErrorType"] == "UnknownOperationException"
