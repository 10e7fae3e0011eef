"""Receiving an object body into a blob as it arrives: size, MD5 (the ETag), the checksums the client
asked for (verified against the x-amz-checksum-* header or trailer) and Content-MD5."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from millpond.checksums import ALGORITHMS, Checksum
from millpond.errors import AwsError
from millpond.services.s3.errors import bad_digest, invalid_request
from millpond.services.s3.repository import BlobStore

DEFAULT_ALGORITHM = "CRC64NVME"  # what S3 computes for an object whose upload asks for none


@dataclass
class Received:
    blob: str
    size: int
    md5_hex: str
    checksums: dict[str, str] = field(default_factory=dict)  # algorithm -> base64


def requested_algorithms(params: Mapping[str, Any]) -> list[str]:
    found = [alg for alg in ALGORITHMS if params.get(f"Checksum{alg}")]
    named = params.get("ChecksumAlgorithm")
    if named:
        if str(named).upper() not in ALGORITHMS:
            raise invalid_request(f"Checksum algorithm {named} is not supported.")
        if str(named).upper() not in found:
            found.append(str(named).upper())
    return found


async def receive(blobs: BlobStore, body: Any, params: Mapping[str, Any], default: bool = True) -> Received:
    algorithms = requested_algorithms(params)
    for name in getattr(body, "announced", []):  # a checksum sent as a trailer
        alg = name.removeprefix("x-amz-checksum-").upper()
        if name.startswith("x-amz-checksum-") and alg in ALGORITHMS and alg not in algorithms:
            algorithms.append(alg)
    algorithms = algorithms or ([DEFAULT_ALGORITHM] if default else [])
    checksums = {alg: Checksum(alg) for alg in algorithms}
    md5 = hashlib.md5()
    size = 0
    writer = blobs.writer()
    try:
        chunks: AsyncIterable[bytes] = _as_chunks(body)
        try:
            async for chunk in chunks:
                size += len(chunk)
                md5.update(chunk)
                for checksum in checksums.values():
                    checksum.update(chunk)
                writer.write(chunk)
        except (ValueError, ConnectionError) as exc:  # the framing broke off, or the client left
            raise AwsError(
                "IncompleteBody", f"The request body is incomplete or malformed: {exc}", 400
            ) from None
        trailers: Mapping[str, str] = getattr(body, "trailers", {}) or {}
        _verify(params, trailers, checksums, md5.digest())
        blob = await writer.finish()
    except BaseException:
        writer.abort()
        raise
    return Received(blob, size, md5.hexdigest(), {alg: c.b64() for alg, c in checksums.items()})


def _verify(
    params: Mapping[str, Any], trailers: Mapping[str, str], checksums: dict[str, Checksum], md5: bytes
) -> None:
    content_md5 = params.get("ContentMD5")
    if content_md5:
        try:
            expected = base64.b64decode(content_md5, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_request("The Content-MD5 you specified was invalid.") from None
        if expected != md5:
            raise bad_digest("Content-MD5")
    for alg, checksum in checksums.items():
        given = params.get(f"Checksum{alg}") or trailers.get(f"x-amz-checksum-{alg.lower()}")
        if given and given != checksum.b64():
            raise bad_digest(alg if alg != "CRC64NVME" else "CRC64NVME")


async def _as_chunks(body: Any) -> AsyncIterable[bytes]:
    if body is None:
        return
    if isinstance(body, bytes | bytearray | memoryview):
        if body:
            yield bytes(body)
        return
    async for chunk in body:
        yield chunk
