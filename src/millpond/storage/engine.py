"""The SQLite engine: one writer thread with group commit, read connections for the event loop, migrations.

Writes: `await engine.write(fn)` queues `fn` for the single writer thread. The writer takes every closure
pending at that moment, runs them in ONE transaction, each inside its own SAVEPOINT (a closure that raises
rolls back only itself and gets its exception back), COMMITs once (one fsync at durability "full") and then
resolves the callers' futures. A write is acknowledged only after its COMMIT.

Reads: `engine.read(fn)` runs `fn` synchronously on the calling thread, on that thread's own read connection,
inside a read transaction (one consistent snapshot). WAL lets readers run beside the writer, and a read
begun after `write()` returned sees that write.

Durability: "normal" is WAL + synchronous=NORMAL (a committed write survives the process being killed);
"full" is WAL + synchronous=FULL (it also survives power loss, at one fsync per commit group).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from millpond.storage.migrate import MIGRATIONS_TABLE, apply_migrations, load_migrations, packaged_migrations

T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], Any]

DURABILITY_PRAGMAS = {"normal": "NORMAL", "full": "FULL"}
MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5000
# Caps one transaction so a flood of writes still commits (and answers) in bounded steps.
MAX_GROUP = 1000
_SAVEPOINT = "millpond_write"

# A queued write: the closure (None asks the writer to stop), the caller's future and the caller's loop.
_Job = tuple[WriteFn | None, asyncio.Future[Any], asyncio.AbstractEventLoop]
# A finished write: the job, whether it succeeded, and its result or exception.
_Outcome = tuple[_Job, bool, Any]


@dataclass
class EngineStats:
    """Counters kept by the writer thread (read them from anywhere; they only grow)."""

    writes: int = 0  # closures run, whether they succeeded or not
    failed_writes: int = 0  # closures that raised (or whose group could not commit)
    commits: int = 0  # COMMITs done: writes / commits is the group-commit ratio
    largest_group: int = 0


class EngineClosedError(RuntimeError):
    """The engine is not started, or has been closed."""


class Engine:
    """SQLite as the source of truth: `path` is a file (WAL) or ":memory:"."""

    def __init__(
        self, path: str, durability: str = "normal", *, migrations: Traversable | None = None
    ) -> None:
        if durability not in DURABILITY_PRAGMAS:
            raise ValueError(f"durability must be one of {sorted(DURABILITY_PRAGMAS)}, not {durability!r}")
        self.path = path
        self.durability = durability
        self.stats = EngineStats()
        self._migrations = migrations if migrations is not None else packaged_migrations()
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._accepting = False
        self._started = False
        self._submit_lock = threading.Lock()  # orders "closing" against concurrent submissions
        # ":memory:" cannot be shared between connections in WAL mode: a shared-cache URI would give
        # readers SQLITE_LOCKED (busy_timeout does not apply) or dirty reads. So one connection serves both
        # paths, and this lock is held by the writer for a whole group (BEGIN..COMMIT) and by each read:
        # a read waits for the group in flight (microseconds in memory) and never sees it half done.
        self._shared: sqlite3.Connection | None = None
        self._shared_lock = threading.RLock()
        self._shared_read_depth = 0
        # Files: one read connection per thread that reads, opened on its first read and closed by close().
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    @property
    def in_memory(self) -> bool:
        return self.path == MEMORY

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the database (creating its folder), apply pending migrations, start the writer thread."""
        if self._started:
            raise RuntimeError("engine already started")
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[sqlite3.Connection] = loop.create_future()
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._writer_main, args=(ready, loop), name="millpond-writer")
        self._thread.daemon = True  # never keeps a dying process alive; close() is the clean way out
        self._thread.start()
        try:
            writer = await ready
        except BaseException:
            # A failed open has ended the thread already; a cancelled start must still tell it to stop.
            self._queue.put((None, loop.create_future(), loop))
            raise
        if self.in_memory:
            self._shared = writer
        self._started = self._accepting = True
        if not self.in_memory:
            self._reader()  # open the calling (event loop) thread's read connection now, not on a request

    async def close(self) -> None:
        """Finish every write already queued, stop the writer thread and close every connection."""
        if not self._started:
            return
        loop = asyncio.get_running_loop()
        stopped: asyncio.Future[None] = loop.create_future()
        with self._submit_lock:
            self._accepting = False
            self._queue.put((None, stopped, loop))
        await stopped
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()
        self._shared = None
        self._started = False

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- the two paths ---------------------------------------------------------------------------------------

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` on this thread's read connection, in one read transaction; return what it returns.

        The connection is query-only: a statement that writes raises sqlite3.OperationalError.
        """
        if not self._started:
            raise EngineClosedError("engine is not started")
        shared = self._shared
        if shared is not None:
            return self._read_shared(shared, fn)
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._reader()
        if conn.in_transaction:  # a read nested in a read: already inside its snapshot
            return fn(conn)
        conn.execute("BEGIN")
        try:
            return fn(conn)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # the transaction only read: ROLLBACK and COMMIT are the same

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` on the writer thread inside the next group transaction; return once it is committed.

        If `fn` raises, its own changes are rolled back (not its neighbours') and the exception is raised
        here. A caller cancelled before its closure started is skipped; once started, it runs and commits.
        `fn` must use the connection it is given (not engine.read) and not BEGIN/COMMIT/ROLLBACK itself.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._submit_lock:
            if not self._accepting:
                raise EngineClosedError("engine is not started" if not self._started else "engine is closed")
            self._queue.put((fn, future, loop))
        return await future

    async def reset(self) -> None:
        """Delete every row of every table except the migrations bookkeeping (between tests)."""
        await self.write(_delete_all_rows)

    # -- connections -----------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: the sqlite3 module issues no implicit BEGIN/COMMIT; the engine does it all.
        # check_same_thread=False: connections are closed by close() from another thread (and ":memory:"'s
        # one connection serves both threads under _shared_lock).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _open_writer(self) -> sqlite3.Connection:
        if not self.in_memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            if not self.in_memory:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    raise RuntimeError(f"{self.path}: SQLite refused WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous = {DURABILITY_PRAGMAS[self.durability]}")
            apply_migrations(conn, load_migrations(self._migrations))
        except BaseException:
            conn.close()
            raise
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = self._connect()
        conn.execute("PRAGMA query_only = ON")
        with self._readers_lock:
            self._readers.append(conn)
        self._local.conn = conn
        return conn

    def _read_shared(self, conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._shared_lock:
            if self._shared_read_depth:
                return fn(conn)
            # query_only is toggled so ":memory:" refuses writes in read() exactly as files do.
            conn.execute("PRAGMA query_only = ON")
            self._shared_read_depth += 1
            try:
                return fn(conn)
            finally:
                self._shared_read_depth -= 1
                conn.execute("PRAGMA query_only = OFF")

    # -- the writer thread -----------------------------------------------------------------------------------

    def _writer_main(
        self, ready: asyncio.Future[sqlite3.Connection], ready_loop: asyncio.AbstractEventLoop
    ) -> None:
        try:
            conn = self._open_writer()
        except BaseException as exc:
            ready_loop.call_soon_threadsafe(_settle, [(ready, False, exc)])
            return
        ready_loop.call_soon_threadsafe(_settle, [(ready, True, conn)])
        stop: _Job | None = None
        try:
            while stop is None:
                group = [self._queue.get()]  # blocks: no polling while idle
                while len(group) < MAX_GROUP:
                    try:
                        group.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                jobs: list[_Job] = []
                for job in group:
                    if job[0] is None:
                        stop = job
                    elif stop is None:
                        jobs.append(job)
                    else:
                        _deliver([(job, False, EngineClosedError("engine is closed"))])
                if jobs:
                    try:
                        self._run_group(conn, jobs)
                    except BaseException as exc:  # a bug here must not strand callers or kill the writer
                        _deliver([(job, False, exc) for job in jobs])
        finally:
            conn.close()
            if stop is not None:
                _deliver([(stop, True, None)])

    def _run_group(self, conn: sqlite3.Connection, jobs: list[_Job]) -> None:
        outcomes: list[_Outcome] = []
        self.stats.largest_group = max(self.stats.largest_group, len(jobs))
        with self._shared_lock if self.in_memory else nullcontext():
            pending = jobs
            while pending:
                pending = self._run_transaction(conn, pending, outcomes)
        self.stats.writes += len(outcomes)
        self.stats.failed_writes += sum(1 for _, ok, _ in outcomes if not ok)
        _deliver(outcomes)

    def _run_transaction(
        self, conn: sqlite3.Connection, jobs: list[_Job], outcomes: list[_Outcome]
    ) -> list[_Job]:
        """One transaction over `jobs`; returns the jobs still to run if SQLite aborted it part way."""
        done: list[_Outcome] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for index, job in enumerate(jobs):
                fn, future, _ = job
                if future.cancelled():  # the caller gave up before its closure ran
                    continue
                conn.execute(f"SAVEPOINT {_SAVEPOINT}")
                try:
                    value = fn(conn)  # type: ignore[misc]  # fn is never None here
                except BaseException as exc:
                    if not conn.in_transaction:
                        # SQLite rolled the whole transaction back (e.g. SQLITE_FULL): the closures before
                        # this one are lost too; they fail, and those after it run in a fresh transaction.
                        lost = sqlite3.OperationalError(
                            f"rolled back by a neighbouring write's error: {exc!r}"
                        )
                        outcomes.extend((j, False, v if not ok else lost) for j, ok, v in done)
                        outcomes.append((job, False, exc))
                        return jobs[index + 1 :]
                    conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
                    conn.execute(f"RELEASE {_SAVEPOINT}")
                    done.append((job, False, exc))
                else:
                    conn.execute(f"RELEASE {_SAVEPOINT}")
                    done.append((job, True, value))
            conn.execute("COMMIT")
        except BaseException as exc:
            # BEGIN or COMMIT failed (e.g. another process held the lock past busy_timeout), or a closure
            # broke the savepoint protocol: nothing of this transaction is kept.
            _rollback(conn)
            outcomes.extend((j, False, v if not ok else exc) for j, ok, v in done)
            started = {id(j) for j, _, _ in done}
            outcomes.extend((j, False, exc) for j in jobs if id(j) not in started and not j[1].cancelled())
            return []
        self.stats.commits += 1
        outcomes.extend(done)
        return []


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        # If even ROLLBACK fails, SQLite has abandoned the transaction already (or will at the next BEGIN).
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _deliver(outcomes: list[_Outcome]) -> None:
    """Hand results to the callers' loops: one thread hop per loop per group, not one per write."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
    for (_, future, loop), ok, value in outcomes:
        by_loop.setdefault(loop, []).append((future, ok, value))
    for loop, settled in by_loop.items():
        with suppress(RuntimeError):  # the loop is closed: nobody is waiting for these any more
            loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """Runs on the caller's loop: set each future (unless its caller was cancelled meanwhile)."""
    for future, ok, value in settled:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def _delete_all_rows(conn: sqlite3.Connection) -> None:
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
