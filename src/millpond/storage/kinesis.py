"""Kinesis in SQLite: streams, shards, records (a range scan per shard read), tags, consumers, policies.

The records' counter is the AUTOINCREMENT position of kinesis_records: a put reads it once and writes its
rows with explicit consecutive positions, all inside one engine.write, so a batch is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from millpond.services.kinesis.repository import (
    UPDATABLE,
    Consumer,
    ConsumerExists,
    KinesisRepository,
    NewShard,
    Record,
    Shard,
    Stream,
    StreamExists,
    StreamGone,
    TopologyChanged,
)
from millpond.storage.engine import Engine

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
_COUNTER = "SELECT seq FROM sqlite_sequence WHERE name = 'kinesis_records'"
_INSERT_RECORD = (
    "INSERT INTO kinesis_records (position, stream_pk, shard_index, arrival, partition_key, data) VALUES "
    "(?, ?, ?, ?, ?, ?)"
)


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


def _counter(conn: sqlite3.Connection) -> int:
    row = conn.execute(_COUNTER).fetchone()
    return int(row[0]) if row else 0


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


def _trim_stream(conn: sqlite3.Connection, pk: int, cutoff: float) -> int:
    """Drop records older than `cutoff` shard by shard (a range delete up to the first one kept)."""
    deleted = 0
    for (shard,) in conn.execute(
        "SELECT shard_index FROM kinesis_shards WHERE stream_pk = ?", (pk,)
    ).fetchall():
        keep = conn.execute(
            "SELECT position FROM kinesis_records WHERE stream_pk = ? AND shard_index = ? AND arrival >= ? "
            "ORDER BY position LIMIT 1",
            (pk, shard, cutoff),
        ).fetchone()
        if keep is None:
            cursor = conn.execute(
                "DELETE FROM kinesis_records WHERE stream_pk = ? AND shard_index = ?", (pk, shard)
            )
        else:
            cursor = conn.execute(
                "DELETE FROM kinesis_records WHERE stream_pk = ? AND shard_index = ? AND position < ?",
                (pk, shard, keep[0]),
            )
        deleted += cursor.rowcount
    conn.execute(
        "DELETE FROM kinesis_shards WHERE stream_pk = ? AND ending_position IS NOT NULL AND closed_at < ?",
        (pk, cutoff),
    )
    return deleted


class SqliteKinesisRepository(KinesisRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self._engine.read(lambda conn: conn.execute(sql, args).fetchone())

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return self._engine.read(lambda conn: conn.execute(sql, args).fetchall())

    async def _run(self, sql: str, args: Sequence[Any]) -> None:
        await self._engine.write(lambda conn: conn.execute(sql, args))

    async def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._engine.write(lambda conn: conn.executemany(sql, rows))

    # -- streams ---------------------------------------------------------------------------------------------

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
            _insert_shards(conn, pk, shards, _counter(conn), stream.created_at)
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
            _trim_stream(conn, pk, trim_before)
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
            at = _counter(conn)
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

    # -- records ---------------------------------------------------------------------------------------------

    async def put_records(
        self, pk: int, epoch: int, rows: Sequence[tuple[int, str, bytes]], now: Callable[[], float]
    ) -> tuple[int, float]:
        def put(conn: sqlite3.Connection) -> tuple[int, float]:
            row = conn.execute("SELECT shard_epoch FROM kinesis_streams WHERE pk = ?", (pk,)).fetchone()
            if row is None:
                raise StreamGone(pk)
            if row[0] != epoch:
                raise TopologyChanged(pk)
            first = _counter(conn) + 1
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
        return self._engine.read(_counter)

    async def trim(self, cutoffs: Sequence[tuple[int, float]]) -> int:
        def apply(conn: sqlite3.Connection) -> int:
            return sum(_trim_stream(conn, pk, cutoff) for pk, cutoff in cutoffs)

        return await self._engine.write(apply) if cutoffs else 0

    # -- tags, consumers, policies, account settings ---------------------------------------------------------

    def tags(self, arn: str) -> dict[str, str]:
        return dict(
            self._all("SELECT tag_key, tag_value FROM kinesis_tags WHERE arn = ? ORDER BY tag_key", (arn,))
        )

    async def put_tags(self, arn: str, stream_pk: int, tags: Mapping[str, str]) -> None:
        await self._run_many(
            "INSERT INTO kinesis_tags (arn, stream_pk, tag_key, tag_value) VALUES (?, ?, ?, ?) ON CONFLICT "
            "(arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            [(arn, stream_pk, key, value) for key, value in tags.items()],
        )

    async def remove_tags(self, arn: str, keys: Sequence[str]) -> None:
        await self._run_many(
            "DELETE FROM kinesis_tags WHERE arn = ? AND tag_key = ?", [(arn, key) for key in keys]
        )

    def consumers(self, pk: int) -> list[Consumer]:
        sql = (
            "SELECT name, arn, created_at, status, settles_at FROM kinesis_consumers WHERE stream_pk = ? "
            "ORDER BY created_at, name"
        )
        return [Consumer(*row) for row in self._all(sql, (pk,))]

    async def add_consumer(self, pk: int, consumer: Consumer) -> None:
        row = (pk, consumer.name, consumer.arn, consumer.created_at, consumer.status, consumer.settles_at)

        def add(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO kinesis_consumers (stream_pk, name, arn, created_at, status, settles_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
            except sqlite3.IntegrityError:
                raise ConsumerExists(consumer.name) from None

        await self._engine.write(add)

    async def remove_consumer(self, pk: int, name: str) -> None:
        def remove(conn: sqlite3.Connection) -> None:
            sql = "DELETE FROM kinesis_consumers WHERE stream_pk = ? AND name = ? RETURNING arn"
            row = conn.execute(sql, (pk, name)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM kinesis_policies WHERE arn = ?", (row[0],))
                conn.execute("DELETE FROM kinesis_tags WHERE arn = ?", (row[0],))

        await self._engine.write(remove)

    def policy(self, arn: str) -> str | None:
        row = self._one("SELECT policy FROM kinesis_policies WHERE arn = ?", (arn,))
        return None if row is None else str(row[0])

    async def put_policy(self, arn: str, stream_pk: int, policy: str) -> None:
        await self._run(
            "INSERT INTO kinesis_policies (arn, stream_pk, policy) VALUES (?, ?, ?) ON CONFLICT (arn) DO "
            "UPDATE SET policy = excluded.policy",
            (arn, stream_pk, policy),
        )

    async def delete_policy(self, arn: str) -> None:
        await self._run("DELETE FROM kinesis_policies WHERE arn = ?", (arn,))

    def account_setting(self, account_id: str, region: str, name: str) -> str | None:
        sql = "SELECT value FROM kinesis_account_settings WHERE account_id = ? AND region = ? AND name = ?"
        row = self._one(sql, (account_id, region, name))
        return None if row is None else str(row[0])

    async def put_account_setting(self, account_id: str, region: str, name: str, value: str) -> None:
        await self._run(
            "INSERT INTO kinesis_account_settings (account_id, region, name, value) VALUES (?, ?, ?, ?) ON "
            "CONFLICT (account_id, region, name) DO UPDATE SET value = excluded.value",
            (account_id, region, name, value),
        )
