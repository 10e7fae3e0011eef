"""The warm invoke path's shortcuts: the record cache (hits, and invalidation by every write) and the
batched, delayed write of functions' output."""

from __future__ import annotations

import asyncio
from typing import Any

from millpond.clock import ManualClock
from millpond.services.lambda_.record_cache import CachedLambdaRepository
from millpond.services.lambda_.repository import FunctionRecord
from millpond.services.lambda_.runtime import pool
from millpond.services.lambda_.runtime.pool import ProcessRuntime
from millpond.services.lambda_.runtime.types import Credentials, FunctionSpec
from millpond.storage.engine import MEMORY, Engine
from millpond.storage.lambda_ import SqliteLambdaRepository


class CountingRepository(SqliteLambdaRepository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.reads = 0

    def get_function(self, name: str) -> FunctionRecord | None:
        self.reads += 1
        return super().get_function(name)


def _record(name: str) -> FunctionRecord:
    return FunctionRecord(name, {"FunctionName": name, "CodeSha256": "abc", "RevisionId": "r1"})


def test_records_are_read_once_and_dropped_by_every_write() -> None:
    async def scenario() -> None:
        async with Engine(MEMORY) as engine:
            inner = CountingRepository(engine)
            cache = CachedLambdaRepository(inner)
            assert cache.get_function("f") is None and cache.get_function("f") is None
            assert inner.reads == 2  # a miss is not remembered
            await cache.create_function(_record("f"), b"zip")
            first = cache.get_function("f")
            assert first is cache.get_function("f") and inner.reads == 3

            def change(record: FunctionRecord) -> None:
                record.config["RevisionId"] = "r2"

            await cache.update_function("f", change)
            changed = cache.get_function("f")
            assert changed is not None and changed.config["RevisionId"] == "r2"

            def make(record: FunctionRecord, newest: dict[str, Any] | None) -> dict[str, Any]:
                record.last_version += 1
                return {**record.config, "Version": str(record.last_version)}

            await cache.publish_version("f", make)
            assert cache.get_version("f", 1) is cache.get_version("f", 1)
            published = cache.get_function("f")
            assert published is not None and published.last_version == 1
            await cache.put_alias("f", "live", {"Name": "live", "FunctionVersion": "1"}, create=True)
            assert cache.get_alias("f", "live") == {"Name": "live", "FunctionVersion": "1"}
            await cache.put_alias("f", "live", {"Name": "live", "FunctionVersion": "$LATEST"}, create=False)
            assert cache.get_alias("f", "live") == {"Name": "live", "FunctionVersion": "$LATEST"}
            await cache.delete_alias("f", "live")
            assert cache.get_alias("f", "live") is None
            await cache.delete_version("f", 1)
            assert cache.get_version("f", 1) is None
            await cache.delete_function("f")
            assert cache.get_function("f") is None

    asyncio.run(scenario())


def test_clear_forgets_everything() -> None:
    async def scenario() -> None:
        async with Engine(MEMORY) as engine:
            inner = CountingRepository(engine)
            cache = CachedLambdaRepository(inner)
            await cache.create_function(_record("f"), b"zip")
            cache.get_function("f")
            await engine.reset()  # rows deleted underneath the cache, as System.reset does
            cache.clear()
            assert cache.get_function("f") is None

    asyncio.run(scenario())


async def _no_credentials(spec: FunctionSpec) -> Credentials:
    return Credentials("a", "b", "c")


def test_output_is_written_after_a_delay_one_write_per_stream_in_order() -> None:
    writes: list[tuple[str, str, list[tuple[int, str]]]] = []

    async def writer(group: str, stream: str, events: list[tuple[int, str]]) -> None:
        writes.append((group, stream, events))

    async def scenario() -> None:
        runtime = ProcessRuntime(ManualClock(), lambda sha: None, None, "http://x", _no_credentials, writer)
        runtime._emit("g", "s1", [(1, "START")])
        runtime._emit("g", "s2", [(1, "other")])
        runtime._emit("g", "s1", [(2, "line"), (3, "END")])
        await asyncio.sleep(0)
        assert writes == []  # not on the invoke's critical path
        await asyncio.sleep(pool.LOG_DELAY * 5)
        assert writes == [("g", "s1", [(1, "START"), (2, "line"), (3, "END")]), ("g", "s2", [(1, "other")])]
        runtime._emit("g", "s1", [(4, "late")])
        await runtime.close()  # what is still waiting is stored before the runtime stops
        assert writes[-1] == ("g", "s1", [(4, "late")])
        assert runtime._backlog == 0

    asyncio.run(scenario())
