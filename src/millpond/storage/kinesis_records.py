"""Kinesis records in SQLite: puts, range scans per shard read, and trimming past retention.

The records' counter is the AUTOINCREMENT position of kinesis_records: a put reads it once and writes its
rows with explicit consecutive positions, all inside one engine.write, so a batch is one transaction.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence

from millpond.services.kinesis.repository import Record, StreamGone, TopologyChanged
from millpond.storage.queries import EngineQueries

TRIM_CHUNK = 2000
_COUNTER = "SELECT seq FROM sqlite_sequence WHERE name = 'kinesis_records'"
_INSERT_RECORD = (
    "INSERT INTO kinesis_records (position, stream_pk, shard_index, arrival, partition_key, data) VALUES "
    "(?, ?, ?, ?, ?, ?)"
)


def counter(conn: sqlite3.Connection) -> int:
    row = conn.execute(_COUNTER).fetchone()
    return int(row[0]) if row else 0


def trim_stream(conn: sqlite3.Connection, pk: int, cutoff: float, limit: int | None = None) -> int:
    """Drop records older than `cutoff` shard by shard (a range delete up to the first one kept), at
    most `limit` of them per shard when given."""
    deleted = 0
    for (shard,) in conn.execute(
        "SELECT shard_index FROM kinesis_shards WHERE stream_pk = ?", (pk,)
    ).fetchall():
        bound = None
        if limit is not None:
            # When the limit-th record is past retention too, the chunk ends there (no scan further on).
            nth = conn.execute(
                "SELECT position, arrival FROM kinesis_records WHERE stream_pk = ? AND shard_index = ? "
                "ORDER BY position LIMIT 1 OFFSET ?",
                (pk, shard, limit),
            ).fetchone()
            if nth is not None and nth[1] < cutoff:
                bound = nth[0]
        if bound is None:
            keep = conn.execute(
                "SELECT position FROM kinesis_records WHERE stream_pk = ? AND shard_index = ? "
                "AND arrival >= ? ORDER BY position LIMIT 1",
                (pk, shard, cutoff),
            ).fetchone()
            bound = None if keep is None else keep[0]
        if bound is None:
            cursor = conn.execute(
                "DELETE FROM kinesis_records WHERE stream_pk = ? AND shard_index = ?", (pk, shard)
            )
        else:
            cursor = conn.execute(
                "DELETE FROM kinesis_records WHERE stream_pk = ? AND shard_index = ? AND position < ?",
                (pk, shard, bound),
            )
        deleted += cursor.rowcount
    conn.execute(
        "DELETE FROM kinesis_shards WHERE stream_pk = ? AND ending_position IS NOT NULL AND closed_at < ?",
        (pk, cutoff),
    )
    return deleted


def _trim_chunk(conn: sqlite3.Connection, pk: int, cutoff: float) -> int:
    return trim_stream(conn, pk, cutoff, TRIM_CHUNK)


class SqliteKinesisRecords(EngineQueries):
    """The record operations of SqliteKinesisRepository."""

    async def put_records(
        self, pk: int, epoch: int, rows: Sequence[tuple[int, str, bytes]], now: Callable[[], float]
    ) -> tuple[int, float]:
        def put(conn: sqlite3.Connection) -> tuple[int, float]:
            row = conn.execute("SELECT shard_epoch FROM kinesis_streams WHERE pk = ?", (pk,)).fetchone()
            if row is None:
                raise StreamGone(pk)
            if row[0] != epoch:
                raise TopologyChanged(pk)
            first = counter(conn) + 1
            arrival = now()
            conn.executemany(
                _INSERT_RECORD,
                [(first + i, pk, shard, arrival, key, data) for i, (shard, key, data) in enumerate(rows)],
            )
            return first, arrival

        return await self._engine.write(put)

    def read_records(
        self, pk: int, shard: int, after: int, min_arrival: float, limit: int, max_bytes: int
    ) -> list[Record]:
        sql = (
            "SELECT position, arrival, partition_key, data FROM kinesis_records WHERE stream_pk = ? AND "
            "shard_index = ? AND position > ? AND arrival >= ? ORDER BY position LIMIT ?"
        )

        def read(conn: sqlite3.Connection) -> list[Record]:
            found: list[Record] = []
            size = 0
            for position, arrival, key, data in conn.execute(sql, (pk, shard, after, min_arrival, limit)):
                size += len(data) + len(key.encode("utf-8"))
                if size > max_bytes and found:
                    break
                found.append(Record(position, arrival, key, data))
            return found

        return self._engine.read(read)

    def shard_tail(self, pk: int, shard: int) -> tuple[int, float] | None:
        sql = (
            "SELECT position, arrival FROM kinesis_records WHERE stream_pk = ? AND shard_index = ? ORDER BY "
            "position DESC LIMIT 1"
        )
        row = self._one(sql, (pk, shard))
        return None if row is None else (int(row[0]), float(row[1]))

    def read_shard(
        self, pk: int, shard: int, after: int, min_arrival: float, limit: int, max_bytes: int
    ) -> tuple[list[Record], tuple[int, float] | None]:
        # engine.read nests: both reads run inside this one's snapshot.
        return self._engine.read(
            lambda conn: (
                self.read_records(pk, shard, after, min_arrival, limit, max_bytes),
                self.shard_tail(pk, shard),
            )
        )

    def current_position(self) -> int:
        return self._engine.read(counter)

    async def trim(self, cutoffs: Sequence[tuple[int, float]]) -> int:
        total = 0
        for pk, cutoff in cutoffs:
            # In transactions of at most TRIM_CHUNK records a shard, so other requests are served between.
            trim = functools.partial(_trim_chunk, pk=pk, cutoff=cutoff)
            while removed := await self._engine.write(trim):
                total += removed
        return total
