"""What S3 needs from storage: bucket and object-version records in the database, object bytes as blobs.

A blob is written to a BlobWriter as it arrives and made durable by `finish()` (fsynced and renamed into
place) before any record naming it is committed; a blob no committed record names is never visible.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


@dataclass
class Bucket:
    name: str
    region: str
    created: float
    versioning: str = ""  # "", "Enabled" or "Suspended"
    # Stored sub-resources by name (tagging, cors, policy, lifecycle, notification, ownership, ...).
    configs: dict[str, Any] = field(default_factory=dict)


@dataclass
class ObjectVersion:
    bucket: str
    key: str
    version_id: str  # "null" when written while versioning was never enabled or suspended
    last_modified: float
    delete_marker: bool = False
    size: int = 0
    etag: str = ""
    blob: str | None = None
    # Content headers, user metadata, checksums, storage class, tags, ACL, parts count.
    attrs: dict[str, Any] = field(default_factory=dict)
    seq: int = 0  # set by storage: the order versions of a key were written in
    latest: bool = True


@dataclass
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated: float
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Part:
    upload_id: str
    part_number: int
    size: int
    etag: str
    last_modified: float
    blob: str
    checksums: dict[str, str] = field(default_factory=dict)


class BlobWriter(Protocol):
    def write(self, data: bytes) -> None: ...

    async def finish(self) -> str:
        """Make the bytes durable; returns the blob id."""
        ...

    def abort(self) -> None: ...


class BlobStore(Protocol):
    def writer(self) -> BlobWriter: ...

    def size(self, blob: str) -> int: ...

    def read(self, blob: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes [start, end) of a blob, in chunks; the file is opened before the first chunk is asked for."""
        ...

    async def concat(self, blobs: list[str]) -> str:
        """One new blob holding the given blobs one after another."""
        ...

    def delete(self, blobs: list[str]) -> None: ...

    def clear(self) -> None: ...


class S3Repository(Protocol):
    blobs: BlobStore

    async def create_bucket(self, bucket: Bucket) -> Bucket | None:
        """Creates it, or returns the bucket that already has the name."""
        ...

    def get_bucket(self, name: str) -> Bucket | None: ...

    def list_buckets(self) -> list[Bucket]: ...

    async def update_bucket(self, name: str, change: Callable[[Bucket], T]) -> T | None: ...

    async def delete_bucket(self, name: str) -> str:
        """ "deleted", "missing" or "not_empty" (any version or upload left)."""
        ...

    async def put_version(self, version: ObjectVersion, replace_null: bool) -> list[str]:
        """Adds the version as the key's latest; with `replace_null` the key's "null" version goes.
        Returns blobs no longer named by any record."""
        ...

    def get_version(self, bucket: str, key: str, version_id: str | None = None) -> ObjectVersion | None: ...

    async def update_version(
        self, bucket: str, key: str, version_id: str, change: Callable[[ObjectVersion], T]
    ) -> T | None: ...

    async def delete_version(self, bucket: str, key: str, version_id: str) -> ObjectVersion | None:
        """Removes one version (the previous one becomes latest); returns it."""
        ...

    def list_latest(self, bucket: str, prefix: str, after: str, limit: int) -> list[ObjectVersion]:
        """Latest versions that are not delete markers, keys > `after` starting with `prefix`, by key."""
        ...

    def list_versions(
        self, bucket: str, prefix: str, after_key: str, after_seq: int | None, limit: int
    ) -> list[ObjectVersion]:
        """Every version, by key then newest first, after (after_key, after_seq)."""
        ...

    async def create_upload(self, upload: Upload) -> None: ...

    def get_upload(self, upload_id: str) -> Upload | None: ...

    def list_uploads(self, bucket: str) -> list[Upload]: ...

    async def put_part(self, part: Part) -> list[str]:
        """Adds or replaces a part; returns the replaced part's blob. False upload: KeyError."""
        ...

    def list_parts(self, upload_id: str) -> list[Part]: ...

    async def finish_upload(
        self, upload_id: str, version: ObjectVersion | None, replace_null: bool
    ) -> list[str]:
        """Removes the upload and its parts, adding `version` (None: abort); returns blobs to delete."""
        ...

    def bucket_totals(self, bucket: str) -> tuple[int, int]:
        """(number of object versions, their bytes), delete markers left out (the storage metrics)."""
        ...

    def expired_candidates(self, bucket: str) -> list[ObjectVersion]:
        """Latest, non-delete-marker versions of a bucket (lifecycle expiration)."""
        ...
