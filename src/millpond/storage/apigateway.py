"""API Gateway in SQLite: one JSON document per REST API (with its account and region as columns), and
deployment snapshots beside it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from millpond.services.apigateway.repository import ApiGatewayRepository, Owner, RestApiRecord
from millpond.storage.engine import Engine

T = TypeVar("T")

_COLUMNS = "document, account_id, region"


def _dump(record: RestApiRecord) -> str:
    return json.dumps(
        {
            "api": record.api,
            "resources": record.resources,
            "stages": record.stages,
            "deployments": record.deployments,
            "children": record.children,
        }
    )


def _load(row: tuple[str, str, str]) -> RestApiRecord:
    return RestApiRecord(**json.loads(row[0]), owner=Owner(row[1], row[2]))


def _select(conn: sqlite3.Connection, api_id: str, owner: Owner | None) -> RestApiRecord | None:
    if owner is None:
        row = conn.execute(f"SELECT {_COLUMNS} FROM apigateway_rest_apis WHERE id = ?", (api_id,)).fetchone()
    else:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM apigateway_rest_apis WHERE id = ? AND account_id = ? AND region = ?",
            (api_id, owner.account_id, owner.region),
        ).fetchone()
    return None if row is None else _load(row)


def _save(conn: sqlite3.Connection, record: RestApiRecord) -> None:
    conn.execute("UPDATE apigateway_rest_apis SET document = ? WHERE id = ?", (_dump(record), record.id))


class SqliteApiGatewayRepository(ApiGatewayRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def adopt(self, owner: Owner) -> None:
        """Hand APIs stored before APIs had an account and region to `owner` (the server's defaults)."""

        def adopt(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE apigateway_rest_apis SET account_id = ?, region = ? WHERE region = ''",
                (owner.account_id, owner.region),
            )

        await self._engine.write(adopt)

    async def create_api(self, record: RestApiRecord) -> None:
        def create(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO apigateway_rest_apis (id, document, account_id, region) VALUES (?, ?, ?, ?)",
                (record.id, _dump(record), record.owner.account_id, record.owner.region),
            )

        await self._engine.write(create)

    def get_api(self, api_id: str, owner: Owner | None = None) -> RestApiRecord | None:
        return self._engine.read(lambda conn: _select(conn, api_id, owner))

    def list_apis(self, owner: Owner) -> list[RestApiRecord]:
        rows = self._engine.read(
            lambda c: c.execute(
                f"SELECT {_COLUMNS} FROM apigateway_rest_apis WHERE account_id = ? AND region = ? "
                "ORDER BY rowid",
                (owner.account_id, owner.region),
            ).fetchall()
        )
        return [_load(row) for row in rows]

    async def update_api(
        self, owner: Owner, api_id: str, change: Callable[[RestApiRecord], T]
    ) -> tuple[bool, T | None]:
        def update(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            record = _select(conn, api_id, owner)
            if record is None:
                return False, None
            result = change(record)
            _save(conn, record)
            return True, result

        return await self._engine.write(update)

    async def deploy(
        self, owner: Owner, api_id: str, change: Callable[[RestApiRecord], tuple[T, str, dict[str, Any]]]
    ) -> tuple[bool, T | None]:
        def deploy(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            record = _select(conn, api_id, owner)
            if record is None:
                return False, None
            result, deployment_id, snapshot = change(record)
            _save(conn, record)
            conn.execute(
                "INSERT INTO apigateway_deployments (api_id, id, snapshot) VALUES (?, ?, ?)",
                (api_id, deployment_id, json.dumps(snapshot)),
            )
            return True, result

        return await self._engine.write(deploy)

    async def delete_api(self, owner: Owner, api_id: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            if _select(conn, api_id, owner) is None:
                return False
            conn.execute("DELETE FROM apigateway_deployments WHERE api_id = ?", (api_id,))
            return conn.execute("DELETE FROM apigateway_rest_apis WHERE id = ?", (api_id,)).rowcount > 0

        return await self._engine.write(delete)

    def get_snapshot(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT snapshot FROM apigateway_deployments WHERE api_id = ? AND id = ?",
                (api_id, deployment_id),
            ).fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    async def delete_snapshot(self, api_id: str, deployment_id: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM apigateway_deployments WHERE api_id = ? AND id = ?", (api_id, deployment_id)
            )

        await self._engine.write(delete)
