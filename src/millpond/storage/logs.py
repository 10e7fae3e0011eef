"""CloudWatch Logs in SQLite: groups, streams and events, read in (timestamp, id) order."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from millpond.services.logs.repository import LogEvent, LogGroup, LogsRepository, LogStream, Position
from millpond.storage.engine import Engine

EXPIRE_CHUNK = 2000
_GROUP = (
    "SELECT g.name, g.created, g.retention_days, g.tags, "
    "(SELECT COALESCE(SUM(s.stored_bytes), 0) FROM log_streams s WHERE s.log_group = g.name) "
    "FROM log_groups g"
)
_STREAM = (
    "SELECT log_group, name, created, first_event, last_event, last_ingestion, stored_bytes FROM log_streams"
)


def _group(row: tuple[Any, ...]) -> LogGroup:
    return LogGroup(row[0], row[1], row[2], json.loads(row[3]), row[4])


class SqliteLogsRepository(LogsRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def create_group(self, group: LogGroup) -> bool:
        def create(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM log_groups WHERE name = ?", (group.name,)).fetchone():
                return False
            conn.execute(
                "INSERT INTO log_groups (name, created, retention_days, tags) VALUES (?, ?, ?, ?)",
                (group.name, group.created, group.retention_days, json.dumps(group.tags)),
            )
            return True

        return await self._engine.write(create)

    def get_group(self, name: str) -> LogGroup | None:
        row = self._engine.read(lambda c: c.execute(_GROUP + " WHERE g.name = ?", (name,)).fetchone())
        return None if row is None else _group(row)

    def list_groups(self, prefix: str, after: str, limit: int) -> list[LogGroup]:
        def query(conn: sqlite3.Connection) -> list[Any]:
            return conn.execute(
                _GROUP + " WHERE g.name >= ? AND g.name > ? ORDER BY g.name LIMIT ?",
                (prefix, after, limit * 4),
            ).fetchall()

        return [_group(row) for row in self._engine.read(query) if row[0].startswith(prefix)][:limit]

    async def delete_group(self, name: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM log_events WHERE log_group = ?", (name,))
            conn.execute("DELETE FROM log_streams WHERE log_group = ?", (name,))
            conn.execute("DELETE FROM log_metric_filters WHERE log_group = ?", (name,))
            conn.execute("DELETE FROM log_subscription_filters WHERE log_group = ?", (name,))
            conn.execute(
                "DELETE FROM log_documents WHERE kind IN ('data-protection', 'kms') AND name = ?", (name,)
            )
            return conn.execute("DELETE FROM log_groups WHERE name = ?", (name,)).rowcount > 0

        return await self._engine.write(delete)

    async def set_retention(self, name: str, days: int | None) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            sql = "UPDATE log_groups SET retention_days = ? WHERE name = ?"
            return conn.execute(sql, (days, name)).rowcount > 0

        return await self._engine.write(update)

    def retention_policies(self) -> list[tuple[str, int]]:
        sql = "SELECT name, retention_days FROM log_groups WHERE retention_days IS NOT NULL"
        return [(name, days) for name, days in self._engine.read(lambda c: c.execute(sql).fetchall())]

    async def expire_events(self, group: str, cutoff: int) -> int:
        def expire(conn: sqlite3.Connection) -> int:
            rows = conn.execute(
                "SELECT id, log_stream, length(CAST(message AS BLOB)) FROM log_events "
                "WHERE log_group = ? AND timestamp < ? LIMIT ?",
                (group, cutoff, EXPIRE_CHUNK),
            ).fetchall()
            conn.executemany("DELETE FROM log_events WHERE id = ?", [(row[0],) for row in rows])
            freed: dict[str, int] = {}
            for _, stream, size in rows:
                freed[stream] = freed.get(stream, 0) + size
            conn.executemany(
                "UPDATE log_streams SET stored_bytes = MAX(0, stored_bytes - ?) "
                "WHERE log_group = ? AND name = ?",
                [(size, group, stream) for stream, size in freed.items()],
            )
            return len(rows)

        total = 0
        while True:
            # In transactions of at most EXPIRE_CHUNK events, so other requests are served between.
            removed = await self._engine.write(expire)
            total += removed
            if removed < EXPIRE_CHUNK:
                return total

    async def set_group_tags(self, name: str, tags: dict[str, str]) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            sql = "UPDATE log_groups SET tags = ? WHERE name = ?"
            return conn.execute(sql, (json.dumps(tags), name)).rowcount > 0

        return await self._engine.write(update)

    async def create_stream(self, group: str, name: str, created: int) -> str:
        def create(conn: sqlite3.Connection) -> str:
            if not conn.execute("SELECT 1 FROM log_groups WHERE name = ?", (group,)).fetchone():
                return "no-group"
            found = conn.execute(
                "SELECT 1 FROM log_streams WHERE log_group = ? AND name = ?", (group, name)
            ).fetchone()
            if found:
                return "exists"
            conn.execute(
                "INSERT INTO log_streams (log_group, name, created) VALUES (?, ?, ?)", (group, name, created)
            )
            return "created"

        return await self._engine.write(create)

    def list_streams(self, group: str, prefix: str) -> list[LogStream]:
        def query(conn: sqlite3.Connection) -> list[Any]:
            return conn.execute(
                _STREAM + " WHERE log_group = ? AND name >= ? ORDER BY name", (group, prefix)
            ).fetchall()

        return [LogStream(*row) for row in self._engine.read(query) if row[1].startswith(prefix)]

    def get_stream(self, group: str, name: str) -> LogStream | None:
        row = self._engine.read(
            lambda c: c.execute(_STREAM + " WHERE log_group = ? AND name = ?", (group, name)).fetchone()
        )
        return None if row is None else LogStream(*row)

    async def delete_stream(self, group: str, name: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM log_events WHERE log_group = ? AND log_stream = ?", (group, name))
            sql = "DELETE FROM log_streams WHERE log_group = ? AND name = ?"
            return conn.execute(sql, (group, name)).rowcount > 0

        return await self._engine.write(delete)

    async def put_events(
        self, group: str, stream: str, events: list[tuple[int, str]], ingestion: int, *, create: bool
    ) -> bool:
        def put(conn: sqlite3.Connection) -> bool:
            if create:
                conn.execute(
                    "INSERT INTO log_groups (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (group, ingestion),
                )
                conn.execute(
                    "INSERT INTO log_streams (log_group, name, created) VALUES (?, ?, ?) "
                    "ON CONFLICT (log_group, name) DO NOTHING",
                    (group, stream, ingestion),
                )
            elif not conn.execute(
                "SELECT 1 FROM log_streams WHERE log_group = ? AND name = ?", (group, stream)
            ).fetchone():
                return False
            if not events:
                return True
            conn.executemany(
                "INSERT INTO log_events (log_group, log_stream, timestamp, ingestion, message) "
                "VALUES (?, ?, ?, ?, ?)",
                [(group, stream, ts, ingestion, message) for ts, message in events],
            )
            size = sum(len(message.encode("utf-8")) for _, message in events)
            conn.execute(
                "UPDATE log_streams SET first_event = MIN(COALESCE(first_event, ?), ?), "
                "last_event = MAX(COALESCE(last_event, ?), ?), last_ingestion = ?, "
                "stored_bytes = stored_bytes + ? WHERE log_group = ? AND name = ?",
                (
                    events[0][0],
                    min(ts for ts, _ in events),
                    events[-1][0],
                    max(ts for ts, _ in events),
                    ingestion,
                    size,
                    group,
                    stream,
                ),
            )
            return True

        return await self._engine.write(put)

    def read_events(
        self,
        group: str,
        streams: list[str] | None,
        start: int | None,
        end: int | None,
        after: Position | None,
        before: Position | None,
        limit: int,
        newest_first: bool,
    ) -> list[LogEvent]:
        where = ["log_group = ?"]
        args: list[Any] = [group]
        if streams is not None:
            where.append(f"log_stream IN ({', '.join('?' for _ in streams)})")
            args.extend(streams)
        if start is not None:
            where.append("timestamp >= ?")
            args.append(start)
        if end is not None:
            where.append("timestamp < ?")
            args.append(end)
        if after is not None:
            where.append("(timestamp > ? OR (timestamp = ? AND id > ?))")
            args.extend((after[0], after[0], after[1]))
        if before is not None:
            where.append("(timestamp < ? OR (timestamp = ? AND id < ?))")
            args.extend((before[0], before[0], before[1]))
        order = "DESC" if newest_first else "ASC"
        sql = (
            "SELECT id, log_stream, timestamp, ingestion, message FROM log_events WHERE "
            + " AND ".join(where)
            + f" ORDER BY timestamp {order}, id {order} LIMIT ?"
        )
        args.append(limit)
        rows = self._engine.read(lambda c: c.execute(sql, args).fetchall())
        return [LogEvent(*row) for row in rows]
