"""Event source mappings in SQLite: mapping documents (JSON) and per-shard checkpoints
(implements services/lambda_/event_sources/repository)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from millpond.services.lambda_.event_sources.repository import Checkpoint, EventSourceRepository
from millpond.storage.engine import Engine


def _stored(document: dict[str, Any]) -> tuple[str, str, str]:
    return document["_FunctionName"], document["EventSourceArn"], json.dumps(document)


def _checkpoint_row(uuid: str, c: Checkpoint) -> tuple[Any, ...]:
    state = None if c.window_state is None else json.dumps(c.window_state)
    return (uuid, c.shard, c.position, c.min_arrival, int(c.finished), state)


_UPSERT_CHECKPOINT = (
    "INSERT INTO lambda_esm_checkpoints (uuid, shard, position, min_arrival, finished, window_state) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uuid, shard) DO UPDATE SET position = excluded.position, "
    "min_arrival = excluded.min_arrival, finished = excluded.finished, window_state = excluded.window_state"
)


class SqliteEventSourceRepository(EventSourceRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def create_mapping(self, document: dict[str, Any], checkpoints: Sequence[Checkpoint]) -> None:
        uuid = document["UUID"]

        def create(conn: sqlite3.Connection) -> None:
            seq = conn.execute("SELECT COALESCE(MAX(created_seq), 0) + 1 FROM lambda_event_source_mappings")
            name, arn, text = _stored(document)
            conn.execute(
                "INSERT INTO lambda_event_source_mappings (uuid, function_name, source_arn, created_seq, "
                "document) VALUES (?, ?, ?, ?, ?)",
                (uuid, name, arn, seq.fetchone()[0], text),
            )
            conn.executemany(_UPSERT_CHECKPOINT, [_checkpoint_row(uuid, c) for c in checkpoints])

        await self._engine.write(create)

    async def save_mapping(self, document: dict[str, Any]) -> bool:
        def save(conn: sqlite3.Connection) -> bool:
            name, arn, text = _stored(document)
            cursor = conn.execute(
                "UPDATE lambda_event_source_mappings SET function_name = ?, source_arn = ?, document = ? "
                "WHERE uuid = ?",
                (name, arn, text, document["UUID"]),
            )
            return cursor.rowcount > 0

        return await self._engine.write(save)

    def get_mapping(self, uuid: str) -> dict[str, Any] | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,)
            ).fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    def list_mappings(self) -> list[dict[str, Any]]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT document FROM lambda_event_source_mappings ORDER BY created_seq"
            ).fetchall()
        )
        return [dict(json.loads(row[0])) for row in rows]

    async def delete_mapping(self, uuid: str) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM lambda_esm_checkpoints WHERE uuid = ?", (uuid,))
            cursor = conn.execute("DELETE FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,))
            return cursor.rowcount > 0

        return await self._engine.write(delete)

    def checkpoints(self, uuid: str) -> list[Checkpoint]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT shard, position, min_arrival, finished, window_state FROM lambda_esm_checkpoints "
                "WHERE uuid = ? ORDER BY shard",
                (uuid,),
            ).fetchall()
        )
        return [
            Checkpoint(row[0], row[1], row[2], bool(row[3]), None if row[4] is None else json.loads(row[4]))
            for row in rows
        ]

    async def save_checkpoint(self, uuid: str, checkpoint: Checkpoint) -> None:
        def save(conn: sqlite3.Connection) -> None:
            exists = conn.execute("SELECT 1 FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,))
            if exists.fetchone() is not None:
                conn.execute(_UPSERT_CHECKPOINT, _checkpoint_row(uuid, checkpoint))

        await self._engine.write(save)
