"""SQS queue records in SQLite: create (QueueDeletedRecently), find, list, update, delete, purge and count."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from millpond.errors import AwsError
from millpond.services.sqs.attributes import QueueConfig
from millpond.services.sqs.names import parse_arn
from millpond.services.sqs.repository import NewQueue, QueueCounts, QueueRecord
from millpond.storage.engine import Engine

_QUEUE_COLUMNS = "id, account_id, region, name, fifo, attributes, tags, created_at, modified_at"


def _queue(row: Sequence[Any]) -> QueueRecord:
    return QueueRecord(
        id=row[0],
        account_id=row[1],
        region=row[2],
        name=row[3],
        fifo=bool(row[4]),
        attributes=json.loads(row[5]),
        tags=json.loads(row[6]),
        created_at=row[7],
        modified_at=row[8],
    )


def queue_by_arn(conn: sqlite3.Connection, arn: str) -> tuple[int, int] | None:
    """(queue id, retention seconds) of the queue an ARN names, if it exists."""
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    row = conn.execute(
        "SELECT id, attributes FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?",
        (parsed.account_id, parsed.region, parsed.resource),
    ).fetchone()
    if row is None:
        return None
    return row[0], QueueConfig.from_attributes(json.loads(row[1])).message_retention_period


class SqliteSqsQueues:
    """The queue operations of SqliteSqsRepository."""

    _engine: Engine

    async def create_queue(self, queue: NewQueue, recently_deleted_window: float) -> tuple[QueueRecord, bool]:
        key = (queue.account_id, queue.region, queue.name)

        def create(conn: sqlite3.Connection) -> tuple[QueueRecord, bool]:
            row = conn.execute(
                f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?",
                key,
            ).fetchone()
            if row is not None:
                return _queue(row), False
            deleted = conn.execute(
                "SELECT deleted_at FROM sqs_deleted_queues WHERE account_id = ? AND region = ? AND name = ?",
                key,
            ).fetchone()
            if deleted is not None and queue.now - deleted[0] < recently_deleted_window:
                raise AwsError(
                    "QueueDeletedRecently",
                    "You must wait 60 seconds after deleting a queue before you can create another queue "
                    "with the same name.",
                )
            cursor = conn.execute(
                "INSERT INTO sqs_queues (account_id, region, name, fifo, attributes, tags, created_at, "
                "modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *key,
                    int(queue.fifo),
                    json.dumps(queue.attributes),
                    json.dumps(queue.tags),
                    queue.now,
                    queue.now,
                ),
            )
            record = QueueRecord(
                id=int(cursor.lastrowid or 0),
                account_id=queue.account_id,
                region=queue.region,
                name=queue.name,
                fifo=queue.fifo,
                attributes=dict(queue.attributes),
                tags=dict(queue.tags),
                created_at=queue.now,
                modified_at=queue.now,
            )
            return record, True

        return await self._engine.write(create)

    def find_queue(self, account_id: str, region: str, name: str) -> QueueRecord | None:
        def find(conn: sqlite3.Connection) -> QueueRecord | None:
            row = conn.execute(
                f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?",
                (account_id, region, name),
            ).fetchone()
            return None if row is None else _queue(row)

        return self._engine.read(find)

    def list_queues(self, account_id: str, region: str, prefix: str = "") -> list[QueueRecord]:
        def find(conn: sqlite3.Connection) -> list[QueueRecord]:
            rows = conn.execute(
                f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues WHERE account_id = ? AND region = ? "
                "AND substr(name, 1, ?) = ? ORDER BY name",
                (account_id, region, len(prefix), prefix),
            ).fetchall()
            return [_queue(row) for row in rows]

        return self._engine.read(find)

    async def delete_queue(self, queue_id: int, now: float) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT account_id, region, name FROM sqs_queues WHERE id = ?", (queue_id,)
            ).fetchone()
            if row is None:
                return
            conn.execute("DELETE FROM sqs_messages WHERE queue_id = ?", (queue_id,))
            conn.execute("DELETE FROM sqs_deduplication WHERE queue_id = ?", (queue_id,))
            conn.execute("DELETE FROM sqs_queues WHERE id = ?", (queue_id,))
            conn.execute(
                "INSERT OR REPLACE INTO sqs_deleted_queues (account_id, region, name, deleted_at) "
                "VALUES (?, ?, ?, ?)",
                (*row, now),
            )

        await self._engine.write(delete)

    async def update_queue(
        self, queue_id: int, now: float, attributes: dict[str, str] | None, tags: dict[str, str] | None
    ) -> None:
        def update(conn: sqlite3.Connection) -> None:
            if attributes is not None:
                conn.execute(
                    "UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE id = ?",
                    (json.dumps(attributes), now, queue_id),
                )
            if tags is not None:
                conn.execute("UPDATE sqs_queues SET tags = ? WHERE id = ?", (json.dumps(tags), queue_id))

        await self._engine.write(update)

    async def purge_queue(self, queue_id: int, now: float, window: float) -> bool:
        def purge(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT last_purged_at FROM sqs_queues WHERE id = ?", (queue_id,)).fetchone()
            if row is None:
                return True
            if row[0] is not None and now - row[0] < window:
                return False
            conn.execute("DELETE FROM sqs_messages WHERE queue_id = ?", (queue_id,))
            # A purge also forgets the deduplication ids sent before it (AWS-recorded, FIFO queues).
            conn.execute("DELETE FROM sqs_deduplication WHERE queue_id = ?", (queue_id,))
            conn.execute("UPDATE sqs_queues SET last_purged_at = ? WHERE id = ?", (now, queue_id))
            return True

        return await self._engine.write(purge)

    def queue_counts(self, queue_id: int, now: float) -> QueueCounts:
        def count(conn: sqlite3.Connection) -> QueueCounts:
            row = conn.execute(
                "SELECT COALESCE(SUM(CASE WHEN visible_at <= ? THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN visible_at > ? AND receive_count > 0 THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN visible_at > ? AND receive_count = 0 THEN 1 ELSE 0 END), 0), "
                "MIN(sent_at) FROM sqs_messages WHERE queue_id = ? AND expires_at > ?",
                (now, now, now, queue_id, now),
            ).fetchone()
            return QueueCounts(visible=row[0], not_visible=row[1], delayed=row[2], oldest_sent_at=row[3])

        return self._engine.read(count)
