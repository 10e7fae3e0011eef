"""S3 in SQLite: bucket documents, object versions (one row each, `latest` marking the current one),
multipart uploads and their parts. The bytes are blobs in files (s3_blobs); rows name them.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from millpond.services.s3.repository import Bucket, ObjectVersion, Part, S3Repository, Upload
from millpond.storage.engine import Engine
from millpond.storage.s3_blobs import FileBlobStore

T = TypeVar("T")
_VERSION_COLUMNS = "document, seq, latest"


def _version_doc(version: ObjectVersion) -> str:
    data = dataclasses.asdict(version)
    for name in ("seq", "latest"):
        data.pop(name)
    return json.dumps(data)


def _version(row: Any) -> ObjectVersion:
    data = json.loads(row[0])
    return ObjectVersion(**data, seq=row[1], latest=bool(row[2]))


def _bucket(text: str) -> Bucket:
    return Bucket(**json.loads(text))


def _mark_latest(conn: sqlite3.Connection, bucket: str, key: str) -> None:
    conn.execute("UPDATE s3_objects SET latest = 0 WHERE bucket = ? AND key = ?", (bucket, key))
    conn.execute(
        "UPDATE s3_objects SET latest = 1 WHERE bucket = ? AND key = ? AND seq = "
        "(SELECT MAX(seq) FROM s3_objects WHERE bucket = ? AND key = ?)",
        (bucket, key, bucket, key),
    )


def _unreferenced(conn: sqlite3.Connection, blobs: list[str]) -> list[str]:
    left = []
    for blob in blobs:
        if conn.execute("SELECT 1 FROM s3_objects WHERE blob = ? LIMIT 1", (blob,)).fetchone() is None:
            left.append(blob)
    return left


class SqliteS3Repository(S3Repository):
    def __init__(self, engine: Engine, blobs: FileBlobStore) -> None:
        self._engine = engine
        self.blobs = blobs

    # -- buckets ---------------------------------------------------------------------------------------------

    async def create_bucket(self, bucket: Bucket) -> Bucket | None:
        def create(conn: sqlite3.Connection) -> Bucket | None:
            row = conn.execute("SELECT document FROM s3_buckets WHERE name = ?", (bucket.name,)).fetchone()
            if row is not None:
                return _bucket(row[0])
            conn.execute(
                "INSERT INTO s3_buckets (name, document) VALUES (?, ?)",
                (bucket.name, json.dumps(dataclasses.asdict(bucket))),
            )
            return None

        return await self._engine.write(create)

    def get_bucket(self, name: str) -> Bucket | None:
        row = self._engine.read(
            lambda c: c.execute("SELECT document FROM s3_buckets WHERE name = ?", (name,)).fetchone()
        )
        return None if row is None else _bucket(row[0])

    def list_buckets(self) -> list[Bucket]:
        rows = self._engine.read(
            lambda c: c.execute("SELECT document FROM s3_buckets ORDER BY name").fetchall()
        )
        return [_bucket(row[0]) for row in rows]

    async def update_bucket(self, name: str, change: Callable[[Bucket], T]) -> T | None:
        def update(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            row = conn.execute("SELECT document FROM s3_buckets WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False, None
            bucket = _bucket(row[0])
            result = change(bucket)
            conn.execute(
                "UPDATE s3_buckets SET document = ? WHERE name = ?",
                (json.dumps(dataclasses.asdict(bucket)), name),
            )
            return True, result

        return (await self._engine.write(update))[1]

    async def delete_bucket(self, name: str) -> str:
        def delete(conn: sqlite3.Connection) -> str:
            if conn.execute("SELECT 1 FROM s3_buckets WHERE name = ?", (name,)).fetchone() is None:
                return "missing"
            if conn.execute("SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1", (name,)).fetchone():
                return "not_empty"
            if conn.execute("SELECT 1 FROM s3_uploads WHERE bucket = ? LIMIT 1", (name,)).fetchone():
                return "not_empty"
            conn.execute("DELETE FROM s3_buckets WHERE name = ?", (name,))
            return "deleted"

        return await self._engine.write(delete)

    # -- versions --------------------------------------------------------------------------------------------

    @staticmethod
    def _insert(conn: sqlite3.Connection, version: ObjectVersion, replace_null: bool) -> list[str]:
        dropped: list[str] = []
        if replace_null or version.version_id == "null":
            row = conn.execute(
                "SELECT blob FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null'",
                (version.bucket, version.key),
            ).fetchone()
            if row is not None:
                conn.execute(
                    "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null'",
                    (version.bucket, version.key),
                )
                if row[0]:
                    dropped.append(row[0])
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM s3_objects").fetchone()[0]
        version.seq, version.latest = seq, True
        conn.execute(
            "INSERT INTO s3_objects (bucket, key, version_id, seq, latest, delete_marker, blob, document) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            (version.bucket, version.key, version.version_id, seq, int(version.delete_marker), version.blob,
             _version_doc(version)),
        )  # fmt: skip
        _mark_latest(conn, version.bucket, version.key)
        return _unreferenced(conn, dropped)

    async def put_version(self, version: ObjectVersion, replace_null: bool) -> list[str]:
        return await self._engine.write(lambda conn: self._insert(conn, version, replace_null))

    def get_version(self, bucket: str, key: str, version_id: str | None = None) -> ObjectVersion | None:
        if version_id is None:
            sql = f"SELECT {_VERSION_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? AND latest = 1"
            args: tuple[str, ...] = (bucket, key)
        else:
            sql = f"SELECT {_VERSION_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?"
            args = (bucket, key, version_id)
        row = self._engine.read(lambda c: c.execute(sql, args).fetchone())
        return None if row is None else _version(row)

    async def update_version(
        self, bucket: str, key: str, version_id: str, change: Callable[[ObjectVersion], T]
    ) -> T | None:
        def update(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            row = conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                (bucket, key, version_id),
            ).fetchone()
            if row is None:
                return False, None
            version = _version(row)
            result = change(version)
            conn.execute(
                "UPDATE s3_objects SET document = ? WHERE bucket = ? AND key = ? AND version_id = ?",
                (_version_doc(version), bucket, key, version_id),
            )
            return True, result

        return (await self._engine.write(update))[1]

    async def delete_version(self, bucket: str, key: str, version_id: str) -> ObjectVersion | None:
        def delete(conn: sqlite3.Connection) -> ObjectVersion | None:
            row = conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                (bucket, key, version_id),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                (bucket, key, version_id),
            )
            _mark_latest(conn, bucket, key)
            return _version(row)

        return await self._engine.write(delete)

    def list_latest(self, bucket: str, prefix: str, after: str, limit: int) -> list[ObjectVersion]:
        sql = (
            f"SELECT {_VERSION_COLUMNS} FROM s3_objects "
            "WHERE bucket = ? AND latest = 1 AND delete_marker = 0 AND key > ? AND substr(key, 1, ?) = ? "
            "ORDER BY key LIMIT ?"
        )
        rows = self._engine.read(
            lambda c: c.execute(sql, (bucket, after, len(prefix), prefix, limit)).fetchall()
        )
        return [_version(row) for row in rows]

    def list_versions(
        self, bucket: str, prefix: str, after_key: str, after_seq: int | None, limit: int
    ) -> list[ObjectVersion]:
        args: list[object]
        if after_seq is None:
            where, args = "key > ?", [after_key]
        else:
            where, args = "(key > ? OR (key = ? AND seq < ?))", [after_key, after_key, after_seq]
        sql = (
            f"SELECT {_VERSION_COLUMNS} FROM s3_objects WHERE bucket = ? AND {where} "
            "AND substr(key, 1, ?) = ? ORDER BY key, seq DESC LIMIT ?"
        )
        params = (bucket, *args, len(prefix), prefix, limit)
        rows = self._engine.read(lambda c: c.execute(sql, params).fetchall())
        return [_version(row) for row in rows]

    def bucket_totals(self, bucket: str) -> tuple[int, int]:
        sql = "SELECT COUNT(*), COALESCE(SUM(json_extract(document, '$.size')), 0) FROM s3_objects "
        row = self._engine.read(
            lambda c: c.execute(sql + "WHERE bucket = ? AND delete_marker = 0", (bucket,)).fetchone()
        )
        return int(row[0]), int(row[1])

    def expired_candidates(self, bucket: str) -> list[ObjectVersion]:
        return self.list_latest(bucket, "", "", 1_000_000)

    # -- multipart uploads -----------------------------------------------------------------------------------

    async def create_upload(self, upload: Upload) -> None:
        document = json.dumps(dataclasses.asdict(upload))
        await self._engine.write(
            lambda conn: conn.execute(
                "INSERT INTO s3_uploads (upload_id, bucket, key, document) VALUES (?, ?, ?, ?)",
                (upload.upload_id, upload.bucket, upload.key, document),
            )
        )

    def get_upload(self, upload_id: str) -> Upload | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM s3_uploads WHERE upload_id = ?", (upload_id,)
            ).fetchone()
        )
        return None if row is None else Upload(**json.loads(row[0]))

    def list_uploads(self, bucket: str) -> list[Upload]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM s3_uploads WHERE bucket = ? ORDER BY key, upload_id", (bucket,)
            ).fetchall()
        )
        return [Upload(**json.loads(row[0])) for row in rows]

    async def put_part(self, part: Part) -> list[str]:
        def put(conn: sqlite3.Connection) -> list[str]:
            if (
                conn.execute("SELECT 1 FROM s3_uploads WHERE upload_id = ?", (part.upload_id,)).fetchone()
                is None
            ):
                raise KeyError(part.upload_id)
            row = conn.execute(
                "SELECT blob FROM s3_parts WHERE upload_id = ? AND part_number = ?",
                (part.upload_id, part.part_number),
            ).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO s3_parts (upload_id, part_number, blob, document) "
                "VALUES (?, ?, ?, ?)",
                (part.upload_id, part.part_number, part.blob, json.dumps(dataclasses.asdict(part))),
            )
            return [row[0]] if row else []

        return await self._engine.write(put)

    def list_parts(self, upload_id: str) -> list[Part]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM s3_parts WHERE upload_id = ? ORDER BY part_number", (upload_id,)
            ).fetchall()
        )
        return [Part(**json.loads(row[0])) for row in rows]

    async def finish_upload(
        self, upload_id: str, version: ObjectVersion | None, replace_null: bool
    ) -> list[str]:
        def finish(conn: sqlite3.Connection) -> list[str]:
            if conn.execute("SELECT 1 FROM s3_uploads WHERE upload_id = ?", (upload_id,)).fetchone() is None:
                raise KeyError(upload_id)
            blobs = [
                r[0] for r in conn.execute("SELECT blob FROM s3_parts WHERE upload_id = ?", (upload_id,))
            ]
            conn.execute("DELETE FROM s3_parts WHERE upload_id = ?", (upload_id,))
            conn.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload_id,))
            if version is not None:
                blobs += self._insert(conn, version, replace_null)
            return blobs

        return await self._engine.write(finish)
