"""The pollers of this node: one per enabled mapping, started when the system is built, replaced when a
mapping changes, stopped when it is disabled or deleted (and all of them on close or reset).

Applying a change is what moves a mapping from Creating, Updating, Enabling or Disabling to Enabled or
Disabled, as AWS does a moment after the API call answers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from millpond.clock import Clock
from millpond.services.lambda_.event_sources.invoking import Caller
from millpond.services.lambda_.event_sources.kinesis_batches import BatchProcessor, SendToDestination
from millpond.services.lambda_.event_sources.kinesis_poller import KinesisPoller
from millpond.services.lambda_.event_sources.metrics import EventSourceMetrics
from millpond.services.lambda_.event_sources.params import SQS, parse_source_arn, settled_state
from millpond.services.lambda_.event_sources.repository import EventSourceRepository
from millpond.services.lambda_.event_sources.sources import KinesisSource, SqsSource
from millpond.services.lambda_.event_sources.sqs_poller import SqsPoller

log = logging.getLogger("millpond.lambda.event_sources")


class Poller(Protocol):
    stopping: bool

    def start(self) -> None: ...

    async def stop(self, *, graceful: bool) -> None: ...


class Supervisor:
    def __init__(
        self,
        repository: EventSourceRepository,
        caller: Caller,
        clock: Clock,
        metrics: EventSourceMetrics,
        sqs: SqsSource | None,
        kinesis: KinesisSource | None,
        send: SendToDestination | None,
    ) -> None:
        self.repository = repository
        self.caller = caller
        self.clock = clock
        self.metrics = metrics
        self.sqs = sqs
        self.kinesis = kinesis
        self.send = send
        self._pollers: dict[str, Poller] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._results: dict[str, str] = {}

    def start(self) -> None:
        """Start the pollers of every stored mapping (at startup: they resume where they left off)."""
        for document in self.repository.list_mappings():
            self.schedule(document["UUID"])

    def running(self, uuid: str) -> bool:
        return uuid in self._pollers

    def schedule(self, uuid: str) -> None:
        """Apply the mapping's stored document soon: stop its poller, start a new one if it is enabled."""
        current = self._pollers.get(uuid)
        if current is not None:
            current.stopping = True  # no new invocations from here on
        self._spawn(self._apply(uuid))

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply(self, uuid: str) -> None:
        lock = self._locks.setdefault(uuid, asyncio.Lock())
        async with lock:
            old = self._pollers.pop(uuid, None)
            if old is not None:
                await old.stop(graceful=True)
            document = self.repository.get_mapping(uuid)
            if document is None:
                self._locks.pop(uuid, None)
                self._results.pop(uuid, None)
                return
            if document["_Enabled"]:
                poller = self._build(document)
                if poller is not None:
                    poller.start()
                    self._pollers[uuid] = poller
            settled = settled_state(document)
            if document["State"] != settled:
                await self._save(uuid, State=settled)

    async def _save(self, uuid: str, **changes: Any) -> None:
        document = self.repository.get_mapping(uuid)
        if document is not None:
            document.update(changes)
            await self.repository.save_mapping(document)

    def _build(self, document: dict[str, Any]) -> Poller | None:
        source = parse_source_arn(document["EventSourceArn"])
        if source.kind == SQS:
            if self.sqs is None:
                return None
            return SqsPoller(document, source, self.sqs, self.caller, self.clock, self.metrics)
        if self.kinesis is None:
            return None
        uuid = document["UUID"]
        poller: KinesisPoller | None = None

        def processor(shard: int) -> BatchProcessor:
            return BatchProcessor(
                document,
                shard,
                self.caller,
                self.clock,
                self.send,
                lambda: poller is None or poller.stopping,
                lambda result: self._report(uuid, result),
            )

        poller = KinesisPoller(
            document, source, self.kinesis, self.repository, processor, self.clock, self.metrics
        )
        return poller

    def _report(self, uuid: str, result: str) -> None:
        """LastProcessingResult, stored only when it changes."""
        if self._results.get(uuid) == result:
            return
        self._results[uuid] = result
        self._spawn(self._save(uuid, LastProcessingResult=result))

    async def remove(self, uuid: str) -> None:
        """The mapping is deleted: its poller stops (invocations already running finish)."""
        self.schedule(uuid)

    async def close(self) -> None:
        pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            poller.stopping = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(p.stop(graceful=False) for p in pollers), return_exceptions=True)
        self._locks.clear()
        self._results.clear()

    async def reset(self) -> None:
        await self.close()
