"""Kinesis streams and shards in SQLite: stream rows, their shard topology and resharding."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from millpond.services.kinesis.repository import (
    UPDATABLE,
    NewShard,
    Shard,
    Stream,
    StreamExists,
    StreamGone,
    TopologyChanged,
)
from millpond.storage.kinesis_records import counter, trim_stream
from millpond.storage.queries import EngineQueries

_STREAM_COLUMNS = (
    "pk, account_id, region, name, created_at, status, settles_at, mode, retention_hours, encryption_type, "
    "key_id, shard_metrics, max_record_kib, warm_throughput, next_shard_index, shard_epoch, mode_changes, "
    "scalings, distribution"
)
_SHARD_COLUMNS = (
    "shard_index, parent_index, adjacent_index, start_hash, end_hash, starting_position, ending_position, "
    "created_at, closed_at"
)
_JSON_FIELDS = ("shard_metrics", "mode_changes", "scalings")


def _stream(row: tuple[Any, ...] | None) -> Stream | None:
    if row is None:
        return None
    values = list(row)
    values[11] = tuple(json.loads(values[11]))
    values[16] = tuple(json.loads(values[16]))
    values[17] = tuple(json.loads(values[17]))
    return Stream(*values)


def _shard(row: tuple[Any, ...]) -> Shard:
    index, parent, adjacent, start, end, starting, ending, created, closed = row
    return Shard(index, parent, adjacent, int(start), int(end), starting, ending, created, closed)


def _insert_shards(
    conn: sqlite3.Connection, pk: int, shards: Sequence[NewShard], at: int, now: float
) -> None:
    conn.executemany(
        f"INSERT INTO kinesis_shards (stream_pk, {_SHARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, "
        "NULL)",
        [
            (pk, s.index, s.parent, s.adjacent_parent, str(s.start_hash), str(s.end_hash), at, now)
            for s in shards
        ],
    )


class SqliteKinesisStreams(EngineQueries):
    """The stream and shard operations of SqliteKinesisRepository."""

    def find_stream(self, account_id: str, region: str, name: str) -> Stream | None:
        sql = (
            f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE account_id = ? AND region = ? AND name = ?"
        )
        return _stream(self._one(sql, (account_id, region, name)))

    def stream_by_pk(self, pk: int) -> Stream | None:
        return _stream(self._one(f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE pk = ?", (pk,)))

    def list_streams(self, account_id: str, region: str, after: str | None, limit: int) -> list[Stream]:
        sql = (
            f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE account_id = ? AND region = ? AND name > ? "
            "ORDER BY name LIMIT ?"
        )
        rows = self._all(sql, (account_id, region, after or "", limit))
        return [stream for row in rows if (stream := _stream(row)) is not None]

    def all_streams(self) -> list[Stream]:
        rows = self._all(f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams ORDER BY pk")
        return [stream for row in rows if (stream := _stream(row)) is not None]

    def count_shards(self, account_id: str, region: str) -> tuple[int, int]:
        def count(conn: sqlite3.Connection) -> tuple[int, int]:
            shards = conn.execute(
                "SELECT count(*) FROM kinesis_shards JOIN kinesis_streams ON pk = stream_pk WHERE "
                "account_id = ? AND region = ? AND ending_position IS NULL",
                (account_id, region),
            ).fetchone()[0]
            on_demand = conn.execute(
                "SELECT count(*) FROM kinesis_streams WHERE account_id = ? AND region = ? AND mode = "
                "'ON_DEMAND'",
                (account_id, region),
            ).fetchone()[0]
            return int(shards), int(on_demand)

        return self._engine.read(count)

    async def create_stream(
        self, stream: Stream, shards: Sequence[NewShard], tags: Mapping[str, str]
    ) -> Stream:
        values = [getattr(stream, column) for column in _STREAM_COLUMNS.split(", ")][1:]
        values[10] = json.dumps(list(stream.shard_metrics))
        values[15] = json.dumps(list(stream.mode_changes))
        values[16] = json.dumps(list(stream.scalings))
        columns = _STREAM_COLUMNS.split(", ", 1)[1]

        def create(conn: sqlite3.Connection) -> int:
            try:
                cursor = conn.execute(
                    f"INSERT INTO kinesis_streams ({columns}) VALUES ({', '.join('?' for _ in values)})",
                    values,
                )
            except sqlite3.IntegrityError:
                raise StreamExists(stream.name) from None
            pk = int(cursor.lastrowid or 0)
            _insert_shards(conn, pk, shards, counter(conn), stream.created_at)
            arn = stream.arn
            conn.executemany(
                "INSERT INTO kinesis_tags (arn, stream_pk, tag_key, tag_value) VALUES (?, ?, ?, ?)",
                [(arn, pk, key, value) for key, value in tags.items()],
            )
            return pk

        pk = await self._engine.write(create)
        created = self.stream_by_pk(pk)
        assert created is not None
        return created

    async def delete_stream(self, pk: int) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            for table in ("kinesis_records", "kinesis_shards", "kinesis_tags", "kinesis_consumers"):
                conn.execute(f"DELETE FROM {table} WHERE stream_pk = ?", (pk,))
            conn.execute("DELETE FROM kinesis_policies WHERE stream_pk = ?", (pk,))
            conn.execute("DELETE FROM kinesis_streams WHERE pk = ?", (pk,))

        await self._engine.write(delete)

    async def update_stream(self, pk: int, **changes: Any) -> Stream:
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = [json.dumps(list(v)) if k in _JSON_FIELDS else v for k, v in changes.items()]
        assignments = ", ".join(f"{column} = ?" for column in changes)

        def update(conn: sqlite3.Connection) -> None:
            if (
                conn.execute(f"UPDATE kinesis_streams SET {assignments} WHERE pk = ?", (*values, pk)).rowcount
                == 0
            ):
                raise StreamGone(pk)

        if changes:
            await self._engine.write(update)
        stream = self.stream_by_pk(pk)
        if stream is None:
            raise StreamGone(pk)
        return stream

    async def set_retention(self, pk: int, hours: int, trim_before: float) -> None:
        def apply(conn: sqlite3.Connection) -> None:
            trim_stream(conn, pk, trim_before)
            if (
                conn.execute(
                    "UPDATE kinesis_streams SET retention_hours = ? WHERE pk = ?", (hours, pk)
                ).rowcount
                == 0
            ):
                raise StreamGone(pk)

        await self._engine.write(apply)

    # -- shards ----------------------------------------------------------------------------------------------

    def shards(self, pk: int) -> list[Shard]:
        sql = f"SELECT {_SHARD_COLUMNS} FROM kinesis_shards WHERE stream_pk = ? ORDER BY shard_index"
        return [_shard(row) for row in self._all(sql, (pk,))]

    async def reshard(
        self,
        pk: int,
        epoch: int,
        closing: Sequence[int],
        opening: Sequence[NewShard],
        now: float,
        **changes: Any,
    ) -> None:
        allowed = {"status", "settles_at", "scalings"}
        if set(changes) - allowed:
            raise ValueError(f"not changeable by reshard: {sorted(set(changes) - allowed)}")
        values = [json.dumps(list(v)) if k in _JSON_FIELDS else v for k, v in changes.items()]
        extra = "".join(f", {column} = ?" for column in changes)
        next_index = max((shard.index for shard in opening), default=-1) + 1

        def apply(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT shard_epoch FROM kinesis_streams WHERE pk = ?", (pk,)).fetchone()
            if row is None:
                raise StreamGone(pk)
            if row[0] != epoch:
                raise TopologyChanged(pk)
            at = counter(conn)
            # Opening first: a shard the plan opens and closes again (uniform scaling) ends where it starts.
            _insert_shards(conn, pk, opening, at, now)
            conn.executemany(
                "UPDATE kinesis_shards SET ending_position = ?, closed_at = ? WHERE stream_pk = ? AND "
                "shard_index = ?",
                [(at, now, pk, index) for index in closing],
            )
            conn.execute(
                "UPDATE kinesis_streams SET shard_epoch = shard_epoch + 1, next_shard_index = "
                f"max(next_shard_index, ?){extra} WHERE pk = ?",
                (next_index, *values, pk),
            )

        await self._engine.write(apply)
