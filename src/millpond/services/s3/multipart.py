"""Multipart uploads: create, upload part (and part copy), list parts and uploads, complete, abort.

Complete checks the parts as S3 does (ascending, known, ETags matching, all but the last >= 5 MiB) and
names the object with S3's ETag rule: MD5 of the parts' binary MD5s, then `-<count>`; part checksums
combine the same way into a COMPOSITE checksum.
"""

from __future__ import annotations

import hashlib
from typing import Any

from millpond.checksums import combine_b64
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.s3 import reads
from millpond.services.s3.body import receive
from millpond.services.s3.common import S3State, new_version_id, owner, version_id_for
from millpond.services.s3.errors import invalid_argument, malformed_xml, no_such_upload
from millpond.services.s3.objects import (
    Objects,
    check_key,
    check_write_conditions,
    checksum_fields,
    content_attrs,
)
from millpond.services.s3.repository import ObjectVersion, Part, Upload

MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 10000


class Multipart:
    def __init__(self, state: S3State, objects: Objects) -> None:
        self.s = state
        self.objects = objects

    def _upload(self, params: dict[str, Any]) -> Upload:
        self.s.bucket(params["Bucket"])
        upload = self.s.repo.get_upload(params["UploadId"])
        if upload is None or upload.bucket != params["Bucket"] or upload.key != params["Key"]:
            raise no_such_upload(params["UploadId"])
        return upload

    async def create_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        check_key(params["Key"])
        attrs = content_attrs(params)
        algorithm = params.get("ChecksumAlgorithm")
        if algorithm:
            attrs["ChecksumAlgorithm"] = algorithm
            attrs["ChecksumType"] = params.get("ChecksumType") or (
                "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
            )
        upload = Upload(new_version_id() + new_version_id(), bucket.name, params["Key"], self.s.now(), attrs)
        await self.s.repo.create_upload(upload)
        out: dict[str, Any] = {"Bucket": bucket.name, "Key": upload.key, "UploadId": upload.upload_id}
        if algorithm:
            out["ChecksumAlgorithm"] = algorithm
            out["ChecksumType"] = attrs["ChecksumType"]
        return out

    def _part_number(self, params: dict[str, Any]) -> int:
        number = params["PartNumber"]
        if not 1 <= number <= MAX_PARTS:
            raise invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive", "partNumber", str(number)
            )
        return int(number)

    async def _save(self, part: Part) -> None:
        try:
            dropped = await self.s.repo.put_part(part)
        except KeyError:
            self.s.repo.blobs.delete([part.blob])
            raise no_such_upload(part.upload_id) from None
        self.s.repo.blobs.delete(dropped)

    async def upload_part(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = self._upload(params)
        number = self._part_number(params)
        asked = dict(params)
        if upload.attrs.get("ChecksumAlgorithm") and not asked.get("ChecksumAlgorithm"):
            asked["ChecksumAlgorithm"] = upload.attrs["ChecksumAlgorithm"]
        got = await receive(self.s.repo.blobs, params.get("Body"), asked, default=False)
        part = Part(
            upload.upload_id, number, got.size, f'"{got.md5_hex}"', self.s.now(), got.blob, got.checksums
        )
        await self._save(part)
        out: dict[str, Any] = {"ETag": part.etag}
        out.update({f"Checksum{alg}": value for alg, value in got.checksums.items()})
        return out

    async def upload_part_copy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = self._upload(params)
        number = self._part_number(params)
        src = self.objects.source(params["CopySource"])
        span = (0, src.size)
        if params.get("CopySourceRange"):
            found = reads.byte_range(params["CopySourceRange"], src.size)
            if found is None:
                raise invalid_argument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last "
                    "where first and last are the zero-based offsets of the first and last "
                    "bytes to copy",
                    "x-amz-copy-source-range",
                    params["CopySourceRange"],
                )
            span = found
        chunks = self.s.repo.blobs.read(src.blob, span[0], span[1]) if src.blob and span[1] > span[0] else b""
        got = await receive(self.s.repo.blobs, chunks, {}, default=False)
        part = Part(upload.upload_id, number, got.size, f'"{got.md5_hex}"', self.s.now(), got.blob, {})
        await self._save(part)
        out: dict[str, Any] = {
            "CopyPartResult": {"ETag": part.etag, "LastModified": reads.when(int(part.last_modified))}
        }
        if src.version_id != "null":
            out["CopySourceVersionId"] = src.version_id
        return out

    def list_parts(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = self._upload(params)
        marker = int(params.get("PartNumberMarker") or 0)
        limit = min(int(params.get("MaxParts") or 1000), 1000)
        parts = [p for p in self.s.repo.list_parts(upload.upload_id) if p.part_number > marker]
        page = parts[:limit]
        out: dict[str, Any] = {
            "Bucket": upload.bucket,
            "Key": upload.key,
            "UploadId": upload.upload_id,
            "PartNumberMarker": marker,
            "MaxParts": limit,
            "IsTruncated": len(parts) > limit,
            "Initiator": {"ID": owner()["ID"], "DisplayName": owner()["DisplayName"]},
            "Owner": owner(),
            "StorageClass": upload.attrs.get("StorageClass", "STANDARD"),
            "Parts": [
                {
                    "PartNumber": p.part_number,
                    "LastModified": reads.when(p.last_modified),
                    "ETag": p.etag,
                    "Size": p.size,
                    **{f"Checksum{alg}": v for alg, v in p.checksums.items()},
                }
                for p in page
            ],
        }
        if page:
            out["NextPartNumberMarker"] = page[-1].part_number
        if upload.attrs.get("ChecksumAlgorithm"):
            out["ChecksumAlgorithm"] = upload.attrs["ChecksumAlgorithm"]
            out["ChecksumType"] = upload.attrs.get("ChecksumType")
        return out

    def list_multipart_uploads(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.s.bucket(params["Bucket"])
        prefix = params.get("Prefix") or ""
        uploads = [u for u in self.s.repo.list_uploads(bucket.name) if u.key.startswith(prefix)]
        limit = min(int(params.get("MaxUploads") or 1000), 1000)
        marker = params.get("KeyMarker") or ""
        uploads = [u for u in uploads if u.key > marker]
        page = uploads[:limit]
        out: dict[str, Any] = {
            "Bucket": bucket.name,
            "KeyMarker": marker,
            "UploadIdMarker": params.get("UploadIdMarker") or "",
            "Prefix": prefix,
            "MaxUploads": limit,
            "IsTruncated": len(uploads) > limit,
            "Uploads": [
                {
                    "UploadId": u.upload_id,
                    "Key": u.key,
                    "Initiated": reads.when(u.initiated),
                    "StorageClass": u.attrs.get("StorageClass", "STANDARD"),
                    "Owner": owner(),
                    "Initiator": {"ID": owner()["ID"], "DisplayName": owner()["DisplayName"]},
                }
                for u in page
            ],
        }
        if len(uploads) > limit:
            out["NextKeyMarker"] = page[-1].key
            out["NextUploadIdMarker"] = page[-1].upload_id
        return out

    async def abort_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = self._upload(params)
        try:
            dropped = await self.s.repo.finish_upload(upload.upload_id, None, False)
        except KeyError:
            raise no_such_upload(upload.upload_id) from None
        self.s.repo.blobs.delete(dropped)
        return {}

    async def complete_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = self._upload(params)
        bucket = self.s.bucket(upload.bucket)
        check_write_conditions(self.s.repo.get_version(bucket.name, upload.key), params)
        asked = (params.get("MultipartUpload") or {}).get("Parts") or []
        if not asked:
            raise malformed_xml()
        stored = {p.part_number: p for p in self.s.repo.list_parts(upload.upload_id)}
        chosen: list[Part] = []
        previous = 0
        for item in asked:
            number = int(item.get("PartNumber") or 0)
            if number <= previous:
                raise AwsError(
                    "InvalidPartOrder",
                    "The list of parts was not in ascending order. The parts "
                    "list must be specified in order by part number.",
                    400,
                )
            previous = number
            part = stored.get(number)
            if part is None or (item.get("ETag") and item["ETag"].strip('"') != part.etag.strip('"')):
                raise AwsError(
                    "InvalidPart",
                    "One or more of the specified parts could not be found.  The part "
                    "may not have been uploaded, or the specified entity tag may not match the "
                    "part's entity tag.",
                    400,
                    fields={"PartNumber": number},
                )
            chosen.append(part)
        for part in chosen[:-1]:
            if part.size < MIN_PART:
                raise AwsError(
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size",
                    400,
                    fields={"ProposedSize": part.size, "MinSizeAllowed": MIN_PART},
                )
        digest = hashlib.md5(b"".join(bytes.fromhex(p.etag.strip('"')) for p in chosen))
        etag = f'"{digest.hexdigest()}-{len(chosen)}"'
        attrs = dict(upload.attrs)
        attrs["PartsCount"] = len(chosen)
        algorithm = upload.attrs.get("ChecksumAlgorithm")
        checksums: dict[str, str] = {}
        if algorithm and all(algorithm in p.checksums for p in chosen):
            combined = combine_b64(algorithm, [p.checksums[algorithm] for p in chosen])
            checksums[algorithm] = f"{combined}-{len(chosen)}"
        attrs["Checksums"] = checksums
        blob = await self.s.repo.blobs.concat([p.blob for p in chosen])
        version = ObjectVersion(
            bucket.name,
            upload.key,
            version_id_for(bucket),
            self.s.now(),
            size=sum(p.size for p in chosen),
            etag=etag,
            blob=blob,
            attrs=attrs,
        )
        try:
            dropped = await self.s.repo.finish_upload(upload.upload_id, version, version.version_id == "null")
        except KeyError:
            self.s.repo.blobs.delete([blob])
            raise no_such_upload(upload.upload_id) from None
        self.s.repo.blobs.delete(dropped)
        event = "ObjectCreated:CompleteMultipartUpload"
        self.s.notifier.notify(ctx, bucket, event, version, version.last_modified)
        out: dict[str, Any] = {
            "Location": f"{ctx.endpoint_url}/{bucket.name}/{upload.key}",
            "Bucket": bucket.name,
            "Key": upload.key,
            "ETag": etag,
            **checksum_fields(checksums, upload.attrs.get("ChecksumType", "COMPOSITE")),
        }
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out
