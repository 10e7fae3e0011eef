"""SQS in SQLite: queues, messages, FIFO deduplication and move tasks (implements services/sqs/repository).

A receive is one write closure: it picks visible messages (FIFO: in sequence order, skipping groups whose head
is in flight or delayed), dead-letters those over maxReceiveCount, drops expired ones and marks the rest in
flight, so two consumers can never pick the same message.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from millpond.errors import AwsError
from millpond.services.sqs import fifo as fifo_rules
from millpond.services.sqs.attributes import QueueConfig
from millpond.services.sqs.message_attributes import MessageAttribute
from millpond.services.sqs.names import parse_arn
from millpond.services.sqs.repository import (
    DELETE,
    KEEP,
    FifoSend,
    InFlightState,
    MoveStep,
    MoveTask,
    NewMessage,
    NewQueue,
    QueueCounts,
    QueueRecord,
    ReceiveOutcome,
    ReceiveRequest,
    SentMessage,
    SqsRepository,
    StoredMessage,
    VisibilityDecision,
)
from millpond.storage.engine import Engine

_QUEUE_COLUMNS = "id, account_id, region, name, fifo, attributes, tags, created_at, modified_at"
_MESSAGE_COLUMNS = (
    "seq, message_id, body, attributes, system_attributes, size, sent_at, receive_count, first_received_at, "
    "group_id, dedup_id, sequence_number, source_arn, visible_at, expires_at"
)
_INSERT_MESSAGE = (
    "INSERT INTO sqs_messages (queue_id, message_id, body, attributes, system_attributes, size, sent_at, "
    "visible_at, expires_at, group_id, dedup_id, sequence_number) "
    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sqs_queues WHERE id = ?)"
)
# json.dumps(..., separators=...) builds a new encoder per call; this one is built once.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":")).encode
_MOVE_TASK_COLUMNS = (
    "task_handle, account_id, region, source_arn, destination_arn, max_per_second, status, moved, to_move, "
    "started_at, failure_reason"
)


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


def encode_attributes(attributes: dict[str, MessageAttribute]) -> str | None:
    if not attributes:
        return None
    encoded = {
        name: [a.data_type, "B", base64.b64encode(a.binary_value).decode()]
        if a.binary_value is not None
        else [a.data_type, "S", a.string_value]
        for name, a in attributes.items()
    }
    return _COMPACT_JSON(encoded)


def decode_attributes(text: str | None) -> dict[str, MessageAttribute]:
    if not text:
        return {}
    decoded: dict[str, MessageAttribute] = {}
    for name, (data_type, kind, value) in json.loads(text).items():
        if kind == "B":
            decoded[name] = MessageAttribute(data_type, binary_value=base64.b64decode(value))
        else:
            decoded[name] = MessageAttribute(data_type, string_value=value)
    return decoded


def _message(row: Sequence[Any], receive_count: int, first_received_at: float | None) -> StoredMessage:
    return StoredMessage(
        message_id=row[1],
        body=row[2],
        attributes=decode_attributes(row[3]),
        system_attributes=json.loads(row[4]) if row[4] else {},
        size=row[5],
        sent_at=row[6],
        receive_count=receive_count,
        first_received_at=first_received_at,
        group_id=row[9],
        dedup_id=row[10],
        sequence_number=row[11],
        source_arn=row[12],
    )


def _queue_by_arn(conn: sqlite3.Connection, arn: str) -> tuple[int, int] | None:
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


class SqliteSqsRepository(SqsRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- queues --------------------------------------------------------------------------------------------

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

    # -- messages ------------------------------------------------------------------------------------------

    async def send_messages(
        self, queue_id: int, messages: Sequence[NewMessage], fifo: FifoSend | None
    ) -> list[SentMessage]:
        rows = [
            (
                m.message_id,
                m.body,
                encode_attributes(m.attributes),
                _COMPACT_JSON(m.system_attributes) if m.system_attributes else None,
                m.size,
                m.sent_at,
                m.visible_at,
                m.expires_at,
                m.group_id,
                m.dedup_id,
            )
            for m in messages
        ]

        def send(conn: sqlite3.Connection) -> list[SentMessage]:
            if fifo is None:
                if len(rows) == 1:  # the common SendMessage: execute() costs less than executemany()
                    conn.execute(_INSERT_MESSAGE, (queue_id, *rows[0], None, queue_id))
                else:
                    conn.executemany(_INSERT_MESSAGE, [(queue_id, *row, None, queue_id) for row in rows])
                return [SentMessage(m.message_id, None) for m in messages]
            return _send_fifo(conn, queue_id, messages, rows, fifo)

        return await self._engine.write(send)

    async def receive_messages(self, request: ReceiveRequest) -> ReceiveOutcome:
        return await self._engine.write(lambda conn: _receive(conn, request))

    def next_visible_at(self, queue_id: int, now: float) -> float | None:
        def earliest(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(
                "SELECT MIN(visible_at) FROM sqs_messages WHERE queue_id = ? AND visible_at > ?",
                (queue_id, now),
            ).fetchone()
            return None if row is None else row[0]

        return self._engine.read(earliest)

    async def update_visibility(
        self, queue_id: int, items: Sequence[tuple[str, int]], decide: VisibilityDecision
    ) -> list[AwsError | None]:
        def update(conn: sqlite3.Connection) -> list[AwsError | None]:
            results: list[AwsError | None] = []
            for index, (message_id, _) in enumerate(items):
                row = conn.execute(
                    "SELECT seq, receive_count, visible_at, received_at FROM sqs_messages "
                    "WHERE message_id = ? AND queue_id = ?",
                    (message_id, queue_id),
                ).fetchone()
                state = None if row is None else InFlightState(row[1], row[2], row[3])
                try:
                    decision = decide(index, state)
                except AwsError as error:
                    results.append(error)
                    continue
                if row is not None and decision == DELETE:
                    conn.execute("DELETE FROM sqs_messages WHERE seq = ?", (row[0],))
                elif row is not None and decision != KEEP:
                    conn.execute("UPDATE sqs_messages SET visible_at = ? WHERE seq = ?", (decision, row[0]))
                results.append(None)
            return results

        return await self._engine.write(update)

    # -- move tasks ----------------------------------------------------------------------------------------

    async def save_move_task(self, task: MoveTask) -> None:
        values = tuple(getattr(task, column.strip()) for column in _MOVE_TASK_COLUMNS.split(","))

        def save(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT OR REPLACE INTO sqs_move_tasks ({_MOVE_TASK_COLUMNS}) "
                f"VALUES ({', '.join('?' * 11)})",
                values,
            )

        await self._engine.write(save)

    def _tasks(self, where: str, args: tuple[Any, ...]) -> list[MoveTask]:
        def find(conn: sqlite3.Connection) -> list[MoveTask]:
            rows = conn.execute(f"SELECT {_MOVE_TASK_COLUMNS} FROM sqs_move_tasks WHERE {where}", args)
            return [MoveTask(*row) for row in rows.fetchall()]

        return self._engine.read(find)

    def list_move_tasks(self, source_arn: str) -> list[MoveTask]:
        return self._tasks("source_arn = ? ORDER BY started_at DESC, rowid DESC", (source_arn,))

    def find_move_task(self, task_handle: str) -> MoveTask | None:
        found = self._tasks("task_handle = ?", (task_handle,))
        return found[0] if found else None

    def running_move_tasks(self) -> list[MoveTask]:
        return self._tasks("status = 'RUNNING' ORDER BY started_at", ())

    async def move_messages(self, task_handle: str, source_queue_id: int, limit: int, now: float) -> MoveStep:
        return await self._engine.write(lambda conn: _move(conn, task_handle, source_queue_id, limit, now))


def _send_fifo(
    conn: sqlite3.Connection,
    queue_id: int,
    messages: Sequence[NewMessage],
    rows: list[tuple[Any, ...]],
    fifo: FifoSend,
) -> list[SentMessage]:
    found = conn.execute("SELECT last_sequence_number FROM sqs_queues WHERE id = ?", (queue_id,)).fetchone()
    if found is None:
        raise AwsError("QueueDoesNotExist", "The specified queue does not exist.")
    last: str | None = found[0]
    results: list[SentMessage] = []
    for message, row in zip(messages, rows, strict=True):
        key = fifo_rules.deduplication_key(
            fifo.deduplication_scope, message.group_id or "", message.dedup_id or ""
        )
        seen = conn.execute(
            "SELECT message_id, sequence_number, sent_at FROM sqs_deduplication "
            "WHERE queue_id = ? AND dedup_key = ?",
            (queue_id, key),
        ).fetchone()
        if seen is not None and fifo_rules.within_window(seen[2], fifo.now):
            results.append(SentMessage(seen[0], seen[1], duplicate=True))
            continue
        last = fifo_rules.next_sequence_number(last, fifo.now)
        conn.execute(
            "INSERT OR REPLACE INTO sqs_deduplication "
            "(queue_id, dedup_key, message_id, sequence_number, sent_at) VALUES (?, ?, ?, ?, ?)",
            (queue_id, key, message.message_id, last, fifo.now),
        )
        conn.execute(_INSERT_MESSAGE, (queue_id, *row, last, queue_id))
        results.append(SentMessage(message.message_id, last))
    conn.execute("UPDATE sqs_queues SET last_sequence_number = ? WHERE id = ?", (last, queue_id))
    # Old deduplication ids of this queue go once their window has closed.
    conn.execute(
        "DELETE FROM sqs_deduplication WHERE queue_id = ? AND sent_at <= ?",
        (queue_id, fifo.now - fifo_rules.DEDUPLICATION_WINDOW_SECONDS),
    )
    return results


def _candidates(conn: sqlite3.Connection, request: ReceiveRequest, skip: set[int]) -> list[Any]:
    """Rows that may be delivered now, in delivery order (FIFO: by sequence, skipping blocked groups)."""
    now = request.now
    if not request.fifo:
        rows = conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? "
            "ORDER BY visible_at, seq LIMIT ?",
            (request.queue_id, now, request.max_messages + len(skip) + 10),
        ).fetchall()
        return [row for row in rows if row[0] not in skip]
    picked: list[Any] = []
    blocked: set[str | None] = set()
    cursor = conn.execute(
        f"SELECT {_MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? ORDER BY seq", (request.queue_id,)
    )
    # Enough rows to fill the receive even if some turn out expired or dead-lettered.
    want = request.max_messages + 10
    while len(picked) < want:
        batch = cursor.fetchmany(256)
        if not batch:
            break
        for row in batch:
            group = row[9]
            if row[0] in skip or group in blocked:
                continue
            if row[14] <= now:  # expired: the caller drops it; it blocks nothing
                picked.append(row)
            elif row[13] > now:  # the group's head is in flight or delayed: the rest of the group waits
                blocked.add(group)
            else:
                picked.append(row)
            if len(picked) >= want:
                break
    cursor.close()
    return picked


def _receive(conn: sqlite3.Connection, request: ReceiveRequest) -> ReceiveOutcome:
    now = request.now
    dead_letter = request.dead_letter
    delivered: list[StoredMessage] = []
    received_rows: list[tuple[Any, ...]] = []
    expired: list[tuple[int]] = []
    redriven: list[tuple[Any, ...]] = []
    skip: set[int] = set()
    while len(delivered) < request.max_messages:
        rows = _candidates(conn, request, skip)
        if not rows:
            break
        for row in rows:
            skip.add(row[0])
            if row[14] <= now:
                expired.append((row[0],))
                continue
            count = row[7] + 1
            if dead_letter is not None and count > dead_letter.max_receive_count:
                # Dead-lettered at the receive that would exceed maxReceiveCount; keeps id, body, attributes
                # and sent time (the DLQ's retention counts from the original send).
                dedup = row[1] if dead_letter.fifo else row[10]
                redriven.append(
                    (
                        dead_letter.queue_id,
                        now,
                        row[6] + dead_letter.retention_seconds,
                        dead_letter.source_arn,
                        dedup,
                        row[0],
                    )
                )
                continue
            first = row[8] if row[8] is not None else now
            received_rows.append((count, first, now, now + request.visibility_timeout, row[0]))
            delivered.append(_message(row, count, first))
            if len(delivered) >= request.max_messages:
                break
        if len(rows) < request.max_messages:
            break
    if expired:
        conn.executemany("DELETE FROM sqs_messages WHERE seq = ?", expired)
    if redriven:
        conn.executemany(
            "UPDATE sqs_messages SET queue_id = ?, receive_count = 0, first_received_at = NULL, "
            "received_at = NULL, visible_at = ?, expires_at = ?, source_arn = ?, dedup_id = ? WHERE seq = ?",
            redriven,
        )
    if received_rows:
        conn.executemany(
            "UPDATE sqs_messages SET receive_count = ?, first_received_at = ?, received_at = ?, "
            "visible_at = ? WHERE seq = ?",
            received_rows,
        )
    return ReceiveOutcome(delivered, dead_lettered=len(redriven), expired=len(expired))


def _move(
    conn: sqlite3.Connection, task_handle: str, source_queue_id: int, limit: int, now: float
) -> MoveStep:
    task = conn.execute(
        "SELECT destination_arn, status, moved, to_move FROM sqs_move_tasks WHERE task_handle = ?",
        (task_handle,),
    ).fetchone()
    if task is None or task[1] != "RUNNING":
        return MoveStep(0, True)
    destination_arn, _, moved, to_move = task
    rows = conn.execute(
        "SELECT seq, source_arn, sent_at FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? "
        "ORDER BY seq LIMIT ?",
        (source_queue_id, now, max(0, min(limit, to_move - moved))),
    ).fetchall()
    destinations: list[int] = []
    updates: list[tuple[Any, ...]] = []
    failure: str | None = None
    for seq, source_arn, sent_at in rows:
        target = destination_arn or source_arn
        found = _queue_by_arn(conn, target) if target else None
        if found is None:
            failure = "AWS.SimpleQueueService.NonExistentQueue"
            break
        queue_id, retention = found
        updates.append((queue_id, now, sent_at + retention, seq))
        destinations.append(queue_id)
    conn.executemany(
        "UPDATE sqs_messages SET queue_id = ?, receive_count = 0, first_received_at = NULL, "
        "received_at = NULL, visible_at = ?, expires_at = ?, source_arn = NULL WHERE seq = ?",
        updates,
    )
    moved += len(updates)
    done = failure is not None or not rows or moved >= to_move
    status = "FAILED" if failure else ("COMPLETED" if done else "RUNNING")
    conn.execute(
        "UPDATE sqs_move_tasks SET moved = ?, status = ?, failure_reason = ? WHERE task_handle = ?",
        (moved, status, failure, task_handle),
    )
    return MoveStep(len(updates), done, failure, sorted(set(destinations)))
