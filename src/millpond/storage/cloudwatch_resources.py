"""CloudWatch's stored resources (services/cloudwatch/resources.py) in SQLite, one JSON document each."""

from __future__ import annotations

import json
from typing import Any

from millpond.services.cloudwatch.resources import ResourceStore
from millpond.storage.engine import Engine

_KEY = "account = ? AND region = ? AND kind = ?"


class SqliteCloudWatchResources(ResourceStore):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def put(self, account: str, region: str, kind: str, name: str, body: dict[str, Any]) -> None:
        sql = "INSERT OR REPLACE INTO cw_resources (account, region, kind, name, body) VALUES (?, ?, ?, ?, ?)"
        text = json.dumps(body, default=str)
        await self._engine.write(lambda conn: conn.execute(sql, (account, region, kind, name, text)))

    def get(self, account: str, region: str, kind: str, name: str) -> dict[str, Any] | None:
        sql = f"SELECT body FROM cw_resources WHERE {_KEY} AND name = ?"
        row = self._engine.read(lambda conn: conn.execute(sql, (account, region, kind, name)).fetchone())
        return None if row is None else dict(json.loads(row[0]))

    def all(self, account: str, region: str, kind: str) -> list[dict[str, Any]]:
        sql = f"SELECT body FROM cw_resources WHERE {_KEY} ORDER BY name"
        rows = self._engine.read(lambda conn: conn.execute(sql, (account, region, kind)).fetchall())
        return [dict(json.loads(row[0])) for row in rows]

    async def delete(self, account: str, region: str, kind: str, name: str) -> bool:
        sql = f"DELETE FROM cw_resources WHERE {_KEY} AND name = ?"
        return await self._engine.write(
            lambda conn: conn.execute(sql, (account, region, kind, name)).rowcount > 0
        )
