"""Lambda layers in SQLite: each layer's last version number and its versions (document, policy, deleted
mark); the zips share lambda_code with the functions' (storage/lambda_.py keeps the ones layers use)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from millpond.services.lambda_.layers import LayerRepository, LayerVersion
from millpond.storage.engine import Engine


def _layer(row: tuple[str, int, str, str, str]) -> LayerVersion:
    name, version, document, policy, revision = row
    return LayerVersion(name, version, json.loads(document), json.loads(policy), revision)


_LIVE_VERSION = (
    "SELECT name, version, document, policy, revision FROM lambda_layer_versions "
    "WHERE name = ? AND version = ? AND deleted = 0"
)


class SqliteLayerRepository(LayerRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def publish(self, name: str, make: Callable[[int], dict[str, Any]], code: bytes) -> dict[str, Any]:
        def publish(conn: sqlite3.Connection) -> dict[str, Any]:
            row = conn.execute("SELECT last_version FROM lambda_layers WHERE name = ?", (name,)).fetchone()
            version = (row[0] if row else 0) + 1
            conn.execute(
                "INSERT INTO lambda_layers (name, last_version) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_version = excluded.last_version",
                (name, version),
            )
            document = make(version)
            conn.execute(
                "INSERT INTO lambda_layer_versions (name, version, document, policy, revision) "
                "VALUES (?, ?, ?, '[]', ?)",
                (name, version, json.dumps(document), str(uuid.uuid4())),
            )
            conn.execute(
                "INSERT INTO lambda_code (sha256, zip) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
                (document["Content"]["CodeSha256"], code),
            )
            return document

        return await self._engine.write(publish)

    def get(self, name: str, version: int) -> LayerVersion | None:
        row = self._engine.read(
            lambda c: c.execute(
                _LIVE_VERSION,
                (name, version),
            ).fetchone()
        )
        return None if row is None else _layer(row)

    def code_sha256(self, name: str, version: int) -> str | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM lambda_layer_versions WHERE name = ? AND version = ?", (name, version)
            ).fetchone()
        )
        return None if row is None else str(json.loads(row[0])["Content"]["CodeSha256"])

    def list_versions(self, name: str) -> list[dict[str, Any]]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM lambda_layer_versions WHERE name = ? AND deleted = 0 "
                "ORDER BY version DESC",
                (name,),
            ).fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    def list_layer_names(self) -> list[str]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT DISTINCT name FROM lambda_layer_versions WHERE deleted = 0 ORDER BY name"
            ).fetchall()
        )
        return [row[0] for row in rows]

    async def delete(self, name: str, version: int) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE lambda_layer_versions SET deleted = 1, policy = '[]' WHERE name = ? AND version = ?",
                (name, version),
            )

        await self._engine.write(delete)

    async def update_policy(
        self, name: str, version: int, change: Callable[[LayerVersion], None]
    ) -> LayerVersion | None:
        def update(conn: sqlite3.Connection) -> LayerVersion | None:
            row = conn.execute(
                _LIVE_VERSION,
                (name, version),
            ).fetchone()
            if row is None:
                return None
            layer = _layer(row)
            change(layer)
            layer.revision = str(uuid.uuid4())
            conn.execute(
                "UPDATE lambda_layer_versions SET policy = ?, revision = ? WHERE name = ? AND version = ?",
                (json.dumps(layer.policy), layer.revision, name, version),
            )
            return layer

        return await self._engine.write(update)
