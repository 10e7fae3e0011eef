"""API Gateway's API keys, usage plans and per-day request counts in SQLite (usage_plans.py's store)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from millpond.services.apigateway.repository import Owner
from millpond.services.apigateway.usage_plans import AccountStore
from millpond.storage.engine import Engine

_ITEMS = "SELECT body FROM apigateway_account_items WHERE account = ? AND region = ? AND kind = ?"
_USAGE = (
    "INSERT INTO apigateway_usage (account, region, plan_id, key_id, day, used) VALUES (?, ?, ?, ?, ?, ?) "
)


class SqliteApiGatewayAccountStore(AccountStore):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def put(self, owner: Owner, kind: str, item_id: str, body: dict[str, Any]) -> None:
        text = json.dumps(body, default=str)

        def put(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO apigateway_account_items (account, region, kind, id, created, body) VALUES "
                "(?, ?, ?, ?, (SELECT COALESCE(MAX(created), 0) + 1 FROM apigateway_account_items), ?) "
                "ON CONFLICT (account, region, kind, id) DO UPDATE SET body = excluded.body",
                (owner.account_id, owner.region, kind, item_id, text),
            )

        await self._engine.write(put)

    def get(self, owner: Owner, kind: str, item_id: str) -> dict[str, Any] | None:
        sql = _ITEMS + " AND id = ?"
        args = (owner.account_id, owner.region, kind, item_id)
        row = self._engine.read(lambda conn: conn.execute(sql, args).fetchone())
        return None if row is None else dict(json.loads(row[0]))

    def all(self, owner: Owner, kind: str) -> list[dict[str, Any]]:
        sql = (
            "SELECT body FROM apigateway_account_items WHERE account = ? AND region = ? AND kind = ? "
            "ORDER BY created"
        )
        args = (owner.account_id, owner.region, kind)
        return [
            dict(json.loads(r[0])) for r in self._engine.read(lambda conn: conn.execute(sql, args).fetchall())
        ]

    async def delete(self, owner: Owner, kind: str, item_id: str) -> bool:
        sql = "DELETE FROM apigateway_account_items WHERE account = ? AND region = ? AND kind = ? AND id = ?"

        args = (owner.account_id, owner.region, kind, item_id)
        return await self._engine.write(lambda conn: conn.execute(sql, args).rowcount > 0)

    async def count(self, owner: Owner, plan: str, key: str, day: str, limit: int | None, since: str) -> bool:
        def count(conn: sqlite3.Connection) -> bool:
            if limit is not None:
                used = conn.execute(
                    "SELECT COALESCE(SUM(used), 0) FROM apigateway_usage WHERE account = ? AND region = ? "
                    "AND plan_id = ? AND key_id = ? AND day >= ? AND day <= ?",
                    (owner.account_id, owner.region, plan, key, since, day),
                ).fetchone()[0]
                if used >= limit:
                    return False
            conn.execute(
                _USAGE + "ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used = used + 1",
                (owner.account_id, owner.region, plan, key, day, 1),
            )
            return True

        return await self._engine.write(count)

    def usage(
        self, owner: Owner, plan: str, key: str | None, start: str, end: str
    ) -> dict[str, dict[str, int]]:
        sql = (
            "SELECT key_id, day, used FROM apigateway_usage WHERE account = ? AND region = ? AND plan_id = ? "
            "AND day >= ? AND day <= ? AND (? IS NULL OR key_id = ?)"
        )
        args = (owner.account_id, owner.region, plan, start, end, key, key)
        found: dict[str, dict[str, int]] = {}
        for key_id, day, used in self._engine.read(lambda conn: conn.execute(sql, args).fetchall()):
            found.setdefault(key_id, {})[day] = used
        return found

    async def set_usage(self, owner: Owner, plan: str, key: str, day: str, used: int) -> None:
        sql = (
            _USAGE + "ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used = excluded.used"
        )
        args = (owner.account_id, owner.region, plan, key, day, used)
        await self._engine.write(lambda conn: conn.execute(sql, args))
