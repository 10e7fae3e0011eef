"""The S3 repository contract on every backend: buckets, versions (latest, the "null" version replaced,
delete markers), listings in byte order, multipart uploads, and blobs written, read and removed."""

from __future__ import annotations

from pathlib import Path

from millpond.services.s3.repository import Bucket, ObjectVersion, Part, Upload
from millpond.storage.s3 import SqliteS3Repository
from millpond.storage.s3_blobs import FileBlobStore

from .conftest import Backend


async def _blob(repo: SqliteS3Repository, data: bytes) -> str:
    writer = repo.blobs.writer()
    writer.write(data)
    return await writer.finish()


async def _read(repo: SqliteS3Repository, blob: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in repo.blobs.read(blob, start, end)])


async def test_buckets_versions_and_listing(backend: Backend, tmp_path: Path) -> None:
    async with backend.engine() as engine:
        repo = SqliteS3Repository(
            engine, FileBlobStore(tmp_path / "blobs", fsync=backend.durability == "full")
        )
        assert await repo.create_bucket(Bucket("b", "us-east-1", 1.0)) is None
        assert (await repo.create_bucket(Bucket("b", "eu-west-1", 2.0))).region == "us-east-1"  # type: ignore[union-attr]
        await repo.update_bucket("b", lambda b: setattr(b, "versioning", "Enabled"))
        assert repo.get_bucket("b").versioning == "Enabled"  # type: ignore[union-attr]

        first = await _blob(repo, b"one")
        assert await repo.put_version(ObjectVersion("b", "k", "null", 1.0, size=3, blob=first), True) == []
        second = await _blob(repo, b"two")
        dropped = await repo.put_version(ObjectVersion("b", "k", "null", 2.0, size=3, blob=second), True)
        assert dropped == [first]  # the "null" version is replaced, its blob no longer named
        await repo.put_version(ObjectVersion("b", "k", "v" * 32, 3.0, delete_marker=True), False)
        assert repo.get_version("b", "k").delete_marker  # type: ignore[union-attr]
        assert repo.list_latest("b", "", "", 10) == []
        assert [v.version_id for v in repo.list_versions("b", "", "", None, 10)] == ["v" * 32, "null"]
        await repo.delete_version("b", "k", "v" * 32)
        assert await _read(repo, repo.get_version("b", "k").blob or "") == b"two"  # type: ignore[union-attr]

        for key in ("é", "a/b", "a", "Z"):  # S3 lists keys in UTF-8 byte order
            await repo.put_version(ObjectVersion("b", key, "null", 4.0), True)
        assert [v.key for v in repo.list_latest("b", "", "", 10)] == ["Z", "a", "a/b", "k", "é"]
        assert [v.key for v in repo.list_latest("b", "a", "a", 10)] == ["a/b"]
        assert repo.bucket_totals("b") == (5, 3)
        assert await repo.delete_bucket("b") == "not_empty"
        assert await repo.delete_bucket("nope") == "missing"


async def test_multipart_and_blobs(backend: Backend, tmp_path: Path) -> None:
    async with backend.engine() as engine:
        repo = SqliteS3Repository(engine, FileBlobStore(tmp_path / "blobs"))
        await repo.create_bucket(Bucket("b", "us-east-1", 1.0))
        await repo.create_upload(Upload("u1", "b", "big", 1.0))
        parts = [await _blob(repo, data) for data in (b"abc", b"def", b"XYZ")]
        await repo.put_part(Part("u1", 1, 3, '"e1"', 1.0, parts[0]))
        await repo.put_part(Part("u1", 2, 3, '"e2"', 1.0, parts[1]))
        assert await repo.put_part(Part("u1", 2, 3, '"e3"', 1.0, parts[2])) == [parts[1]]  # replaced
        repo.blobs.delete([parts[1]])
        assert [p.etag for p in repo.list_parts("u1")] == ['"e1"', '"e3"']
        whole = await repo.blobs.concat([p.blob for p in repo.list_parts("u1")])
        assert await _read(repo, whole) == b"abcXYZ"
        assert await _read(repo, whole, 2, 5) == b"cXY"
        version = ObjectVersion("b", "big", "null", 2.0, size=6, blob=whole)
        left = await repo.finish_upload("u1", version, True)
        assert sorted(left) == sorted([parts[0], parts[2]])
        assert repo.get_upload("u1") is None and repo.list_uploads("b") == []
        repo.blobs.delete(left)
        assert sorted(p.name for p in (tmp_path / "blobs" / "blobs").iterdir()) == [whole]


def test_a_restart_removes_half_written_bodies(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    writer = store.writer()
    writer.write(b"half an upload")
    assert list(store.tmp.iterdir())
    FileBlobStore(tmp_path)  # the next start
    assert list((tmp_path / "tmp").iterdir()) == []
    assert list((tmp_path / "blobs").iterdir()) == []
    writer.abort()
