"""One-statement reads and writes through the engine, for repositories whose methods are mostly one query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from millpond.storage.engine import Engine


class EngineQueries:
    _engine: Engine

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self._engine.read(lambda conn: conn.execute(sql, args).fetchone())

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return self._engine.read(lambda conn: conn.execute(sql, args).fetchall())

    async def _run(self, sql: str, args: Sequence[Any]) -> None:
        await self._engine.write(lambda conn: conn.execute(sql, args))

    async def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._engine.write(lambda conn: conn.executemany(sql, rows))
