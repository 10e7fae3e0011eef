"""SQS receives in SQLite.

A receive is one write closure: it picks visible messages (FIFO: in sequence order, skipping groups whose head
is in flight or delayed), dead-letters those over maxReceiveCount, drops expired ones and marks the rest in
flight, so two consumers can never pick the same message.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from millpond.services.sqs.repository import ReceiveOutcome, ReceiveRequest, StoredMessage
from millpond.storage.engine import Engine
from millpond.storage.sqs_messages import MESSAGE_COLUMNS, stored_message


class SqliteSqsReceive:
    """The receive operations of SqliteSqsRepository."""

    _engine: Engine

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


def _candidates(conn: sqlite3.Connection, request: ReceiveRequest, skip: set[int]) -> list[Any]:
    """Rows that may be delivered now, in delivery order (FIFO: group by group, skipping blocked groups)."""
    now = request.now
    if not request.fifo:
        rows = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? "
            "ORDER BY visible_at, seq LIMIT ?",
            (request.queue_id, now, request.max_messages + len(skip) + 10),
        ).fetchall()
        return [row for row in rows if row[0] not in skip]
    picked: list[Any] = []
    blocked: set[str | None] = set()
    cursor = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? ORDER BY seq", (request.queue_id,)
    )
    # Enough rows to fill the receive from one group even when groups interleave, and to spare for rows
    # that turn out expired or dead-lettered.
    want = request.max_messages * 10 + 10
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
    # As many messages of one group as possible before the next group (AWS documents it); groups in the
    # order of their oldest message, each group in sequence order.
    first_seen: dict[str | None, int] = {}
    for index, row in enumerate(picked):
        first_seen.setdefault(row[9], index)
    picked.sort(key=lambda row: first_seen[row[9]])
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
                # Dead-lettered at the receive that would exceed maxReceiveCount; keeps id, body, attributes,
                # receive count and sent time (the DLQ's retention counts from the original send).
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
            delivered.append(stored_message(row, count, first))
            if len(delivered) >= request.max_messages:
                break
        if len(rows) < request.max_messages:
            break
    if expired:
        conn.executemany("DELETE FROM sqs_messages WHERE seq = ?", expired)
    if redriven:
        conn.executemany(
            # The receive count and first-receive time carry on in the DLQ (AWS-recorded: no restart).
            "UPDATE sqs_messages SET queue_id = ?, "
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
