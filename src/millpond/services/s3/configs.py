"""Bucket sub-resources stored as documents (tagging, CORS, policy, lifecycle, notifications, ownership
controls, public access block, encryption, website, ACL, ...): one table of Put/Get/Delete operations
with the error S3 answers when the document is missing, or the default it answers instead."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from millpond.errors import AwsError


@dataclass(frozen=True)
class Config:
    name: str  # key in Bucket.configs
    param: str  # input member holding the document
    missing: tuple[str, str] | None  # (code, message) answered when none is stored; None: `default`
    default: Any = None
    output: str | None = None  # output member the document goes in; None: spread over the output


CONFIGS: dict[str, Config] = {
    "BucketTagging": Config("tagging", "Tagging", ("NoSuchTagSet", "The TagSet does not exist")),
    "BucketCors": Config(
        "cors", "CORSConfiguration", ("NoSuchCORSConfiguration", "The CORS configuration does not exist")
    ),
    "BucketPolicy": Config(
        "policy", "Policy", ("NoSuchBucketPolicy", "The bucket policy does not exist"), output="Policy"
    ),
    "BucketLifecycleConfiguration": Config(
        "lifecycle",
        "LifecycleConfiguration",
        ("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    ),
    "BucketNotificationConfiguration": Config("notification", "NotificationConfiguration", None, {}),
    "BucketOwnershipControls": Config(
        "ownership",
        "OwnershipControls",
        ("OwnershipControlsNotFoundError", "The bucket ownership controls were not found"),
        output="OwnershipControls",
    ),
    "PublicAccessBlock": Config(
        "public_access_block",
        "PublicAccessBlockConfiguration",
        ("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"),
        output="PublicAccessBlockConfiguration",
    ),
    "BucketEncryption": Config(
        "encryption",
        "ServerSideEncryptionConfiguration",
        None,
        {
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
            ]
        },
        output="ServerSideEncryptionConfiguration",
    ),
    "BucketWebsite": Config(
        "website",
        "WebsiteConfiguration",
        ("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    ),
    "BucketAccelerateConfiguration": Config("accelerate", "AccelerateConfiguration", None, {}),
    "BucketRequestPayment": Config(
        "request_payment", "RequestPaymentConfiguration", None, {"Payer": "BucketOwner"}
    ),
    "BucketLogging": Config("logging", "BucketLoggingStatus", None, {}),
    "BucketReplication": Config(
        "replication",
        "ReplicationConfiguration",
        ("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
        output="ReplicationConfiguration",
    ),
    "ObjectLockConfiguration": Config(
        "object_lock",
        "ObjectLockConfiguration",
        ("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
        output="ObjectLockConfiguration",
    ),
}
# Delete operations whose name differs from the Put/Get pair's.
DELETE_NAMES = {"BucketLifecycle": "BucketLifecycleConfiguration"}
NO_DELETE = {
    "BucketNotificationConfiguration",
    "BucketAccelerateConfiguration",
    "BucketRequestPayment",
    "BucketLogging",
}


def encode(value: Any) -> Any:
    """A document as JSON keeps it: datetimes tagged."""
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, datetime):
        return {"$date": value.timestamp()}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return datetime.fromtimestamp(value["$date"], UTC)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def validate(config: Config, document: Any) -> None:
    if config.name == "policy":
        try:
            parsed = json.loads(document)
        except (TypeError, ValueError):
            raise AwsError(
                "MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'", 400
            ) from None
        if not isinstance(parsed, dict) or "Statement" not in parsed:
            raise AwsError("MalformedPolicy", "Missing required field Statement", 400)
    if config.name == "tagging":
        keys = [t.get("Key") for t in (document or {}).get("TagSet") or []]
        if len(keys) != len(set(keys)):
            raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key", 400)
    if config.name == "cors" and not (document or {}).get("CORSRules"):
        raise AwsError(
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
            400,
        )


def answer(config: Config, stored: Any) -> dict[str, Any]:
    if stored is None:
        if config.missing is not None:
            raise AwsError(config.missing[0], config.missing[1], 404)
        stored = config.default
    document = decode(stored)
    if config.output is not None:
        return {config.output: document}
    return dict(document or {})
