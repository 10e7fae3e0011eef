"""Listing: ListObjects (v1 markers), ListObjectsV2 (continuation tokens), ListObjectVersions, grouping
keys into CommonPrefixes by a delimiter, and `EncodingType=url`."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from millpond.services.s3 import reads
from millpond.services.s3.common import S3State, owner
from millpond.services.s3.errors import invalid_argument
from millpond.services.s3.repository import ObjectVersion

PAGE = 1000
_AFTER_PREFIX = "\U0010ffff"  # sorts after every key that starts with a common prefix


def _max_keys(params: dict[str, Any]) -> int:
    value = params.get("MaxKeys")
    if value is None:
        return PAGE
    if value < 0:
        raise invalid_argument(
            "Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", str(value)
        )
    return min(int(value), PAGE)


def _encoder(params: dict[str, Any]) -> Callable[[str], str]:
    if params.get("EncodingType") == "url":
        return lambda text: quote(text, safe="/")
    if params.get("EncodingType") not in (None, "url"):
        raise invalid_argument(
            "Invalid Encoding Method specified in Request", "encoding-type", params["EncodingType"]
        )
    return lambda text: text


def _entry(version: ObjectVersion, encode: Callable[[str], str], with_owner: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Key": encode(version.key),
        "LastModified": reads.when(version.last_modified),
        "ETag": version.etag,
        "Size": version.size,
        "StorageClass": version.attrs.get("StorageClass", "STANDARD"),
    }
    checksums = version.attrs.get("Checksums") or {}
    if checksums:
        entry["ChecksumAlgorithm"] = list(checksums)
        entry["ChecksumType"] = version.attrs.get("ChecksumType", "FULL_OBJECT")
    if with_owner:
        entry["Owner"] = owner()
    return entry


def walk(
    state: S3State, bucket: str, prefix: str, delimiter: str, after: str, limit: int
) -> tuple[list[ObjectVersion], list[str], bool, str]:
    """Up to `limit` keys and common prefixes after `after`; whether more follow, and the last one given."""
    contents: list[ObjectVersion] = []
    prefixes: list[str] = []
    last = ""
    cursor = after
    while len(contents) + len(prefixes) <= limit:
        page = state.repo.list_latest(bucket, prefix, cursor, PAGE)
        if not page:
            return contents, prefixes, False, last
        for version in page:
            cursor = version.key
            rest = version.key[len(prefix) :]
            if delimiter and delimiter in rest:
                common = prefix + rest.split(delimiter, 1)[0] + delimiter
                if len(contents) + len(prefixes) == limit:
                    return contents, prefixes, True, last
                prefixes.append(common)
                last = common
                cursor = common + _AFTER_PREFIX
                break
            if len(contents) + len(prefixes) == limit:
                return contents, prefixes, True, last
            contents.append(version)
            last = version.key
    return contents, prefixes, True, last


def list_objects(state: S3State, params: dict[str, Any]) -> dict[str, Any]:
    bucket = state.bucket(params["Bucket"])
    encode = _encoder(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    limit = _max_keys(params)
    marker = params.get("Marker") or ""
    after = marker + _AFTER_PREFIX if delimiter and marker.endswith(delimiter) else marker
    contents, prefixes, truncated, last = walk(state, bucket.name, prefix, delimiter, after, limit)
    out: dict[str, Any] = {
        "Name": bucket.name,
        "Prefix": encode(prefix),
        "Marker": encode(marker),
        "MaxKeys": limit,
        "IsTruncated": truncated,
        "Contents": [_entry(v, encode, True) for v in contents],
        "CommonPrefixes": [{"Prefix": encode(p)} for p in prefixes],
    }
    if delimiter:
        out["Delimiter"] = encode(delimiter)
        if truncated:
            out["NextMarker"] = encode(last)
    if params.get("EncodingType"):
        out["EncodingType"] = params["EncodingType"]
    return out


def _token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii")


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_argument(
            "The continuation token provided is incorrect", "continuation-token", token
        ) from None


def list_objects_v2(state: S3State, params: dict[str, Any]) -> dict[str, Any]:
    bucket = state.bucket(params["Bucket"])
    encode = _encoder(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    limit = _max_keys(params)
    token = params.get("ContinuationToken")
    after = _untoken(token) if token else ""
    start_after = params.get("StartAfter") or ""
    after = max(after, start_after)
    contents, prefixes, truncated, last = walk(state, bucket.name, prefix, delimiter, after, limit)
    if last.endswith(delimiter) and delimiter and last in prefixes:
        last = last + _AFTER_PREFIX
    out: dict[str, Any] = {
        "Name": bucket.name,
        "Prefix": encode(prefix),
        "MaxKeys": limit,
        "IsTruncated": truncated,
        "KeyCount": len(contents) + len(prefixes),
        "Contents": [_entry(v, encode, bool(params.get("FetchOwner"))) for v in contents],
        "CommonPrefixes": [{"Prefix": encode(p)} for p in prefixes],
    }
    if delimiter:
        out["Delimiter"] = encode(delimiter)
    if token:
        out["ContinuationToken"] = token
    if start_after:
        out["StartAfter"] = encode(start_after)
    if truncated:
        out["NextContinuationToken"] = _token(last)
    if params.get("EncodingType"):
        out["EncodingType"] = params["EncodingType"]
    return out


def list_object_versions(state: S3State, params: dict[str, Any]) -> dict[str, Any]:
    bucket = state.bucket(params["Bucket"])
    encode = _encoder(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    limit = _max_keys(params)
    key_marker = params.get("KeyMarker") or ""
    after_seq = None
    if key_marker and params.get("VersionIdMarker"):
        marked = state.repo.get_version(bucket.name, key_marker, params["VersionIdMarker"])
        after_seq = marked.seq if marked is not None else None
    rows = state.repo.list_versions(bucket.name, prefix, key_marker, after_seq, limit + 1)
    versions, markers, prefixes = [], [], []
    count = 0
    truncated = False
    last: ObjectVersion | None = None
    for row in rows:
        rest = row.key[len(prefix) :]
        if delimiter and delimiter in rest:
            common = prefix + rest.split(delimiter, 1)[0] + delimiter
            if common in prefixes:
                continue
            if count == limit:
                truncated = True
                break
            prefixes.append(common)
            count += 1
            continue
        if count == limit:
            truncated = True
            break
        item: dict[str, Any] = {
            "Key": encode(row.key),
            "VersionId": row.version_id,
            "IsLatest": row.latest,
            "LastModified": reads.when(row.last_modified),
            "Owner": owner(),
        }
        if row.delete_marker:
            markers.append(item)
        else:
            item.update(ETag=row.etag, Size=row.size, StorageClass=row.attrs.get("StorageClass", "STANDARD"))
            versions.append(item)
        count += 1
        last = row
    out: dict[str, Any] = {
        "Name": bucket.name,
        "Prefix": encode(prefix),
        "KeyMarker": encode(key_marker),
        "VersionIdMarker": params.get("VersionIdMarker") or "",
        "MaxKeys": limit,
        "IsTruncated": truncated,
        "Versions": versions,
        "DeleteMarkers": markers,
        "CommonPrefixes": [{"Prefix": encode(p)} for p in prefixes],
    }
    if delimiter:
        out["Delimiter"] = encode(delimiter)
    if truncated and last is not None:
        out["NextKeyMarker"] = encode(last.key)
        out["NextVersionIdMarker"] = last.version_id
    return out
