"""The storage engine's contract, run on every backend: ":memory:", a file at normal and full durability."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from millpond.services.sts.repository import SessionCredentials
from millpond.storage import engine as engine_module
from millpond.storage.engine import MAX_GROUP, Engine, EngineClosedError
from millpond.storage.migrate import load_migrations, packaged_migrations, split_statements
from millpond.storage.sts import _COLUMNS, SqliteStsRepository
from tests.unit.storage.conftest import Backend

T = TypeVar("T")

KV_TABLE = "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def count(engine: Engine, table: str) -> int:
    return int(engine.read(lambda conn: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))


def value_of(engine: Engine, key: str) -> str | None:
    row = engine.read(lambda conn: conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone())
    return None if row is None else str(row[0])


def put(key: str, value: str = "v") -> Callable[[sqlite3.Connection], str]:
    def insert(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO kv (key, value) VALUES (?, ?)", (key, value))
        return key

    return insert


def _upsert(key: str) -> Callable[[sqlite3.Connection], None]:
    def replace(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, "x" * 4000))

    return replace


class WriterGate:
    """A write closure that parks the writer, so the writes queued meanwhile form the next group."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()

    def __call__(self, conn: sqlite3.Connection) -> None:
        self.entered.set()
        self.released.wait(10)

    @classmethod
    async def hold(cls, engine: Engine) -> tuple[WriterGate, asyncio.Task[None]]:
        gate = cls()
        if engine.writes_on_loop:
            return gate, await gate._park_loop_writer(engine)
        task = asyncio.create_task(engine.write(gate))
        assert await asyncio.to_thread(gate.entered.wait, 10)
        return gate, task

    async def _park_loop_writer(self, engine: Engine) -> asyncio.Task[None]:
        """The group commit runs on the event loop, where a closure cannot wait for the test: park the flush
        instead. The gate's group commits once released, then everything queued meanwhile as one group."""
        flush = engine._flush
        engine._flush = lambda: None  # type: ignore[method-assign]
        write = asyncio.create_task(engine.write(self))
        for _ in range(3):
            await asyncio.sleep(0)
        assert engine._pending and engine._pending[0][0] is self

        async def release() -> None:
            await asyncio.to_thread(self.released.wait, 10)
            del engine._flush  # the method again
            queued = engine._pending
            engine._pending = queued[:1]
            flush()
            engine._pending = queued[1:]
            flush()
            await write

        return asyncio.create_task(release())


async def queued(*coroutines: Coroutine[Any, Any, T]) -> list[asyncio.Task[T]]:
    """Start the writes as tasks and let each reach the writer's queue."""
    tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
    for _ in range(3):
        await asyncio.sleep(0)
    return tasks


def session(
    access_key_id: str = "ASIAEXAMPLE0000001", expiration: float = 1_700_003_600.0
) -> SessionCredentials:
    return SessionCredentials(
        access_key_id=access_key_id,
        secret_access_key="secret/key+value",
        session_token="FwoGZXIvYXdzE" + "x" * 40,
        expiration=expiration,
        account_id="000000000000",
        role_arn="arn:aws:iam::000000000000:role/worker",
        role_session_name="build-42",
        assumed_role_id="AROAEXAMPLE00000000:build-42",
    )


class TestEngineContract:
    async def test_read_your_writes(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            for i in range(50):
                await engine.write(put(f"k{i}", f"v{i}"))
                assert value_of(engine, f"k{i}") == f"v{i}"

    async def test_reads_from_another_thread_see_acknowledged_writes(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            await engine.write(put("a"))
            assert await asyncio.to_thread(count, engine, "kv") == 1

    async def test_write_returns_the_closure_result_and_raises_its_error(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            assert await engine.write(lambda conn: conn.execute(KV_TABLE) and 42) == 42

            def boom(conn: sqlite3.Connection) -> None:
                raise LookupError("no such thing")

            with pytest.raises(LookupError, match="no such thing"):
                await engine.write(boom)
            with pytest.raises(sqlite3.IntegrityError):
                await engine.write(lambda conn: conn.execute("INSERT INTO kv (key) VALUES ('x')"))

    async def test_failing_closure_rolls_back_only_itself_within_a_shared_group(
        self, backend: Backend
    ) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))

            def half_done_then_raise(conn: sqlite3.Connection) -> None:
                conn.execute("INSERT INTO kv (key, value) VALUES ('bad', 'v')")
                raise ValueError("changed my mind")

            gate, held = await WriterGate.hold(engine)
            before = dataclasses.replace(engine.stats)
            tasks = await queued(
                engine.write(put("one")), engine.write(half_done_then_raise), engine.write(put("two"))
            )
            gate.released.set()
            await held
            results = await asyncio.gather(*tasks, return_exceptions=True)

            assert results[0] == "one" and results[2] == "two"
            assert isinstance(results[1], ValueError)
            assert engine.stats.commits - before.commits == 2  # the gate's group, then all three together
            assert engine.stats.largest_group >= 3
            assert engine.stats.failed_writes - before.failed_writes == 1
            keys = engine.read(
                lambda conn: [row[0] for row in conn.execute("SELECT key FROM kv ORDER BY key")]
            )
            assert keys == ["one", "two"]

    async def test_a_write_that_aborts_the_whole_transaction_never_leaves_neighbours_acknowledged(
        self, backend: Backend
    ) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))

            def abort_everything(conn: sqlite3.Connection) -> None:
                conn.execute("ROLLBACK")  # what SQLite itself does on SQLITE_FULL or an I/O error
                raise OSError("disk full")

            gate, held = await WriterGate.hold(engine)
            tasks = await queued(
                engine.write(put("before")), engine.write(abort_everything), engine.write(put("after"))
            )
            gate.released.set()
            await held
            before, aborting, after = await asyncio.gather(*tasks, return_exceptions=True)

            assert isinstance(before, sqlite3.OperationalError) and "neighbouring" in str(before)
            assert isinstance(aborting, OSError)
            assert after == "after"  # ran in a fresh transaction
            assert engine.read(lambda conn: conn.execute("SELECT key FROM kv").fetchall()) == [("after",)]

    async def test_concurrent_writes_all_land_and_share_commits(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            before = dataclasses.replace(engine.stats)
            keys = await asyncio.gather(*(engine.write(put(f"k{i:03d}")) for i in range(200)))
            assert keys == [f"k{i:03d}" for i in range(200)]
            assert count(engine, "kv") == 200
            writes = engine.stats.writes - before.writes
            commits = engine.stats.commits - before.commits
            assert writes == 200
            assert commits <= writes // 10, f"{commits} commits for {writes} writes"

    async def test_a_lone_failing_write_rolls_back_its_own_changes(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))

            def insert_then_raise(conn: sqlite3.Connection) -> None:
                put("half-done")(conn)
                raise ValueError("changed my mind")

            with pytest.raises(ValueError, match="changed my mind"):
                await engine.write(insert_then_raise)
            assert await engine.write(put("next")) == "next"
            assert engine.read(lambda conn: conn.execute("SELECT key FROM kv").fetchall()) == [("next",)]

    async def test_a_flood_of_writes_commits_in_bounded_groups(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            total = MAX_GROUP * 2 + 5
            keys = await asyncio.gather(*(engine.write(put(f"k{i:05d}")) for i in range(total)))
            assert len(keys) == total and count(engine, "kv") == total
            assert engine.stats.largest_group <= MAX_GROUP

    async def test_writes_from_another_event_loop_are_committed_and_answered(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))

            def elsewhere() -> list[str]:
                async def writes() -> list[str]:
                    return list(await asyncio.gather(*(engine.write(put(f"t{i}")) for i in range(5))))

                return asyncio.run(writes())

            assert await asyncio.to_thread(elsewhere) == [f"t{i}" for i in range(5)]
            assert count(engine, "kv") == 5

    async def test_reads_never_see_a_group_in_flight(self, backend: Backend) -> None:
        if not backend.is_file:
            pytest.skip("in memory a read waits for the group in flight (one connection under a lock)")
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            gate = WriterGate()

            def insert_then_park(conn: sqlite3.Connection) -> None:
                put("in-flight")(conn)
                gate(conn)

            if engine.writes_on_loop:
                # The group runs on the loop thread: the reader beside it is another thread.
                seen: list[int] = []

                def insert_then_read_elsewhere(conn: sqlite3.Connection) -> None:
                    put("in-flight")(conn)
                    reader = threading.Thread(target=lambda: seen.append(count(engine, "kv")))
                    reader.start()
                    reader.join(10)

                await engine.write(insert_then_read_elsewhere)
                assert seen == [0]  # a reader runs beside the writer, on the last committed state
                assert count(engine, "kv") == 1
                return
            task = asyncio.create_task(engine.write(insert_then_park))
            assert await asyncio.to_thread(gate.entered.wait, 10)
            assert count(engine, "kv") == 0  # a reader runs beside the writer, on the last committed state
            gate.released.set()
            await task
            assert count(engine, "kv") == 1

    async def test_read_connection_refuses_writes(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                engine.read(lambda conn: conn.execute("INSERT INTO kv VALUES ('a', 'b')"))
            await engine.write(put("still-writable"))
            assert count(engine, "kv") == 1

    async def test_cancelled_write_is_skipped_and_the_writer_carries_on(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            gate, held = await WriterGate.hold(engine)
            (cancelled,) = await queued(engine.write(put("cancelled")))
            cancelled.cancel()
            gate.released.set()
            await held
            with pytest.raises(asyncio.CancelledError):
                await cancelled
            await engine.write(put("after"))
            assert engine.read(lambda conn: conn.execute("SELECT key FROM kv").fetchall()) == [("after",)]

    async def test_reset_empties_every_table_but_keeps_schema_and_migrations(self, backend: Backend) -> None:
        async with backend.engine() as engine:

            def schema(conn: sqlite3.Connection) -> None:
                conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT)")
                conn.execute(
                    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
                )
                conn.execute("INSERT INTO parent DEFAULT VALUES")
                conn.execute("INSERT INTO child (parent_id) VALUES (1)")

            await engine.write(schema)
            await SqliteStsRepository(engine).save_session(session())
            migrations_before = count(engine, "schema_migrations")

            await engine.reset()

            for table in ("parent", "child", "sts_sessions"):
                assert count(engine, table) == 0
            assert count(engine, "schema_migrations") == migrations_before >= 1
            new_id = await engine.write(
                lambda conn: conn.execute("INSERT INTO parent DEFAULT VALUES").lastrowid
            )
            assert new_id == 1  # AUTOINCREMENT counters are reset too
            await engine.write(lambda conn: conn.execute("INSERT INTO child (parent_id) VALUES (1)"))
            with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced again after the reset
                await engine.write(lambda conn: conn.execute("INSERT INTO child (parent_id) VALUES (99)"))

    async def test_packaged_migrations_are_applied_once_and_recorded(self, backend: Backend) -> None:
        expected = [(m.version, m.name) for m in load_migrations(packaged_migrations())]
        assert expected[0] == (1, "init")

        def recorded(conn: sqlite3.Connection) -> list[tuple[int, str]]:
            return conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()

        async with backend.engine() as engine:
            assert engine.read(recorded) == expected
            assert count(engine, "sts_sessions") == 0
        if backend.is_file:
            async with backend.engine() as engine:  # a second start applies nothing again
                assert engine.read(recorded) == expected

    async def test_migrations_apply_in_order_and_a_failing_file_leaves_no_trace(
        self, backend: Backend, tmp_path: Path
    ) -> None:
        folder = tmp_path / "migrations"
        folder.mkdir()
        (folder / "0002_fill.sql").write_text(
            "INSERT INTO a VALUES (1); -- needs 0001 first;\nINSERT INTO a VALUES (2);"
        )
        (folder / "0001_create.sql").write_text("CREATE TABLE a (x INTEGER);\n")
        (folder / "README.md").write_text("not a migration")

        async with backend.engine(migrations=folder) as engine:
            assert count(engine, "a") == 2

        (folder / "0003_broken.sql").write_text(
            "CREATE TABLE b (y INTEGER);\nINSERT INTO missing VALUES (1);"
        )
        broken = backend.engine(migrations=folder)
        with pytest.raises(RuntimeError, match="0003_broken"):
            await broken.start()
        with pytest.raises(EngineClosedError):
            await broken.write(lambda conn: None)

        if backend.is_file:
            (folder / "0003_broken.sql").unlink()
            (folder / "0003_fixed.sql").write_text("CREATE TABLE c (z INTEGER);")
            async with backend.engine(migrations=folder) as engine:
                tables = engine.read(
                    lambda conn: {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                )
                assert "b" not in tables and "c" in tables
                assert count(engine, "a") == 2  # 0002 was not run twice
                versions = engine.read(
                    lambda conn: conn.execute("SELECT version FROM schema_migrations").fetchall()
                )
                assert versions == [(1,), (2,), (3,)]

    async def test_close_finishes_queued_writes_and_a_restart_keeps_data(self, backend: Backend) -> None:
        engine = backend.engine()
        await engine.start()
        await engine.write(lambda conn: conn.execute(KV_TABLE))
        tasks = await queued(*(engine.write(put(f"k{i}")) for i in range(20)))
        await engine.close()
        assert all(task.done() and not task.exception() for task in tasks)
        with pytest.raises(EngineClosedError):
            await engine.write(put("late"))
        with pytest.raises(EngineClosedError):
            count(engine, "kv")

        if backend.is_file:
            assert Path(backend.path).exists()
            async with backend.engine() as engine:
                assert count(engine, "kv") == 20

    async def test_the_wal_stays_bounded_under_writes_that_never_pause(
        self, backend: Backend, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if not backend.is_file:
            pytest.skip("no WAL in memory")
        monkeypatch.setattr(engine_module, "WAL_CATCH_UP_FRAMES", 64)
        monkeypatch.setattr(engine_module, "WAL_SIZE_LIMIT_BYTES", 256 * 1024)
        monkeypatch.setattr(engine_module, "CHECKPOINT_EVERY_COMMITS", 20)
        wal = Path(backend.path + "-wal")
        async with backend.engine() as engine:
            await engine.write(lambda conn: conn.execute(KV_TABLE))
            sizes: list[int] = []

            async def writer(n: int) -> None:
                for i in range(600):
                    # Each write replaces a 4 KB value; four writers keep the commits from ever pausing.
                    await engine.write(_upsert(f"w{n}-{i % 10}"))
                    sizes.append(wal.stat().st_size if wal.exists() else 0)

            await asyncio.gather(*(writer(n) for n in range(4)))
            # The WAL was rewound and truncated again and again (a file that never rewinds never shrinks),
            # and stayed well short of what ~600 commits of ~9 pages each reach without it: 20 MB.
            # (How far it gets between catch-ups depends on when the checkpointer thread runs.)
            rewinds = sum(1 for before, after in itertools.pairwise(sizes) if after < before)
            assert rewinds >= 3, rewinds
            assert max(sizes) < 12 * 1024 * 1024, max(sizes)
            assert count(engine, "kv") == 40

    async def test_connection_settings(self, backend: Backend) -> None:
        async with backend.engine() as engine:

            def pragma(name: str) -> Any:
                return engine.read(lambda conn: conn.execute(f"PRAGMA {name}").fetchone()[0])

            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") > 0
            if backend.is_file:
                assert pragma("journal_mode") == "wal"
            expected_sync = {"normal": 1, "full": 2}[backend.durability]
            assert (
                await engine.write(lambda conn: conn.execute("PRAGMA synchronous").fetchone()[0])
                == expected_sync
            )

    async def test_sts_repository_round_trips_a_session(self, backend: Backend) -> None:
        async with backend.engine() as engine:
            repository = SqliteStsRepository(engine)
            assert repository.find_session("ASIANOTHERE") is None
            await repository.save_session(session())
            assert repository.find_session("ASIAEXAMPLE0000001") == session()
            renewed = session(expiration=1_700_007_200.0)
            await repository.save_session(renewed)
            assert repository.find_session("ASIAEXAMPLE0000001") == renewed
            assert count(engine, "sts_sessions") == 1


def test_sts_columns_follow_the_dataclass_fields() -> None:
    assert tuple(field.name for field in dataclasses.fields(SessionCredentials)) == _COLUMNS


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    script = """
        CREATE TABLE a (x TEXT); -- a comment; with a semicolon
        CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 'x;y'; SELECT 1; END;
        INSERT INTO a VALUES ('no trailing semicolon')
        -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 3
    conn = sqlite3.connect(":memory:")
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def test_unknown_durability_is_refused() -> None:
    with pytest.raises(ValueError, match="durability"):
        Engine(":memory:", "eventual")
