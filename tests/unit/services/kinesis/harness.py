"""A KinesisProvider over a real in-memory SQLite engine and a ManualClock, called without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from botocore import xform_name

from millpond.clock import ManualClock
from millpond.context import RequestContext
from millpond.services.kinesis.core import KinesisOptions
from millpond.services.kinesis.metrics import MemoryMetricSink
from millpond.services.kinesis.provider import KinesisProvider
from millpond.storage.engine import MEMORY, Engine
from millpond.storage.kinesis import SqliteKinesisRepository

CTX = RequestContext(account_id="000000000000", region="us-east-1", request_id="r", endpoint_url="http://x")


class Kinesis:
    def __init__(self, engine: Engine, clock: ManualClock, options: KinesisOptions) -> None:
        self.engine = engine
        self.clock = clock
        self.metrics = MemoryMetricSink()
        self.provider = KinesisProvider(SqliteKinesisRepository(engine), clock, options, self.metrics)

    async def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        result = getattr(self.provider, xform_name(operation))(CTX, params)
        if asyncio.iscoroutine(result):
            result = await result
        assert isinstance(result, dict)
        return result

    async def stream(self, name: str, shards: int = 1) -> None:
        await self("CreateStream", StreamName=name, ShardCount=shards)

    async def read_all(
        self, name: str, shard: str, kind: str = "TRIM_HORIZON", **extra: Any
    ) -> list[dict[str, Any]]:
        iterator = (
            await self("GetShardIterator", StreamName=name, ShardId=shard, ShardIteratorType=kind, **extra)
        )["ShardIterator"]
        records: list[dict[str, Any]] = []
        while iterator:
            page = await self("GetRecords", ShardIterator=iterator)
            records += page["Records"]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        return records


def run(scenario: Callable[[Kinesis], Awaitable[None]], **options: Any) -> None:
    async def main() -> None:
        engine = Engine(MEMORY)
        await engine.start()
        try:
            kinesis = Kinesis(engine, ManualClock(), KinesisOptions(**options))
            await scenario(kinesis)
            await kinesis.provider.close()
        finally:
            await engine.close()

    asyncio.run(main())
