"""One commit group: run queued write closures in one transaction, each inside its own SAVEPOINT.

Shared by both of the engine's writers (the event-loop flush and the writer thread, see engine.py): a
closure that raises rolls back only itself and gets its exception; if SQLite aborts the whole transaction
(SQLITE_FULL, an I/O error), the closures before the failing one fail too and those after it run in a fresh
transaction; if BEGIN or COMMIT fails, nothing of the group is kept and every closure in it fails. A group of
one closure needs no SAVEPOINT: rolling back its transaction rolls back only that closure.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from millpond.storage.migrate import MIGRATIONS_TABLE

WriteFn = Callable[[sqlite3.Connection], Any]
# A queued write: the closure and the caller's future (None/None asks the writer thread to stop).
Job = tuple[WriteFn, "asyncio.Future[Any]"]
# A finished write: the job, whether it succeeded, and its result or exception.
Outcome = tuple[Job, bool, Any]

_SAVEPOINT = "millpond_write"


@dataclass
class EngineStats:
    """Counters kept by the writer (read them from anywhere; they only grow)."""

    writes: int = 0  # closures run, whether they succeeded or not
    failed_writes: int = 0  # closures that raised (or whose group could not commit)
    commits: int = 0  # COMMITs done: writes / commits is the group-commit ratio
    largest_group: int = 0


def run_group(conn: sqlite3.Connection, jobs: list[Job], stats: EngineStats) -> list[Outcome]:
    """Run `jobs` (cancelled ones are skipped) and COMMIT; return the outcome of every job that ran."""
    outcomes: list[Outcome] = []
    if len(jobs) > stats.largest_group:
        stats.largest_group = len(jobs)
    pending = jobs
    while pending:
        pending = _run_transaction(conn, pending, outcomes, stats)
    stats.writes += len(outcomes)
    stats.failed_writes += sum(1 for _, ok, _ in outcomes if not ok)
    return outcomes


def _run_transaction(
    conn: sqlite3.Connection, jobs: list[Job], outcomes: list[Outcome], stats: EngineStats
) -> list[Job]:
    """One transaction over `jobs`; returns the jobs still to run if SQLite aborted it part way."""
    done: list[Outcome] = []
    execute = conn.execute
    if len(jobs) == 1:
        return _run_alone(conn, jobs[0], outcomes, stats)
    try:
        execute("BEGIN IMMEDIATE")
        for index, job in enumerate(jobs):
            fn, future = job
            if future.cancelled():  # the caller gave up before its closure ran
                continue
            execute(f"SAVEPOINT {_SAVEPOINT}")
            try:
                value = fn(conn)
            except BaseException as exc:
                if not conn.in_transaction:
                    # SQLite rolled the whole transaction back (e.g. SQLITE_FULL): the closures before
                    # this one are lost too; they fail, and those after it run in a fresh transaction.
                    lost = sqlite3.OperationalError(f"rolled back by a neighbouring write's error: {exc!r}")
                    outcomes.extend((j, False, v if not ok else lost) for j, ok, v in done)
                    outcomes.append((job, False, exc))
                    return jobs[index + 1 :]
                execute(f"ROLLBACK TO {_SAVEPOINT}")
                execute(f"RELEASE {_SAVEPOINT}")
                done.append((job, False, exc))
            else:
                execute(f"RELEASE {_SAVEPOINT}")
                done.append((job, True, value))
        execute("COMMIT")
    except BaseException as exc:
        # BEGIN or COMMIT failed (e.g. another process held the lock past busy_timeout), or a closure
        # broke the savepoint protocol: nothing of this transaction is kept.
        rollback(conn)
        outcomes.extend((j, False, v if not ok else exc) for j, ok, v in done)
        started = {id(j) for j, _, _ in done}
        outcomes.extend((j, False, exc) for j in jobs if id(j) not in started and not j[1].cancelled())
        return []
    stats.commits += 1
    outcomes.extend(done)
    return []


def _run_alone(conn: sqlite3.Connection, job: Job, outcomes: list[Outcome], stats: EngineStats) -> list[Job]:
    """A group of one needs no SAVEPOINT: rolling back the transaction rolls back only that closure."""
    fn, future = job
    if future.cancelled():
        return []
    try:
        conn.execute("BEGIN IMMEDIATE")
        value = fn(conn)
        conn.execute("COMMIT")
    except BaseException as exc:  # BEGIN, the closure or COMMIT failed: nothing of it is kept
        rollback(conn)
        outcomes.append((job, False, exc))
        return []
    stats.commits += 1
    outcomes.append((job, True, value))
    return []


def rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        # If even ROLLBACK fails, SQLite has abandoned the transaction already (or will at the next BEGIN).
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def settle(settled: list[Outcome]) -> None:
    """On the callers' loop: set each future (unless its caller was cancelled meanwhile)."""
    for (_, future), ok, value in settled:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def delete_all_rows(conn: sqlite3.Connection) -> None:
    """Empty every table but the migrations bookkeeping, and restart AUTOINCREMENT counters."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != ?",
            (MIGRATIONS_TABLE,),
        )
    ]
    # Deferring foreign-key checks lets tables empty in any order; all rows are gone by the end anyway.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in tables:
        conn.execute(f'DELETE FROM "{table}"')
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        conn.execute("DELETE FROM sqlite_sequence")  # AUTOINCREMENT counters start again too
    conn.execute("PRAGMA defer_foreign_keys = OFF")
