"""IAM entities in SQLite: one row per role, user, group, policy or access key, its fields as JSON."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from millpond.services.iam.repository import IamRepository, Record
from millpond.storage.engine import Engine


class SqliteIamRepository(IamRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, kind: str, key: str) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute(
                "SELECT body FROM iam_entities WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            return None if row is None else dict(json.loads(row[0]))

        return self._engine.read(find)

    def scan(self, kind: str) -> list[Record]:
        def scan(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute("SELECT body FROM iam_entities WHERE kind = ? ORDER BY key", (kind,))
            return [dict(json.loads(row[0])) for row in rows]

        return self._engine.read(scan)

    async def update(
        self, kind: str, key: str, fn: Callable[[Record | None], Record | None]
    ) -> Record | None:
        def apply(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute(
                "SELECT body FROM iam_entities WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            current = None if row is None else dict(json.loads(row[0]))
            new = fn(current)
            if new is None:
                conn.execute("DELETE FROM iam_entities WHERE kind = ? AND key = ?", (kind, key))
            else:
                conn.execute(
                    "INSERT INTO iam_entities (kind, key, body) VALUES (?, ?, ?) "
                    "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
                    (kind, key, json.dumps(new, separators=(",", ":"))),
                )
            return new

        return await self._engine.write(apply)
