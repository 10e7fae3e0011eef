"""SQS message move tasks in SQLite: the task records and each paced step that moves messages."""

from __future__ import annotations

import sqlite3
from typing import Any

from millpond.services.sqs.repository import MoveStep, MoveTask
from millpond.storage.engine import Engine
from millpond.storage.sqs_queues import queue_by_arn

_MOVE_TASK_COLUMNS = (
    "task_handle, account_id, region, source_arn, destination_arn, max_per_second, status, moved, to_move, "
    "started_at, failure_reason"
)


class SqliteSqsMoveTasks:
    """The move task operations of SqliteSqsRepository."""

    _engine: Engine

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
        found = queue_by_arn(conn, target) if target else None
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
