"""SNS in SQLite: topics and subscriptions as JSON bodies, and the outbox (messages and deliveries)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from typing import Any

from millpond.services.sns.repository import Dedup, Delivery, Owner, Record, SnsRepository
from millpond.storage.engine import Engine


def _dumps(record: Record) -> str:
    return json.dumps(record, separators=(",", ":"))


def _records(rows: Any) -> list[Record]:
    return [dict(json.loads(row[0])) for row in rows]


class SqliteSnsRepository(SnsRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- topics -------------------------------------------------------------------------------------------
    def get_topic(self, arn: str) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute("SELECT body FROM sns_topics WHERE arn = ?", (arn,)).fetchone()
            return None if row is None else dict(json.loads(row[0]))

        return self._engine.read(find)

    def list_topics(self, owner: Owner) -> list[Record]:
        def scan(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(
                "SELECT body FROM sns_topics WHERE account_id = ? AND region = ? ORDER BY arn",
                (owner.account_id, owner.region),
            )
            return _records(rows)

        return self._engine.read(scan)

    async def put_topic(self, owner: Owner, record: Record) -> None:
        row = (record["TopicArn"], owner.account_id, owner.region, _dumps(record))

        def save(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO sns_topics (arn, account_id, region, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (arn) DO UPDATE SET body = excluded.body",
                row,
            )

        await self._engine.write(save)

    async def delete_topic(self, arn: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sns_topics WHERE arn = ?", (arn,))
            conn.execute("DELETE FROM sns_subscriptions WHERE topic_arn = ?", (arn,))
            conn.execute("DELETE FROM sns_dedup WHERE topic_arn = ?", (arn,))
            conn.execute("DELETE FROM sns_sequences WHERE topic_arn = ?", (arn,))

        await self._engine.write(delete)

    # -- subscriptions ------------------------------------------------------------------------------------
    def get_subscription(self, arn: str) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute("SELECT body FROM sns_subscriptions WHERE arn = ?", (arn,)).fetchone()
            return None if row is None else dict(json.loads(row[0]))

        return self._engine.read(find)

    def list_subscriptions(self, owner: Owner) -> list[Record]:
        def scan(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(
                "SELECT body FROM sns_subscriptions WHERE account_id = ? AND region = ? ORDER BY arn",
                (owner.account_id, owner.region),
            )
            return _records(rows)

        return self._engine.read(scan)

    def subscriptions_of(self, topic_arn: str) -> list[Record]:
        def scan(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(
                "SELECT body FROM sns_subscriptions WHERE topic_arn = ? ORDER BY arn", (topic_arn,)
            )
            return _records(rows)

        return self._engine.read(scan)

    async def put_subscription(self, owner: Owner, record: Record) -> None:
        row = (record["SubscriptionArn"], record["TopicArn"], owner.account_id, owner.region, _dumps(record))

        def save(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO sns_subscriptions (arn, topic_arn, account_id, region, body) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (arn) DO UPDATE SET body = excluded.body",
                row,
            )

        await self._engine.write(save)

    async def delete_subscription(self, arn: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sns_subscriptions WHERE arn = ?", (arn,))

        await self._engine.write(delete)

    # -- the outbox ---------------------------------------------------------------------------------------
    async def publish(
        self, topic_arn: str, message: Record, subscriptions: list[str], dedup: Dedup | None, now: float
    ) -> tuple[str, int | None]:
        def store(conn: sqlite3.Connection) -> tuple[str, int | None]:
            sequence: int | None = None
            if dedup is not None:
                found = conn.execute(
                    "SELECT message_id, sequence FROM sns_dedup "
                    "WHERE topic_arn = ? AND dedup_key = ? AND until > ?",
                    (topic_arn, dedup.key, now),
                ).fetchone()
                if found is not None:
                    return str(found[0]), found[1]
                row = conn.execute(
                    "INSERT INTO sns_sequences (topic_arn, last) VALUES (?, 1) "
                    "ON CONFLICT (topic_arn) DO UPDATE SET last = last + 1 RETURNING last",
                    (topic_arn,),
                ).fetchone()
                sequence = int(row[0])
                conn.execute("DELETE FROM sns_dedup WHERE topic_arn = ? AND until <= ?", (topic_arn, now))
                conn.execute(
                    "INSERT OR REPLACE INTO sns_dedup (topic_arn, dedup_key, until, message_id, sequence) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (topic_arn, dedup.key, dedup.until, message["MessageId"], sequence),
                )
            body = {**message, "SequenceNumber": sequence} if sequence is not None else message
            if subscriptions:
                conn.execute(
                    "INSERT INTO sns_messages (message_id, body) VALUES (?, ?)",
                    (message["MessageId"], _dumps(body)),
                )
                conn.executemany(
                    "INSERT INTO sns_deliveries (message_id, subscription_arn, due_at) VALUES (?, ?, ?)",
                    [(message["MessageId"], arn, now) for arn in subscriptions],
                )
            return str(message["MessageId"]), sequence

        return await self._engine.write(store)

    def due(self, now: float, limit: int, skip: Collection[str] = ()) -> list[Delivery]:
        skipped = list(skip)
        excluded = f"AND d.subscription_arn NOT IN ({', '.join('?' for _ in skipped)}) " if skipped else ""

        def scan(conn: sqlite3.Connection) -> list[Delivery]:
            rows = conn.execute(
                "SELECT d.id, d.subscription_arn, m.body, d.due_at, d.attempts FROM sns_deliveries d "
                "JOIN sns_messages m ON m.message_id = d.message_id "
                f"WHERE d.due_at <= ? {excluded}ORDER BY d.id LIMIT ?",
                (now, *skipped, limit),
            )
            return [Delivery(row[0], row[1], json.loads(row[2]), row[3], row[4]) for row in rows]

        return self._engine.read(scan)

    def next_due(self, skip: Collection[str] = ()) -> float | None:
        skipped = list(skip)
        excluded = f" WHERE subscription_arn NOT IN ({', '.join('?' for _ in skipped)})" if skipped else ""

        def first(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(f"SELECT MIN(due_at) FROM sns_deliveries{excluded}", skipped).fetchone()
            return None if row is None or row[0] is None else float(row[0])

        return self._engine.read(first)

    async def finish(self, delivery_id: int) -> None:
        def drop(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "DELETE FROM sns_deliveries WHERE id = ? RETURNING message_id", (delivery_id,)
            ).fetchone()
            if row is not None:
                conn.execute(
                    "DELETE FROM sns_messages WHERE message_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM sns_deliveries WHERE message_id = ?)",
                    (row[0], row[0]),
                )

        await self._engine.write(drop)

    async def reschedule(self, delivery_id: int, due_at: float, attempts: int) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE sns_deliveries SET due_at = ?, attempts = ? WHERE id = ?",
                (due_at, attempts, delivery_id),
            )

        await self._engine.write(update)

    # -- values -------------------------------------------------------------------------------------------
    def get_value(self, key: str) -> str | None:
        def find(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT value FROM sns_values WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

        return self._engine.read(find)

    async def put_value(self, key: str, value: str) -> str:
        def save(conn: sqlite3.Connection) -> str:
            conn.execute("INSERT OR IGNORE INTO sns_values (key, value) VALUES (?, ?)", (key, value))
            return str(conn.execute("SELECT value FROM sns_values WHERE key = ?", (key,)).fetchone()[0])

        return await self._engine.write(save)
