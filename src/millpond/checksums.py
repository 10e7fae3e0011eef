"""The checksums S3 (and its SDKs) use: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 and MD5, computed
incrementally and given as base64 of the big-endian digest, as the x-amz-checksum-* headers carry them.

CRC32 comes from zlib; CRC32C and CRC64NVME from awscrt (the library botocore itself uses for them).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any

from awscrt import checksums as _crt

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


class Checksum:
    """One running checksum: `update(data)` as bytes arrive, then `b64()`."""

    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm.upper()
        self._crc = 0
        self._hash: Any = None
        if self.algorithm in ("SHA1", "SHA256", "MD5"):
            self._hash = hashlib.new(self.algorithm.lower())
        elif self.algorithm not in ("CRC32", "CRC32C", "CRC64NVME"):
            raise ValueError(f"Unknown checksum algorithm {algorithm!r}")

    def update(self, data: bytes | memoryview) -> None:
        if self._hash is not None:
            self._hash.update(data)
        elif self.algorithm == "CRC32":
            self._crc = zlib.crc32(data, self._crc)
        elif self.algorithm == "CRC32C":
            self._crc = _crt.crc32c(bytes(data), self._crc)
        else:
            self._crc = _crt.crc64nvme(bytes(data), self._crc)

    def digest(self) -> bytes:
        if self._hash is not None:
            return bytes(self._hash.digest())
        size = 8 if self.algorithm == "CRC64NVME" else 4
        return self._crc.to_bytes(size, "big")

    def b64(self) -> str:
        return base64.b64encode(self.digest()).decode("ascii")


def checksum_b64(algorithm: str, data: bytes) -> str:
    checksum = Checksum(algorithm)
    checksum.update(data)
    return checksum.b64()


def combine_b64(algorithm: str, digests_b64: list[str]) -> str:
    """S3's composite checksum of a multipart object: the checksum of the parts' raw digests."""
    return checksum_b64(algorithm, b"".join(base64.b64decode(d) for d in digests_b64))
