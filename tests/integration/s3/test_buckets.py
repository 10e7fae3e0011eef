"""S3 buckets through boto3: create (location rules), head, list (pagination), delete, and the stored
sub-resources (versioning, tagging, CORS, policy, lifecycle, ownership, public access block)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess

from .conftest import s3_client


def code(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_head_list_delete(s3: Any) -> None:
    name = f"b-{uuid.uuid4().hex[:10]}"
    assert s3.create_bucket(Bucket=name)["Location"] == f"/{name}"
    s3.create_bucket(Bucket=name)  # us-east-1 answers 200 to its owner again, as AWS does
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "us-east-1"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as raised:
        s3.delete_bucket(Bucket=name)
    assert code(raised) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as raised:
        s3.head_bucket(Bucket=name)
    assert code(raised) == ("404", 404)
    with pytest.raises(ClientError) as raised:
        s3.list_objects_v2(Bucket=name)
    assert code(raised) == ("NoSuchBucket", 404)
    assert raised.value.response["Error"]["BucketName"] == name


def test_location_constraint_rules(server: ServerProcess) -> None:
    east = s3_client(server)
    with pytest.raises(ClientError) as raised:
        east.create_bucket(
            Bucket=f"b-{uuid.uuid4().hex[:10]}", CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
        )
    assert code(raised) == ("InvalidLocationConstraint", 400)
    west = s3_client(server, "eu-west-1")
    with pytest.raises(ClientError) as raised:
        west.create_bucket(Bucket=f"b-{uuid.uuid4().hex[:10]}")
    assert code(raised) == ("IllegalLocationConstraintException", 400)
    name = f"b-{uuid.uuid4().hex[:10]}"
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as raised:
        west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(raised) == ("BucketAlreadyOwnedByYou", 409)
    with pytest.raises(ClientError) as raised:
        east.create_bucket(Bucket="Not_Valid")
    assert code(raised) == ("InvalidBucketName", 400)


def test_list_buckets_pages(s3: Any) -> None:
    prefix = f"pg-{uuid.uuid4().hex[:6]}-"
    for i in range(5):
        s3.create_bucket(Bucket=f"{prefix}{i}")
    first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == [f"{prefix}0", f"{prefix}1"]
    names = [b["Name"] for page in s3.get_paginator("list_buckets").paginate(Prefix=prefix, MaxBuckets=2)
             for b in page["Buckets"]]  # fmt: skip
    assert names == [f"{prefix}{i}" for i in range(5)]


def test_sub_resources_stored(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code(raised) == ("NoSuchTagSet", 404)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "data"}]
    rules = [
        {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 60}
    ]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_cors(Bucket=bucket)
    assert code(raised) == ("NoSuchCORSConfiguration", 404)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_policy(Bucket=bucket, Policy="not json")
    assert code(raised) == ("MalformedPolicy", 400)
    lifecycle = {"Rules": [{"ID": "old", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                            "Expiration": {"Days": 7}}]}  # fmt: skip
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == lifecycle["Rules"]
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0][
        "ObjectOwnership"
    ] == ("BucketOwnerEnforced")
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
             "RestrictPublicBuckets": False}  # fmt: skip
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == block
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"][0]["Permission"] == "FULL_CONTROL"


def test_versioning_with_delete_markers(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="doc", Body=b"before")  # the "null" version
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    one = s3.put_object(Bucket=bucket, Key="doc", Body=b"one")["VersionId"]
    two = s3.put_object(Bucket=bucket, Key="doc", Body=b"two")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
    deleted = s3.delete_object(Bucket=bucket, Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="doc")
    assert code(raised) == ("NoSuchKey", 404)
    assert raised.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    listed = s3.list_object_versions(Bucket=bucket, Prefix="doc")
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
        (two, False),
        (one, False),
        ("null", False),
    ]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId=one)["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId="null")["Body"].read() == b"before"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=marker)  # removing the marker brings "two" back
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    assert page["IsTruncated"] is True
    rest = s3.list_object_versions(
        Bucket=bucket, KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"]
    )
    assert [v["VersionId"] for v in rest["Versions"]] == [one, "null"]
