"""The SQLite engine: group commit on the event loop (or on a writer thread at durability "full"), read
connections, migrations.

Writes: `await engine.write(fn)` queues `fn` for the next commit group. A group runs every closure pending at
that moment in ONE transaction, each inside its own SAVEPOINT (a closure that raises rolls back only itself
and gets its exception back), COMMITs once and only then resolves the callers' futures: a write is
acknowledged only after its COMMIT. Where the group runs depends on what a COMMIT costs:

- durability "normal" and ":memory:": on the event loop thread. `write()` appends to a pending list and, if no
  flush is scheduled, schedules one with loop.call_soon; every write made in the same loop tick joins it.
  A WAL commit without fsync takes tens of microseconds, less than handing the group to a thread and back
  (measured in process, SendMessage through gateway.handle on a file database, nothing else changed: 229 us
  with the writer thread, 85 us with the loop flush; 16 concurrent callers: 13,100 -> 17,500 req/s). WAL
  checkpoints, which fsync, run on a checkpointer thread with its own connection (left to SQLite's
  autocheckpoint inside COMMIT they stalled the loop: p99.9 of a write 3 ms, against 0.16 ms). Under steady
  writes a checkpoint never catches up with the commits made while it runs, and SQLite rewinds the WAL only
  when one has: so once the WAL passes WAL_CATCH_UP_FRAMES, the checkpointer asks the loop to hold its
  flushes (writes keep queueing; nothing blocks) for one more pass, and the next commit rewinds the WAL,
  which journal_size_limit then truncates (measured in a soak: the WAL grew ~45 MB a minute before).
- durability "full": on the writer thread, because the fsync of every COMMIT must not block the loop. The
  thread takes every closure queued at that moment (up to MAX_GROUP), so one fsync serves them all.

Writes from another event loop (another thread) are handed to the engine's loop and awaited from there.

Reads: `engine.read(fn)` runs `fn` synchronously on the calling thread, on that thread's own query-only read
connection, inside a read transaction (one consistent snapshot). WAL lets readers run beside a commit in
flight, and a read begun after `write()` returned sees that write. ":memory:" cannot share a database between
connections in WAL mode, so one connection serves both paths; it stays query-only except while a group runs
(on the loop thread), and a lock keeps reads from other threads out of a group in flight.

Durability: "normal" is WAL + synchronous=NORMAL (a committed write survives the process being killed);
"full" is WAL + synchronous=FULL (it also survives power loss, at one fsync per commit group).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from contextlib import suppress
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from millpond.storage.migrate import apply_migrations, load_migrations, packaged_migrations
from millpond.storage.transactions import (
    EngineStats,
    Job,
    Outcome,
    WriteFn,
    delete_all_rows,
    run_group,
    settle,
)

__all__ = ["MAX_GROUP", "MEMORY", "Engine", "EngineClosedError", "EngineStats", "WriteFn"]

T = TypeVar("T")

DURABILITY_PRAGMAS = {"normal": "NORMAL", "full": "FULL"}
MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5000
# Caps one transaction so a flood of writes still commits (and answers) in bounded steps.
MAX_GROUP = 1000
# The loop's writer never checkpoints (an fsync); the checkpointer thread does, every this many commits.
CHECKPOINT_EVERY_COMMITS = 100
# A WAL longer than this many frames (pages) is caught up with writes held, so it rewinds.
WAL_CATCH_UP_FRAMES = 4096
# What a rewound WAL is truncated to (SQLite's journal_size_limit).
WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024
# How long the checkpointer waits for the loop to hold its flushes before giving up on one catch-up.
HOLD_WAIT_SECONDS = 1.0


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
        # Group commit on the loop thread, unless every COMMIT fsyncs (see the module docstring).
        self.writes_on_loop = self.in_memory or durability != "full"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: sqlite3.Connection | None = None
        self._accepting = False
        self._started = False
        # The loop's writer: closures waiting for the next flush, and whether one is scheduled.
        self._pending: list[Job] = []
        self._flush_scheduled = False
        self._flushes_held = False  # while the checkpointer catches up with the WAL
        self._checkpointer: _Checkpointer | None = None
        # The writer thread (durability "full"): its queue; None asks it to stop.
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # ":memory:": the one connection, and the lock held by each read and by the flush of a group.
        self._shared: sqlite3.Connection | None = None
        self._shared_lock = threading.RLock()
        # Files: one read connection per thread that reads, opened on its first read and closed by close().
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    @property
    def in_memory(self) -> bool:
        return self.path == MEMORY

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the database (creating its folder), apply pending migrations, start the writer."""
        if self._started:
            raise RuntimeError("engine already started")
        loop = asyncio.get_running_loop()
        if self.writes_on_loop:
            writer = self._open_writer()
            if self.in_memory:
                writer.execute("PRAGMA query_only = ON")  # lifted only while a group runs
                self._shared = writer
            else:
                writer.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer thread does it
                self._checkpointer = _Checkpointer(self._connect, self._hold_flushes, self._release_flushes)
        else:
            writer = await self._start_writer_thread(loop)
        self._loop = loop
        self._writer = writer
        self._pending = []
        self._flush_scheduled = False
        self._started = self._accepting = True
        if not self.in_memory:
            self._reader()  # open the calling (event loop) thread's read connection now, not on a request

    async def close(self) -> None:
        """Finish every write already queued, stop the writer and close every connection."""
        if not self._started:
            return
        self._accepting = False
        if self.writes_on_loop:
            self._flushes_held = False
            while self._pending:
                self._flush()
            if self._checkpointer is not None:
                await asyncio.to_thread(self._checkpointer.stop)
                self._checkpointer = None
            if self._writer is not None:
                self._writer.close()
        else:
            self._queue.put(None)  # after every queued write: the thread runs them, then stops
            if self._thread is not None:
                await asyncio.to_thread(self._thread.join)
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()
        self._shared = self._writer = None
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
            # Groups run under this lock, so a read sees none or all of one (and statements in `fn` share
            # one state: no write can land between them).
            with self._shared_lock:
                if not shared.in_transaction:
                    return fn(shared)
                # Only a read made from inside a write closure gets here: it stays query-only all the same.
                shared.execute("PRAGMA query_only = ON")
                try:
                    return fn(shared)
                finally:
                    shared.execute("PRAGMA query_only = OFF")
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
        """Run `fn` inside the next group transaction; return once it is committed.

        If `fn` raises, its own changes are rolled back (not its neighbours') and the exception is raised
        here. A caller cancelled before its closure started is skipped; once started, it runs and commits.
        `fn` must use the connection it is given (not engine.read) and not BEGIN/COMMIT/ROLLBACK itself.
        """
        if not self._accepting:
            raise EngineClosedError("engine is not started" if not self._started else "engine is closed")
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            return await self._write_from_another_loop(fn)
        future: asyncio.Future[T] = loop.create_future()
        if self.writes_on_loop:
            self._pending.append((fn, future))
            if not self._flush_scheduled:
                self._flush_scheduled = True
                loop.call_soon(self._flush)
        else:
            self._queue.put((fn, future))
        return await future

    async def reset(self) -> None:
        """Delete every row of every table except the migrations bookkeeping (between tests)."""
        await self.write(delete_all_rows)

    async def _write_from_another_loop(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        owner = self._loop
        assert owner is not None
        try:
            handed = asyncio.run_coroutine_threadsafe(self.write(fn), owner)
        except RuntimeError:  # the engine's loop is closed
            raise EngineClosedError("engine is closed") from None
        return await asyncio.wrap_future(handed)

    # -- the loop's writer (durability "normal", ":memory:") -------------------------------------------------

    def _flush(self) -> None:
        """Run the pending closures as one group (MAX_GROUP at most; the rest get a flush of their own)."""
        self._flush_scheduled = False
        if self._flushes_held:
            return  # _release_flushes schedules the pending ones
        jobs = self._pending
        if len(jobs) > MAX_GROUP:
            jobs, self._pending = jobs[:MAX_GROUP], jobs[MAX_GROUP:]
            self._flush_scheduled = True
            assert self._loop is not None
            self._loop.call_soon(self._flush)
        else:
            self._pending = []
        conn = self._writer
        if not jobs or conn is None:
            return
        try:
            if self._shared is not None:
                with self._shared_lock:
                    conn.execute("PRAGMA query_only = OFF")
                    try:
                        outcomes = run_group(conn, jobs, self.stats)
                    finally:
                        conn.execute("PRAGMA query_only = ON")
            else:
                commits = self.stats.commits
                outcomes = run_group(conn, jobs, self.stats)
                if self._checkpointer is not None:
                    self._checkpointer.committed(self.stats.commits - commits)
        except BaseException as exc:  # a bug here must not strand the callers
            outcomes = [(job, False, exc) for job in jobs]
        settle(outcomes)

    def _hold_flushes(self, held: threading.Event) -> None:
        """(On the loop.) Stop flushing until _release_flushes; tell the checkpointer no commit is running."""
        if self._accepting:
            self._flushes_held = True
            held.set()

    def _release_flushes(self) -> None:
        """(On the loop.) Flush again, starting with what queued meanwhile."""
        self._flushes_held = False
        if self._pending and not self._flush_scheduled and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    # -- the writer thread (durability "full") ---------------------------------------------------------------

    async def _start_writer_thread(self, loop: asyncio.AbstractEventLoop) -> sqlite3.Connection:
        ready: asyncio.Future[sqlite3.Connection] = loop.create_future()
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._writer_main, args=(ready, loop), name="millpond-writer")
        self._thread.daemon = True  # never keeps a dying process alive; close() is the clean way out
        self._thread.start()
        try:
            return await ready
        except BaseException:
            # A failed open has ended the thread already; a cancelled start must still tell it to stop.
            self._queue.put(None)
            raise

    def _writer_main(
        self, ready: asyncio.Future[sqlite3.Connection], loop: asyncio.AbstractEventLoop
    ) -> None:
        try:
            conn = self._open_writer()
        except BaseException as exc:
            loop.call_soon_threadsafe(_resolve, ready, False, exc)
            return
        loop.call_soon_threadsafe(_resolve, ready, True, conn)
        try:
            stopping = False
            while not stopping:
                group: list[Job] = []
                item = self._queue.get()  # blocks: no polling while idle
                while True:
                    if item is None:
                        stopping = True  # close() queues this after every write it waits for
                        break
                    group.append(item)
                    if len(group) >= MAX_GROUP:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if group:
                    try:
                        outcomes = run_group(conn, group, self.stats)
                    except BaseException as exc:  # a bug here must not strand callers or kill the writer
                        outcomes = [(job, False, exc) for job in group]
                    _deliver(loop, outcomes)
        finally:
            conn.close()

    # -- connections -----------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: the sqlite3 module issues no implicit BEGIN/COMMIT; the engine does it all.
        # check_same_thread=False: connections are closed by close() from another thread (and ":memory:"'s
        # one connection serves reads from any thread under _shared_lock).
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
                conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
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


class _Checkpointer:
    """A thread that copies the WAL back into the database (PASSIVE: it never blocks a writer or reader),
    so the fsyncs a checkpoint needs never run on the event loop. When the WAL has grown long it catches up
    with the loop's flushes held, so the WAL rewinds (see the module docstring)."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        hold: Callable[[threading.Event], None],
        release: Callable[[], None],
    ) -> None:
        self._connect = connect
        self._hold = hold
        self._release = release
        self._loop = asyncio.get_running_loop()
        self._since = 0
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._main, name="millpond-checkpointer", daemon=True)
        self._thread.start()

    def committed(self, commits: int) -> None:
        self._since += commits
        if self._since >= CHECKPOINT_EVERY_COMMITS:
            self._since = 0
            self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _main(self) -> None:
        conn = self._connect()
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                with suppress(sqlite3.Error):  # a busy database is checkpointed next time
                    frames = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0][1]
                    # A long WAL means none rewound it lately: commits ran during every pass (a pass
                    # copies what was there when it began, so it "completes" all the same).
                    if frames >= WAL_CATCH_UP_FRAMES:
                        self._catch_up(conn)
        finally:
            conn.close()

    def _catch_up(self, conn: sqlite3.Connection) -> None:
        held = threading.Event()
        try:
            self._loop.call_soon_threadsafe(self._hold, held)
        except RuntimeError:  # the loop is closed
            return
        try:
            if held.wait(HOLD_WAIT_SECONDS):  # else the loop was busy or closing: try again next time
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            with suppress(RuntimeError):  # released even after a timeout: the hold may land late
                self._loop.call_soon_threadsafe(self._release)


def _deliver(loop: asyncio.AbstractEventLoop, outcomes: list[Outcome]) -> None:
    """Hand a group's results to the engine's loop: one thread hop per group, not one per write."""
    with suppress(RuntimeError):  # the loop is closed: nobody is waiting for these any more
        loop.call_soon_threadsafe(settle, outcomes)


def _resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if not future.done():
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
