"""S3Provider: one method per S3 operation (botocore names), thin; the rules live in the modules beside it.

Bucket sub-resources kept as documents (tagging, CORS, policy, lifecycle, ...) are served from the table
in configs.py: `put_bucket_<x>`, `get_bucket_<x>`, `delete_bucket_<x>` are built from it.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from typing import Any

from botocore import xform_name

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.s3 import configs, cors, listing, reads
from millpond.services.s3.common import S3State, new_version_id, owner
from millpond.services.s3.errors import malformed_xml, no_such_bucket
from millpond.services.s3.lifecycle import Lifecycle
from millpond.services.s3.metrics import StorageMetrics
from millpond.services.s3.multipart import Multipart
from millpond.services.s3.notifications import CONFIG_KINDS, Notifier
from millpond.services.s3.objects import Objects, acl_document
from millpond.services.s3.repository import Bucket, S3Repository

Params = dict[str, Any]
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
OBJECT_METHODS = (
    "put_object", "get_object", "head_object", "delete_object", "delete_objects", "copy_object",
    "put_object_tagging", "get_object_tagging", "delete_object_tagging", "put_object_acl", "get_object_acl",
    "get_object_attributes",
)  # fmt: skip
MULTIPART_METHODS = (
    "create_multipart_upload", "upload_part", "upload_part_copy", "list_parts", "list_multipart_uploads",
    "abort_multipart_upload", "complete_multipart_upload",
)  # fmt: skip


def check_bucket_name(name: str) -> None:
    if not _BUCKET_NAME.match(name) or ".." in name or _IP.match(name) or name.startswith("xn--"):
        raise AwsError(
            "InvalidBucketName", "The specified bucket is not valid.", 400, fields={"BucketName": name}
        )


class S3Provider:
    def __init__(self, repo: S3Repository, clock: Clock, account_id: str, notifier: Notifier) -> None:
        self.s = S3State(repo, clock, account_id, notifier)
        self.objects = Objects(self.s)
        self.multipart = Multipart(self.s, self.objects)
        self.lifecycle = Lifecycle(self.s)
        self.storage_metrics = StorageMetrics(self.s, None)  # the server sets its sink (CloudWatch)
        self.s.on_request = self._housekeeping
        self._methods: dict[str, Callable[..., Any]] = {}
        for name in OBJECT_METHODS:
            self._methods[name] = getattr(self.objects, name)
        for name in MULTIPART_METHODS:
            self._methods[name] = getattr(self.multipart, name)
        for suffix, config in configs.CONFIGS.items():
            self._methods[xform_name("Put" + suffix)] = self._putter(config)
            self._methods[xform_name("Get" + suffix)] = self._getter(config)
            if suffix not in configs.NO_DELETE:
                self._methods[xform_name("Delete" + suffix)] = self._deleter(config)
        for alias, suffix in configs.DELETE_NAMES.items():
            self._methods[xform_name("Delete" + alias)] = self._deleter(configs.CONFIGS[suffix])

    def _housekeeping(self) -> None:
        self.lifecycle.poke()
        self.storage_metrics.poke()

    def __getattr__(self, name: str) -> Any:
        methods = self.__dict__.get("_methods", {})
        if name in methods:
            return methods[name]
        raise AttributeError(name)

    async def reset(self) -> None:
        await self.s.notifier.drain()
        self.s.repo.blobs.clear()

    async def close(self) -> None:
        await self.s.notifier.drain()
        close = getattr(self.s.repo.blobs, "close", None)
        if close is not None:
            close()

    async def object_bytes(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        """A whole object (Lambda code from S3); raises S3's NoSuchBucket/NoSuchKey/NoSuchVersion."""
        version = self.objects.find(self.s.bucket(bucket), key, version_id)
        if not version.blob:
            return b""
        return b"".join([chunk async for chunk in self.s.repo.blobs.read(version.blob)])

    async def put_bytes(self, bucket: str, key: str, data: bytes) -> None:
        """An object another service writes (Logs' export tasks), put as a client's PutObject would be."""
        found = self.s.repo.get_bucket(bucket)
        if found is None:
            raise no_such_bucket(bucket)
        ctx = RequestContext(self.s.account_id, found.region, str(uuid.uuid4()), "", "s3", "PutObject")
        await self.objects.put_object(ctx, {"Bucket": bucket, "Key": key, "Body": data})

    def bucket_exists(self, name: str) -> bool:
        return self.s.repo.get_bucket(name) is not None

    def bucket_policy(self, name: str) -> str | None:
        """The bucket's policy document (IAM enforcement evaluates it as the resource policy)."""
        found = self.s.repo.get_bucket(name)
        policy = found.configs.get("policy") if found is not None else None
        return str(policy) if policy else None

    def cors_preflight(
        self, bucket: str, origin: str | None, method: str | None, headers: list[str]
    ) -> cors.Headers:
        return cors.preflight(self.s.bucket(bucket).configs.get("cors"), origin, method, headers)

    def cors_headers(self, bucket: str, origin: str, method: str) -> cors.Headers:
        found = self.s.repo.get_bucket(bucket)
        return cors.actual(found.configs.get("cors"), origin, method) if found is not None else []

    # -- buckets ---------------------------------------------------------------------------------------------

    async def create_bucket(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = params["Bucket"]
        check_bucket_name(name)
        constraint = (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
        region = ctx.region
        if constraint == "us-east-1" or (region == "us-east-1" and constraint and constraint != "EU"):
            if constraint == "us-east-1":
                raise AwsError(
                    "InvalidLocationConstraint",
                    "The specified location-constraint is not valid",
                    400,
                    fields={"LocationConstraint": constraint},
                )
            raise AwsError(
                "IllegalLocationConstraintException",
                f"The {constraint} location constraint is "
                "incompatible for the region specific endpoint this request was sent to.",
                400,
            )
        if region != "us-east-1" and constraint != region:
            which = constraint or "unspecified"
            raise AwsError(
                "IllegalLocationConstraintException",
                f"The {which} location constraint is incompatible "
                "for the region specific endpoint this request was sent to.",
                400,
            )
        bucket = Bucket(name, region, self.s.now())
        if params.get("ObjectOwnership"):
            bucket.configs["ownership"] = {"Rules": [{"ObjectOwnership": params["ObjectOwnership"]}]}
        if params.get("ACL"):
            bucket.configs["acl"] = {"Canned": params["ACL"]}
        existing = await self.s.repo.create_bucket(bucket)
        if existing is not None and existing.region != "us-east-1":
            raise AwsError(
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it.",
                409,
                fields={"BucketName": name},
            )
        # us-east-1 answers a repeated create of one's own bucket with 200, as AWS does.
        return {"Location": f"/{name}", "BucketArn": f"arn:aws:s3:::{name}"}

    def head_bucket(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        return {
            "BucketRegion": bucket.region,
            "AccessPointAlias": False,
            "BucketArn": f"arn:aws:s3:::{bucket.name}",
        }

    def list_buckets(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        buckets = self.s.repo.list_buckets()
        prefix = params.get("Prefix") or ""
        region = params.get("BucketRegion")
        buckets = [b for b in buckets if b.name.startswith(prefix) and (not region or b.region == region)]
        token = params.get("ContinuationToken")
        if token:
            try:
                after = base64.urlsafe_b64decode(token).decode("utf-8")
            except ValueError:
                raise AwsError(
                    "InvalidArgument", "The continuation token provided is incorrect", 400
                ) from None
            buckets = [b for b in buckets if b.name > after]
        limit = int(params.get("MaxBuckets") or 10000)
        if not 1 <= limit <= 10000:
            raise AwsError(
                "InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000", 400
            )
        page = buckets[:limit]
        out: dict[str, Any] = {
            "Buckets": [
                {
                    "Name": b.name,
                    "CreationDate": reads.when(b.created),
                    "BucketRegion": b.region,
                    "BucketArn": f"arn:aws:s3:::{b.name}",
                }
                for b in page
            ],
            "Owner": owner(),
        }
        if prefix:
            out["Prefix"] = prefix
        if len(buckets) > limit:
            out["ContinuationToken"] = base64.urlsafe_b64encode(page[-1].name.encode()).decode()
        return out

    async def delete_bucket(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        outcome = await self.s.repo.delete_bucket(params["Bucket"])
        if outcome == "missing":
            raise no_such_bucket(params["Bucket"])
        if outcome == "not_empty":
            raise AwsError(
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
                409,
                fields={"BucketName": params["Bucket"]},
            )
        return {}

    def get_bucket_location(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        return {"LocationConstraint": None if bucket.region == "us-east-1" else bucket.region}

    async def put_bucket_versioning(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        status = (params.get("VersioningConfiguration") or {}).get("Status")
        if status not in ("Enabled", "Suspended"):
            raise malformed_xml()
        self.s.bucket(params["Bucket"])
        await self.s.repo.update_bucket(params["Bucket"], lambda b: setattr(b, "versioning", status))
        return {}

    def get_bucket_versioning(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        return {"Status": bucket.versioning} if bucket.versioning else {}

    async def put_bucket_acl(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        self.s.bucket(params["Bucket"])
        acl = params.get("AccessControlPolicy") or {"Canned": params.get("ACL") or "private"}
        await self.s.repo.update_bucket(
            params["Bucket"], lambda b: b.configs.__setitem__("acl", configs.encode(acl))
        )
        return {}

    def get_bucket_acl(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return acl_document(self.s.bucket(params["Bucket"]).configs.get("acl"))

    def get_bucket_policy_status(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        if "policy" not in bucket.configs:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
        return {"PolicyStatus": {"IsPublic": '"*"' in str(bucket.configs["policy"])}}

    # -- listing ---------------------------------------------------------------------------------------------

    def list_objects(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return listing.list_objects(self.s, params)

    def list_objects_v2(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return listing.list_objects_v2(self.s, params)

    def list_object_versions(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return listing.list_object_versions(self.s, params)

    # -- stored sub-resources --------------------------------------------------------------------------------

    def _putter(self, config: configs.Config) -> Callable[..., Any]:
        async def put(ctx: RequestContext, params: Params) -> dict[str, Any]:
            bucket = self.s.bucket(params["Bucket"])
            document = params.get(config.param)
            if document is None:
                raise malformed_xml()
            configs.validate(config, document)
            if config.name == "notification":
                await self.s.notifier.validate(bucket, document, ctx.request_id, self.s.now())
                for kind in CONFIG_KINDS:
                    for item in document.get(kind) or []:
                        item.setdefault("Id", new_version_id())  # S3 names a configuration given no Id
            stored = configs.encode(document)
            await self.s.repo.update_bucket(bucket.name, lambda b: b.configs.__setitem__(config.name, stored))
            if config.name == "lifecycle":
                self.lifecycle.housekeeping.run_now(self.s.clock.now())
            return {}

        return put

    def _getter(self, config: configs.Config) -> Callable[..., Any]:
        def get(ctx: RequestContext, params: Params) -> dict[str, Any]:
            return configs.answer(config, self.s.bucket(params["Bucket"]).configs.get(config.name))

        return get

    def _deleter(self, config: configs.Config) -> Callable[..., Any]:
        async def delete(ctx: RequestContext, params: Params) -> dict[str, Any]:
            self.s.bucket(params["Bucket"])
            await self.s.repo.update_bucket(params["Bucket"], lambda b: b.configs.pop(config.name, None))
            return {}

        return delete
