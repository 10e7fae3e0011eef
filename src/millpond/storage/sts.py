"""STS sessions in SQLite: the temporary credentials AssumeRole issued, found again by access key id."""

from __future__ import annotations

import sqlite3
from typing import Any

from millpond.services.sts.repository import SessionCredentials, StsRepository
from millpond.storage.engine import Engine

# In SessionCredentials' field order, so a row unpacks straight into it.
_COLUMNS = (
    "access_key_id",
    "secret_access_key",
    "session_token",
    "expiration",
    "account_id",
    "role_arn",
    "role_session_name",
    "assumed_role_id",
)
_UPSERT = (
    f"INSERT INTO sts_sessions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    "ON CONFLICT (access_key_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _COLUMNS[1:])
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM sts_sessions WHERE access_key_id = ?"


class SqliteStsRepository(StsRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def save_session(self, session: SessionCredentials) -> None:
        row = tuple(getattr(session, column) for column in _COLUMNS)

        def save(conn: sqlite3.Connection) -> None:
            conn.execute(_UPSERT, row)

        await self._engine.write(save)

    def find_session(self, access_key_id: str) -> SessionCredentials | None:
        def find(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            found: tuple[Any, ...] | None = conn.execute(_SELECT, (access_key_id,)).fetchone()
            return found

        row = self._engine.read(find)
        return None if row is None else SessionCredentials(*row)  # _COLUMNS is in the dataclass's field order
