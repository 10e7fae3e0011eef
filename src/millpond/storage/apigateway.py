"""API Gateway in SQLite: one JSON document per REST API, and deployment snapshots beside it."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from millpond.services.apigateway.repository import ApiGatewayRepository, RestApiRecord
from millpond.storage.engine import Engine

T = TypeVar("T")


def _dump(record: RestApiRecord) -> str:
    return json.dumps(dataclasses.asdict(record))


def _load(text: str) -> RestApiRecord:
    return RestApiRecord(**json.loads(text))


def _select(conn: sqlite3.Connection, api_id: str) -> RestApiRecord | None:
    row = conn.execute("SELECT document FROM apigateway_rest_apis WHERE id = ?", (api_id,)).fetchone()
    return None if row is None else _load(row[0])


def _save(conn: sqlite3.Connection, record: RestApiRecord) -> None:
    conn.execute("UPDATE apigateway_rest_apis SET document = ? WHERE id = ?", (_dump(record), record.id))


class SqliteApiGatewayRepository(ApiGatewayRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def create_api(self, record: RestApiRecord) -> None:
        def create(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO apigateway_rest_apis (id, document) VALUES (?, ?)", (record.id, _dump(record))
            )

        await self._engine.write(create)

    def get_api(self, api_id: str) -> RestApiRecord | None:
        return self._engine.read(lambda conn: _select(conn, api_id))

    def list_apis(self) -> list[RestApiRecord]:
        rows = self._engine.read(
            lambda c: c.execute("SELECT document FROM apigateway_rest_apis ORDER BY rowid").fetchall()
        )
        return [_load(row[0]) for row in rows]

    async def update_api(self, api_id: str, change: Callable[[RestApiRecord], T]) -> tuple[bool, T | None]:
        def update(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            record = _select(conn, api_id)
            if record is None:
                return False, None
            result = change(record)
            _save(conn, record)
            return True, result

        return await self._engine.write(update)

    async def deploy(
        self, api_id: str, change: Callable[[RestApiRecord], tuple[T, str, dict[str, Any]]]
    ) -> tuple[bool, T | None]:
        def deploy(conn: sqlite3.Connection) -> tuple[bool, T | None]:
            record = _select(conn, api_id)
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

    async def delete_api(self, api_id: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
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
