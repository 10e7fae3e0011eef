"""Object operations: put, get, head, delete (one and many), copy, tagging and ACL."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.s3 import reads
from millpond.services.s3.body import receive
from millpond.services.s3.common import S3State, owner, version_id_for
from millpond.services.s3.errors import (
    invalid_argument,
    invalid_request,
    no_such_key,
    no_such_version,
    precondition_failed,
)
from millpond.services.s3.repository import Bucket, ObjectVersion

STORAGE_CLASSES = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
    "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
}  # fmt: skip
MAX_KEY_BYTES = 1024


def content_attrs(params: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for name in reads.CONTENT_FIELDS:
        if params.get(name) is not None:
            attrs[name] = params[name]
    if "Expires" in attrs:
        attrs["Expires"] = attrs["Expires"].timestamp()
    attrs["Metadata"] = {k.lower(): v for k, v in (params.get("Metadata") or {}).items()}
    storage_class = params.get("StorageClass") or "STANDARD"
    if storage_class not in STORAGE_CLASSES:
        raise invalid_argument("Invalid storage class.", "x-amz-storage-class", storage_class)
    attrs["StorageClass"] = storage_class
    if params.get("Tagging"):
        attrs["Tags"] = [
            {"Key": k, "Value": v} for k, v in parse_qsl(params["Tagging"], keep_blank_values=True)
        ]
    if params.get("ACL"):
        attrs["ACL"] = params["ACL"]
    return attrs


def checksum_fields(checksums: dict[str, str], kind: str = "FULL_OBJECT") -> dict[str, Any]:
    out: dict[str, Any] = {f"Checksum{alg}": value for alg, value in checksums.items()}
    if out:
        out["ChecksumType"] = kind
    return out


def check_write_conditions(current: ObjectVersion | None, params: dict[str, Any]) -> None:
    """Conditional writes: If-None-Match `*` refuses to overwrite, If-Match needs the current ETag."""
    exists = current is not None and not current.delete_marker
    if params.get("IfNoneMatch") is not None and params["IfNoneMatch"].strip() == "*" and exists:
        raise precondition_failed("If-None-Match")
    if params.get("IfMatch") is not None:
        if not exists:
            raise no_such_key(params.get("Key", ""))
        assert current is not None
        if params["IfMatch"].strip().strip('"') != current.etag.strip('"'):
            raise precondition_failed("If-Match")


def check_key(key: str) -> None:
    if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise AwsError("KeyTooLongError", "Your key is too long", 400)


class Objects:
    def __init__(self, state: S3State) -> None:
        self.s = state

    async def commit(self, ctx: RequestContext, bucket: Bucket, version: ObjectVersion, event: str) -> None:
        dropped = await self.s.repo.put_version(version, replace_null=version.version_id == "null")
        self.s.repo.blobs.delete(dropped)
        self.s.notifier.notify(ctx, bucket, event, version, version.last_modified)

    async def put_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        key = params["Key"]
        check_key(key)
        attrs = content_attrs(params)
        check_write_conditions(self.s.repo.get_version(bucket.name, key), params)
        got = await receive(self.s.repo.blobs, params.get("Body"), params)
        attrs["Checksums"] = got.checksums
        version = ObjectVersion(
            bucket.name,
            key,
            version_id_for(bucket),
            self.s.now(),
            size=got.size,
            etag=f'"{got.md5_hex}"',
            blob=got.blob,
            attrs=attrs,
        )
        await self.commit(ctx, bucket, version, "ObjectCreated:Put")
        out: dict[str, Any] = {"ETag": version.etag, **checksum_fields(_asked(params, got.checksums))}
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out

    def find(self, bucket: Bucket, key: str, version_id: str | None, head: bool = False) -> ObjectVersion:
        if version_id is not None and version_id != "null" and len(version_id) != 32:
            raise invalid_argument("Invalid version id specified", "versionId", version_id)
        found = self.s.repo.get_version(bucket.name, key, version_id)
        if found is None:
            if version_id is not None:
                raise no_such_version(key, version_id)
            raise no_such_key(key)
        if found.delete_marker:
            if version_id is not None:
                raise AwsError(
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                    405,
                    fields={
                        "Method": "HEAD" if head else "GET",
                        "ResourceType": "DeleteMarker",
                        "header:x-amz-delete-marker": "true",
                    },
                )
            raise no_such_key(key, delete_marker=True)
        return found

    def _read(
        self, params: dict[str, Any], head: bool
    ) -> tuple[ObjectVersion, dict[str, Any], tuple[int, int] | None]:
        bucket = self.s.bucket(params["Bucket"])
        version = self.find(bucket, params["Key"], params.get("VersionId"), head)
        reads.check_conditions(version, params)
        span = reads.byte_range(params.get("Range"), version.size)
        out = reads.object_fields(version, params.get("ChecksumMode") == "ENABLED" and span is None)
        if span is not None:
            out["ContentLength"] = span[1] - span[0]
            out["ContentRange"] = f"bytes {span[0]}-{span[1] - 1}/{version.size}"
        for param, field in reads.OVERRIDES.items():
            if params.get(param) is not None:
                out[field] = params[param]
        return version, out, span

    def get_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version, out, span = self._read(params, head=False)
        start, end = span if span is not None else (0, version.size)
        out["Body"] = (
            self.s.repo.blobs.read(version.blob, start, end) if version.blob and end > start else b""
        )
        return out

    def head_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._read(params, head=True)[1]

    async def delete_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        return await self._delete(ctx, bucket, params["Key"], params.get("VersionId"))

    async def _delete(
        self, ctx: RequestContext, bucket: Bucket, key: str, version_id: str | None
    ) -> dict[str, Any]:
        if version_id is not None:
            removed = await self.s.repo.delete_version(bucket.name, key, version_id)
            out: dict[str, Any] = {"VersionId": version_id}
            if removed is not None:
                if removed.blob:
                    self.s.repo.blobs.delete([removed.blob])
                if removed.delete_marker:
                    out["DeleteMarker"] = True
                else:
                    self.s.notifier.notify(ctx, bucket, "ObjectRemoved:Delete", removed, self.s.now())
            return out
        if not bucket.versioning:
            removed = await self.s.repo.delete_version(bucket.name, key, "null")
            if removed is not None:
                if removed.blob:
                    self.s.repo.blobs.delete([removed.blob])
                self.s.notifier.notify(ctx, bucket, "ObjectRemoved:Delete", removed, self.s.now())
            return {}
        marker = ObjectVersion(bucket.name, key, version_id_for(bucket), self.s.now(), delete_marker=True)
        await self.commit(ctx, bucket, marker, "ObjectRemoved:DeleteMarkerCreated")
        return {"DeleteMarker": True, "VersionId": marker.version_id}

    async def delete_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        request = params.get("Delete") or {}
        objects = request.get("Objects") or []
        if not objects or len(objects) > 1000:
            raise AwsError(
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema",
                400,
            )
        deleted, errors = [], []
        for item in objects:
            key, version_id = item.get("Key", ""), item.get("VersionId")
            try:
                result = await self._delete(ctx, bucket, key, version_id)
            except AwsError as error:
                errors.append(
                    {"Key": key, "VersionId": version_id, "Code": error.code, "Message": error.message}
                )
                continue
            entry: dict[str, Any] = {"Key": key}
            if version_id is not None:
                entry["VersionId"] = version_id
            if result.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                if version_id is None:
                    entry["DeleteMarkerVersionId"] = result["VersionId"]
            deleted.append(entry)
        return {"Deleted": [] if request.get("Quiet") else deleted, "Errors": errors}

    def source(self, copy_source: str) -> ObjectVersion:
        text, _, query = copy_source.partition("?")
        text = unquote(text).lstrip("/")
        bucket_name, _, key = text.partition("/")
        if not key:
            raise invalid_argument("Invalid copy source object key", "x-amz-copy-source", copy_source)
        version_id = dict(parse_qsl(query)).get("versionId")
        return self.find(self.s.bucket(bucket_name), key, version_id)

    async def copy_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        check_key(params["Key"])
        src = self.source(params["CopySource"])
        copy_conditions(src, params)
        replace = params.get("MetadataDirective") == "REPLACE"
        if replace:
            attrs = content_attrs(params)
        else:
            attrs = {k: v for k, v in src.attrs.items() if k != "Tags"}
            if params.get("StorageClass"):
                attrs["StorageClass"] = params["StorageClass"]
        if params.get("TaggingDirective") == "REPLACE":
            attrs["Tags"] = content_attrs({"Tagging": params.get("Tagging") or ""}).get("Tags", [])
        elif "Tags" in src.attrs:
            attrs["Tags"] = src.attrs["Tags"]
        same = src.bucket == bucket.name and src.key == params["Key"]
        if same and not replace and not params.get("StorageClass") and bucket.versioning != "Enabled":
            raise invalid_request(
                "This copy request is illegal because it is trying to copy an object to itself without "
                "changing the object's metadata, storage class, website redirect location or encryption "
                "attributes."
            )
        blob = await self.s.repo.blobs.concat([src.blob]) if src.blob else None
        version = ObjectVersion(
            bucket.name,
            params["Key"],
            version_id_for(bucket),
            self.s.now(),
            size=src.size,
            etag=src.etag,
            blob=blob,
            attrs=attrs,
        )
        await self.commit(ctx, bucket, version, "ObjectCreated:Copy")
        result: dict[str, Any] = {
            "ETag": version.etag,
            "LastModified": reads.when(int(version.last_modified)),
        }
        result.update({k: v for k, v in checksum_fields(attrs.get("Checksums") or {}).items()})
        out: dict[str, Any] = {"CopyObjectResult": result}
        if src.version_id != "null":
            out["CopySourceVersionId"] = src.version_id
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out

    def get_object_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version = self._version(params)
        wanted = set(params.get("ObjectAttributes") or [])
        out: dict[str, Any] = {"LastModified": reads.when(int(version.last_modified))}
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        if "ETag" in wanted:
            out["ETag"] = version.etag.strip('"')
        if "ObjectSize" in wanted:
            out["ObjectSize"] = version.size
        if "StorageClass" in wanted:
            out["StorageClass"] = version.attrs.get("StorageClass", "STANDARD")
        checksums = version.attrs.get("Checksums") or {}
        if "Checksum" in wanted and checksums:
            kind = version.attrs.get("ChecksumType", "FULL_OBJECT")
            out["Checksum"] = {
                **{f"Checksum{a}": v.split("-")[0] for a, v in checksums.items()},
                "ChecksumType": kind,
            }
        if "ObjectParts" in wanted and version.attrs.get("PartsCount"):
            out["ObjectParts"] = {"TotalPartsCount": version.attrs["PartsCount"]}
        return out

    # -- tagging and ACL -------------------------------------------------------------------------------------

    def _version(self, params: dict[str, Any]) -> ObjectVersion:
        return self.find(self.s.bucket(params["Bucket"]), params["Key"], params.get("VersionId"))

    async def put_object_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version = self._version(params)
        tags = (params.get("Tagging") or {}).get("TagSet") or []
        if len(tags) > 10:
            raise AwsError("BadRequest", "Object tags cannot be greater than 10", 400)
        await self.s.repo.update_version(
            version.bucket, version.key, version.version_id, lambda v: v.attrs.__setitem__("Tags", tags)
        )
        return {"VersionId": version.version_id} if version.version_id != "null" else {}

    def get_object_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version = self._version(params)
        out: dict[str, Any] = {"TagSet": version.attrs.get("Tags") or []}
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out

    async def delete_object_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version = self._version(params)
        await self.s.repo.update_version(
            version.bucket, version.key, version.version_id, lambda v: v.attrs.pop("Tags", None)
        )
        return {"VersionId": version.version_id} if version.version_id != "null" else {}

    async def put_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version = self._version(params)
        acl = params.get("AccessControlPolicy") or {"Canned": params.get("ACL") or "private"}
        await self.s.repo.update_version(
            version.bucket, version.key, version.version_id, lambda v: v.attrs.__setitem__("ACL", acl)
        )
        return {}

    def get_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version = self._version(params)
        return acl_document(version.attrs.get("ACL"))


def acl_document(stored: Any) -> dict[str, Any]:
    if isinstance(stored, dict) and "Grants" in stored:
        return {"Owner": stored.get("Owner") or owner(), "Grants": stored["Grants"]}
    grants = [{"Grantee": {**owner(), "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    canned = stored.get("Canned") if isinstance(stored, dict) else stored
    if canned in ("public-read", "public-read-write"):
        all_users = {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}
        grants.append({"Grantee": all_users, "Permission": "READ"})
        if canned == "public-read-write":
            grants.append({"Grantee": all_users, "Permission": "WRITE"})
    return {"Owner": owner(), "Grants": grants}


def copy_conditions(src: ObjectVersion, params: dict[str, Any]) -> None:
    mapped = {
        "IfMatch": params.get("CopySourceIfMatch"),
        "IfNoneMatch": params.get("CopySourceIfNoneMatch"),
        "IfModifiedSince": params.get("CopySourceIfModifiedSince"),
        "IfUnmodifiedSince": params.get("CopySourceIfUnmodifiedSince"),
    }
    try:
        reads.check_conditions(src, {k: v for k, v in mapped.items() if v is not None})
    except AwsError as error:
        if error.code == "NotModified":
            raise precondition_failed("x-amz-copy-source-If-None-Match") from None
        raise


def _asked(params: dict[str, Any], checksums: dict[str, str]) -> dict[str, str]:
    """The checksums a put answers with: those it asked for (S3 also answers its default CRC64NVME)."""
    return checksums
