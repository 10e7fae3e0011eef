"""SQS messages in SQLite: the row codec, sends and visibility changes by receipt handle.

A FIFO send deduplicates (per queue or per message group, for five minutes) and numbers its messages in the
same transaction as the insert.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from millpond.errors import AwsError
from millpond.services.sqs import fifo as fifo_rules
from millpond.services.sqs.message_attributes import MessageAttribute
from millpond.services.sqs.repository import (
    DELETE,
    KEEP,
    FifoSend,
    InFlightState,
    NewMessage,
    SentMessage,
    StoredMessage,
    VisibilityDecision,
)
from millpond.storage.engine import Engine

MESSAGE_COLUMNS = (
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


def stored_message(row: Sequence[Any], receive_count: int, first_received_at: float | None) -> StoredMessage:
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


class SqliteSqsMessages:
    """The send and visibility operations of SqliteSqsRepository."""

    _engine: Engine

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
