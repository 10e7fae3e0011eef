"""S3 under --enforce-iam: SigV4 (header and presigned) and SigV2 (header and botocore's default presigned
URLs) are verified; a wrong secret, an unsigned request and a user without s3 permissions are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.server import CREDENTIALS, make_server


def _client(url: str, key: str = "test", secret: str = "test", signature: str | None = None) -> Any:
    config = Config(s3={"addressing_style": "path"}, signature_version=signature, retries={"max_attempts": 1})
    creds = {**CREDENTIALS, "aws_access_key_id": key, "aws_secret_access_key": secret}
    return boto3.client("s3", endpoint_url=url, config=config, **creds)


def test_signatures_are_verified(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--in-memory", "--enforce-iam").start()
    try:
        for signature in (None, "s3", "s3v4"):
            s3 = _client(server.url, signature=signature)
            bucket = f"iam-{signature or 'default'}"
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key="a b/c+d.txt", Body=b"signed", Metadata={"m": "1"})
            assert s3.get_object(Bucket=bucket, Key="a b/c+d.txt")["Body"].read() == b"signed"
            url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a b/c+d.txt"})
            assert httpx.get(url).content == b"signed"
            put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"})
            assert httpx.put(put, content=b"presigned put").status_code == 200
            assert s3.get_object(Bucket=bucket, Key="up")["Body"].read() == b"presigned put"
        with pytest.raises(ClientError) as raised:
            _client(server.url, secret="wrong").list_buckets()
        assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        with pytest.raises(ClientError) as raised:
            _client(server.url, secret="wrong", signature="s3").list_buckets()
        assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        unsigned = httpx.get(f"{server.url}/iam-default/up", headers={"Host": "iam-default.s3.localhost"})
        assert unsigned.status_code == 403 and "<Code>AccessDenied</Code>" in unsigned.text
        everyone = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::iam-s3v4/*",
        }
        public = {"Version": "2012-10-17", "Statement": [everyone]}
        _client(server.url, signature="s3v4").put_bucket_policy(Bucket="iam-s3v4", Policy=json.dumps(public))
        anonymous = httpx.get(f"{server.url}/up", headers={"Host": "iam-s3v4.s3.localhost"})
        assert (anonymous.status_code, anonymous.content) == (200, b"presigned put")
        anonymous_put = httpx.put(f"{server.url}/x", content=b"no", headers={"Host": "iam-s3v4.s3.localhost"})
        assert anonymous_put.status_code == 403

        iam = server.client("iam")
        iam.create_user(UserName="reader")
        keys = iam.create_access_key(UserName="reader")["AccessKey"]
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::iam-default/*"},
        ]}  # fmt: skip
        iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps(policy))
        reader = _client(server.url, keys["AccessKeyId"], keys["SecretAccessKey"], "s3v4")
        assert reader.get_object(Bucket="iam-default", Key="up")["Body"].read() == b"presigned put"
        with pytest.raises(ClientError) as raised:
            reader.put_object(Bucket="iam-default", Key="nope", Body=b"x")
        assert raised.value.response["Error"]["Code"] == "AccessDenied"

        # The bucket policy is the resource policy: it grants the reader writes under in/ and denies secret/.
        reader_arn = "arn:aws:iam::000000000000:user/reader"
        bucket_policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": reader_arn}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::iam-default/in/*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::iam-default/secret/*"},
        ]}  # fmt: skip
        root = _client(server.url, signature="s3v4")
        root.put_bucket_policy(Bucket="iam-default", Policy=json.dumps(bucket_policy))
        root.put_object(Bucket="iam-default", Key="secret/x", Body=b"hidden")
        reader.put_object(Bucket="iam-default", Key="in/allowed", Body=b"ok")
        with pytest.raises(ClientError) as raised:
            reader.get_object(Bucket="iam-default", Key="secret/x")
        assert raised.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        server.stop()
