"""Kinesis stream metadata in SQLite: tags, fan-out consumers, resource policies and account settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from millpond.services.kinesis.repository import Consumer, ConsumerExists
from millpond.storage.queries import EngineQueries


class SqliteKinesisMetadata(EngineQueries):
    """The tag, consumer, policy and account setting operations of SqliteKinesisRepository."""

    def tags(self, arn: str) -> dict[str, str]:
        return dict(
            self._all("SELECT tag_key, tag_value FROM kinesis_tags WHERE arn = ? ORDER BY tag_key", (arn,))
        )

    async def put_tags(self, arn: str, stream_pk: int, tags: Mapping[str, str]) -> None:
        await self._run_many(
            "INSERT INTO kinesis_tags (arn, stream_pk, tag_key, tag_value) VALUES (?, ?, ?, ?) ON CONFLICT "
            "(arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            [(arn, stream_pk, key, value) for key, value in tags.items()],
        )

    async def remove_tags(self, arn: str, keys: Sequence[str]) -> None:
        await self._run_many(
            "DELETE FROM kinesis_tags WHERE arn = ? AND tag_key = ?", [(arn, key) for key in keys]
        )

    def consumers(self, pk: int) -> list[Consumer]:
        sql = (
            "SELECT name, arn, created_at, status, settles_at FROM kinesis_consumers WHERE stream_pk = ? "
            "ORDER BY created_at, name"
        )
        return [Consumer(*row) for row in self._all(sql, (pk,))]

    async def add_consumer(self, pk: int, consumer: Consumer) -> None:
        row = (pk, consumer.name, consumer.arn, consumer.created_at, consumer.status, consumer.settles_at)

        def add(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO kinesis_consumers (stream_pk, name, arn, created_at, status, settles_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
            except sqlite3.IntegrityError:
                raise ConsumerExists(consumer.name) from None

        await self._engine.write(add)

    async def remove_consumer(self, pk: int, name: str) -> None:
        def remove(conn: sqlite3.Connection) -> None:
            sql = "DELETE FROM kinesis_consumers WHERE stream_pk = ? AND name = ? RETURNING arn"
            row = conn.execute(sql, (pk, name)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM kinesis_policies WHERE arn = ?", (row[0],))
                conn.execute("DELETE FROM kinesis_tags WHERE arn = ?", (row[0],))

        await self._engine.write(remove)

    def policy(self, arn: str) -> str | None:
        row = self._one("SELECT policy FROM kinesis_policies WHERE arn = ?", (arn,))
        return None if row is None else str(row[0])

    async def put_policy(self, arn: str, stream_pk: int, policy: str) -> None:
        await self._run(
            "INSERT INTO kinesis_policies (arn, stream_pk, policy) VALUES (?, ?, ?) ON CONFLICT (arn) DO "
            "UPDATE SET policy = excluded.policy",
            (arn, stream_pk, policy),
        )

    async def delete_policy(self, arn: str) -> None:
        await self._run("DELETE FROM kinesis_policies WHERE arn = ?", (arn,))

    def account_setting(self, account_id: str, region: str, name: str) -> str | None:
        sql = "SELECT value FROM kinesis_account_settings WHERE account_id = ? AND region = ? AND name = ?"
        row = self._one(sql, (account_id, region, name))
        return None if row is None else str(row[0])

    async def put_account_setting(self, account_id: str, region: str, name: str, value: str) -> None:
        await self._run(
            "INSERT INTO kinesis_account_settings (account_id, region, name, value) VALUES (?, ?, ?, ?) ON "
            "CONFLICT (account_id, region, name) DO UPDATE SET value = excluded.value",
            (account_id, region, name, value),
        )
