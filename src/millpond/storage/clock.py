"""The virtual clock's offset, kept durably so that advancing it survives a restart."""

from __future__ import annotations

import sqlite3

from millpond.storage.engine import Engine


class SqliteClockStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load_offset(self) -> float:
        def query(conn: sqlite3.Connection) -> float:
            row = conn.execute("SELECT offset_seconds FROM clock_state WHERE id = 1").fetchone()
            return float(row[0]) if row else 0.0

        return self.engine.read(query)

    async def save_offset(self, offset: float) -> None:
        def upsert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO clock_state (id, offset_seconds) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET offset_seconds = excluded.offset_seconds",
                (offset,),
            )

        await self.engine.write(upsert)
