"""Lambda in SQLite: function documents (JSON), published versions, aliases, code zips and async events.

Code zips are stored as blobs keyed by CodeSha256: they live and die with the rest of the state (reset,
--in-memory, backups of one file) and, later, a shared database serves them to every node.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from millpond.services.lambda_.repository import AsyncEvent, FunctionRecord, LambdaRepository
from millpond.storage.engine import Engine

T = TypeVar("T")


def _dump(record: FunctionRecord) -> str:
    return json.dumps(dataclasses.asdict(record))


def _load(text: str) -> FunctionRecord:
    return FunctionRecord(**json.loads(text))


def _save_code(conn: sqlite3.Connection, record: FunctionRecord, code: bytes | None) -> None:
    if code is not None:
        conn.execute(
            "INSERT INTO lambda_code (sha256, zip) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
            (record.config["CodeSha256"], code),
        )


class SqliteLambdaRepository(LambdaRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def create_function(self, record: FunctionRecord, code: bytes) -> bool:
        def create(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM lambda_functions WHERE name = ?", (record.name,)).fetchone():
                return False
            conn.execute(
                "INSERT INTO lambda_functions (name, document) VALUES (?, ?)", (record.name, _dump(record))
            )
            _save_code(conn, record, code)
            return True

        return await self._engine.write(create)

    def get_function(self, name: str) -> FunctionRecord | None:
        row = self._engine.read(
            lambda c: c.execute("SELECT document FROM lambda_functions WHERE name = ?", (name,)).fetchone()
        )
        return None if row is None else _load(row[0])

    def list_functions(self) -> list[FunctionRecord]:
        rows = self._engine.read(
            lambda c: c.execute("SELECT document FROM lambda_functions ORDER BY name").fetchall()
        )
        return [_load(row[0]) for row in rows]

    async def update_function(
        self, name: str, change: Callable[[FunctionRecord], T], code: bytes | None = None
    ) -> T | None:
        def update(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            row = conn.execute("SELECT document FROM lambda_functions WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False, None
            record = _load(row[0])
            result = change(record)
            conn.execute("UPDATE lambda_functions SET document = ? WHERE name = ?", (_dump(record), name))
            _save_code(conn, record, code)
            return True, result

        _, result = await self._engine.write(update)
        return result

    async def delete_function(self, name: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM lambda_versions WHERE name = ?", (name,))
            conn.execute("DELETE FROM lambda_aliases WHERE name = ?", (name,))
            conn.execute("DELETE FROM lambda_async_events WHERE name = ?", (name,))
            found = conn.execute("DELETE FROM lambda_functions WHERE name = ?", (name,)).rowcount > 0
            _collect_code(conn)
            return found

        return await self._engine.write(delete)

    def get_code(self, sha256: str) -> bytes | None:
        row = self._engine.read(
            lambda c: c.execute("SELECT zip FROM lambda_code WHERE sha256 = ?", (sha256,)).fetchone()
        )
        return None if row is None else bytes(row[0])

    async def publish_version(
        self, name: str, make: Callable[[FunctionRecord, dict[str, Any] | None], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        def publish(conn: sqlite3.Connection) -> dict[str, Any] | None:
            row = conn.execute("SELECT document FROM lambda_functions WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            record = _load(row[0])
            newest = conn.execute(
                "SELECT config FROM lambda_versions WHERE name = ? ORDER BY version DESC LIMIT 1", (name,)
            ).fetchone()
            newest_config = json.loads(newest[0]) if newest else None
            config = make(record, newest_config)
            if config is None:
                return newest_config
            conn.execute(
                "INSERT INTO lambda_versions (name, version, config) VALUES (?, ?, ?)",
                (name, int(config["Version"]), json.dumps(config)),
            )
            conn.execute("UPDATE lambda_functions SET document = ? WHERE name = ?", (_dump(record), name))
            return config

        return await self._engine.write(publish)

    def get_version(self, name: str, version: int) -> dict[str, Any] | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT config FROM lambda_versions WHERE name = ? AND version = ?", (name, version)
            ).fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    def list_versions(self, name: str) -> list[dict[str, Any]]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT config FROM lambda_versions WHERE name = ? ORDER BY version", (name,)
            ).fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    async def delete_version(self, name: str, version: int) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            sql = "DELETE FROM lambda_versions WHERE name = ? AND version = ?"
            found = conn.execute(sql, (name, version)).rowcount > 0
            _collect_code(conn)
            return found

        return await self._engine.write(delete)

    async def put_alias(self, name: str, alias: str, document: dict[str, Any], *, create: bool) -> bool:
        def put(conn: sqlite3.Connection) -> bool:
            exists = conn.execute(
                "SELECT 1 FROM lambda_aliases WHERE name = ? AND alias = ?", (name, alias)
            ).fetchone()
            if create == bool(exists):
                return False
            conn.execute(
                "INSERT INTO lambda_aliases (name, alias, document) VALUES (?, ?, ?) "
                "ON CONFLICT (name, alias) DO UPDATE SET document = excluded.document",
                (name, alias, json.dumps(document)),
            )
            return True

        return await self._engine.write(put)

    def get_alias(self, name: str, alias: str) -> dict[str, Any] | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM lambda_aliases WHERE name = ? AND alias = ?", (name, alias)
            ).fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    def list_aliases(self, name: str) -> list[dict[str, Any]]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM lambda_aliases WHERE name = ? ORDER BY alias", (name,)
            ).fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    async def delete_alias(self, name: str, alias: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            sql = "DELETE FROM lambda_aliases WHERE name = ? AND alias = ?"
            return conn.execute(sql, (name, alias)).rowcount > 0

        return await self._engine.write(delete)

    async def enqueue_event(self, event: AsyncEvent) -> None:
        row = dataclasses.astuple(event)

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO lambda_async_events "
                "(id, name, qualifier, payload, attempts, received_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        await self._engine.write(insert)

    def due_events(self, now: float, limit: int) -> list[AsyncEvent]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT id, name, qualifier, payload, attempts, received_at, next_at "
                "FROM lambda_async_events WHERE next_at <= ? ORDER BY next_at LIMIT ?",
                (now, limit),
            ).fetchall()
        )
        return [AsyncEvent(r[0], r[1], r[2], bytes(r[3]), r[4], r[5], r[6]) for r in rows]

    def next_event_time(self) -> float | None:
        row = self._engine.read(
            lambda c: c.execute("SELECT MIN(next_at) FROM lambda_async_events").fetchone()
        )
        return None if row is None or row[0] is None else float(row[0])

    async def reschedule_event(self, event_id: str, attempts: int, next_at: float) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE lambda_async_events SET attempts = ?, next_at = ? WHERE id = ?",
                (attempts, next_at, event_id),
            )

        await self._engine.write(update)

    async def finish_event(self, event_id: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM lambda_async_events WHERE id = ?", (event_id,))

        await self._engine.write(delete)


def _collect_code(conn: sqlite3.Connection) -> None:
    """Drop zips no function, version or layer version refers to any more."""
    used = (
        {
            json.loads(row[0])["config"]["CodeSha256"]
            for row in conn.execute("SELECT document FROM lambda_functions")
        }
        | {json.loads(row[0])["CodeSha256"] for row in conn.execute("SELECT config FROM lambda_versions")}
        | {
            json.loads(row[0])["Content"]["CodeSha256"]
            for row in conn.execute("SELECT document FROM lambda_layer_versions")
        }
    )
    for (sha,) in conn.execute("SELECT sha256 FROM lambda_code").fetchall():
        if sha not in used:
            conn.execute("DELETE FROM lambda_code WHERE sha256 = ?", (sha,))
