"""Reading an object: the response fields of a version, Range, the If-* conditions, response-* overrides."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from millpond.services.s3.errors import invalid_range, not_modified, precondition_failed
from millpond.services.s3.repository import ObjectVersion

CONTENT_FIELDS = (
    "ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl", "Expires",
    "WebsiteRedirectLocation", "ServerSideEncryption",
)  # fmt: skip
OVERRIDES = {
    "ResponseContentType": "ContentType",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseExpires": "Expires",
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def object_fields(version: ObjectVersion, checksums: bool) -> dict[str, Any]:
    attrs = version.attrs
    out: dict[str, Any] = {
        "ETag": version.etag,
        "LastModified": when(int(version.last_modified)),
        "ContentLength": version.size,
        "ContentType": attrs.get("ContentType") or "binary/octet-stream",
        "AcceptRanges": "bytes",
        "Metadata": attrs.get("Metadata") or {},
    }
    for name in CONTENT_FIELDS[1:]:
        if attrs.get(name) is not None:
            out[name] = attrs[name]
    if "Expires" in out:
        out["Expires"] = when(float(out["Expires"]))
    if version.version_id != "null":
        out["VersionId"] = version.version_id
    if attrs.get("StorageClass", "STANDARD") != "STANDARD":
        out["StorageClass"] = attrs["StorageClass"]
    if attrs.get("Tags"):
        out["TagCount"] = len(attrs["Tags"])
    if attrs.get("PartsCount"):
        out["PartsCount"] = attrs["PartsCount"]
    if checksums:
        for alg, value in (attrs.get("Checksums") or {}).items():
            out[f"Checksum{alg}"] = value
        if attrs.get("Checksums"):
            out["ChecksumType"] = attrs.get("ChecksumType", "FULL_OBJECT")
    return out


def check_conditions(version: ObjectVersion, params: dict[str, Any]) -> None:
    """S3's order: If-Match, If-Unmodified-Since (skipped when If-Match held), If-None-Match,
    If-Modified-Since (skipped when If-None-Match held)."""
    etag = version.etag.strip('"')
    modified = int(version.last_modified)
    if_match = params.get("IfMatch")
    if if_match is not None and not _etag_matches(if_match, etag):
        raise precondition_failed("If-Match")
    since = params.get("IfUnmodifiedSince")
    if if_match is None and since is not None and modified > since.timestamp():
        raise precondition_failed("If-Unmodified-Since")
    if_none = params.get("IfNoneMatch")
    if if_none is not None and _etag_matches(if_none, etag):
        raise not_modified()
    modified_since = params.get("IfModifiedSince")
    if if_none is None and modified_since is not None and modified <= modified_since.timestamp():
        raise not_modified()


def _etag_matches(header: str, etag: str) -> bool:
    wanted = [item.strip().strip('"') for item in header.split(",")]
    return "*" in wanted or etag in wanted


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) for a Range header S3 honours; None for no (or an ignored) range."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None:
        return None  # S3 ignores a Range it cannot read (and multiple ranges)
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0:
            raise invalid_range(size)
        return max(0, size - length), size
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size or (last and int(last) < start):
        if last and int(last) < start:
            return None
        raise invalid_range(size)
    return start, end + 1
