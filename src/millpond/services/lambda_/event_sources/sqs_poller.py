"""The SQS poller of one mapping: lanes that each gather a batch and invoke the function with it.

A lane long-polls the queue (woken by the queue's notifier, never on a timer), fills its batch for up to
MaximumBatchingWindowInSeconds of clock time, drops what the filters reject (deleting it, as AWS does),
invokes synchronously and deletes what succeeded. Failed messages stay in flight and come back after the
queue's visibility timeout; the queue's redrive policy dead-letters them. The number of lanes is the
mapping's MaximumConcurrency (else AWS's initial 5 concurrent batches), further capped by the function's
reserved concurrency. On a FIFO queue the queue itself keeps one batch per message group in flight.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from millpond.clock import Clock
from millpond.services.lambda_.event_sources import filtering
from millpond.services.lambda_.event_sources.events import failed_items, sqs_record
from millpond.services.lambda_.event_sources.invoking import Caller
from millpond.services.lambda_.event_sources.metrics import EventSourceMetrics
from millpond.services.lambda_.event_sources.params import REPORT_BATCH_ITEM_FAILURES, SourceArn
from millpond.services.lambda_.event_sources.sources import SqsSource

log = logging.getLogger("millpond.lambda.event_sources")

DEFAULT_LANES = 5  # AWS starts an SQS mapping with 5 concurrent batches
MAX_PAYLOAD = 6_291_456  # the synchronous invoke limit: batches are cut short to stay under it
LONG_POLL_SECONDS = 20
IDLE_RECHECK_SECONDS = 1.0


class SqsPoller:
    def __init__(
        self,
        document: dict[str, Any],
        source: SourceArn,
        sqs: SqsSource,
        caller: Caller,
        clock: Clock,
        metrics: EventSourceMetrics,
    ) -> None:
        self.document = document
        self.source = source
        self.sqs = sqs
        self.caller = caller
        self.clock = clock
        self.metrics = metrics
        self.uuid: str = document["UUID"]
        self.batch_size: int = document["BatchSize"]
        self.window: int = document["MaximumBatchingWindowInSeconds"]
        self.report_failures = REPORT_BATCH_ITEM_FAILURES in document.get("FunctionResponseTypes", [])
        self.patterns = filtering.parse_filters(document.get("FilterCriteria"))
        self.max_lanes: int = (document.get("ScalingConfig") or {}).get("MaximumConcurrency") or DEFAULT_LANES
        self.stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._lane(index)) for index in range(self.max_lanes)]

    async def stop(self, *, graceful: bool) -> None:
        """Stop polling at once; with `graceful`, let invocations already running finish."""
        self.stopping = True
        for task in self._tasks:
            if not graceful or task not in self._busy:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _lanes_allowed(self) -> int:
        reserved = self.caller.reserved(self.document)
        return self.max_lanes if reserved is None else min(self.max_lanes, reserved)

    async def _lane(self, index: int) -> None:
        leftover: list[dict[str, Any]] = []
        while not self.stopping:
            try:
                if index >= self._lanes_allowed():
                    await self.clock.sleep(IDLE_RECHECK_SECONDS)
                    continue
                batch, leftover = await self._gather(leftover)
                if batch and not self.stopping:
                    task = asyncio.current_task()
                    assert task is not None
                    self._busy.add(task)
                    try:
                        await self._process(batch)
                    finally:
                        self._busy.discard(task)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SQS poller of event source mapping %s failed; polling on", self.uuid)
                await self.clock.sleep(IDLE_RECHECK_SECONDS)

    async def _receive(self, wanted: int, wait: int) -> list[dict[str, Any]]:
        return await self.sqs.receive(self.source, min(10, wanted), wait)

    async def _gather(
        self, leftover: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A batch of records (filtered), and the messages left over for the next one (payload limit)."""
        messages = leftover
        if not messages:
            since = self.sqs.version(self.source)
            messages = await self._receive(self.batch_size, LONG_POLL_SECONDS)
            if not messages:
                if since is not None:  # nothing came (or the queue is closing): wait for a change, not a spin
                    await self.sqs.wait(self.source, since, self.clock.now() + IDLE_RECHECK_SECONDS)
                else:
                    await self.clock.sleep(IDLE_RECHECK_SECONDS)
                return [], []
        deadline = self.clock.now() + self.window
        while self.window > 0 and len(messages) < self.batch_size and not self.stopping:
            since = self.sqs.version(self.source)
            more = await self._receive(self.batch_size - len(messages), 0)
            if more:
                messages += more
                continue
            if self.clock.now() >= deadline or since is None:
                break
            await self.sqs.wait(self.source, since, deadline)
        return await self._records(messages)

    async def _records(
        self, messages: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        records: list[dict[str, Any]] = []
        rejected: list[str] = []
        size = len('{"Records":[]}')
        for position, message in enumerate(messages):
            record = sqs_record(message, self.document["EventSourceArn"], self.source.region)
            if self.patterns and not filtering.matches_any(
                self.patterns, filtering.filterable(record, "body", record["body"])
            ):
                rejected.append(record["receiptHandle"])
                continue
            length = len(json.dumps(record)) + 1
            if records and size + length > MAX_PAYLOAD:
                leftover = messages[position:]
                break
            size += length
            records.append(record)
        else:
            leftover = []
        if rejected:
            # Messages the filters reject are deleted from the queue (aws-facts §4.1).
            self.metrics.filtered_out(self.uuid, len(rejected))
            await self.sqs.delete(self.source, rejected)
        return records, leftover

    async def _process(self, records: list[dict[str, Any]]) -> None:
        result = await self.caller.invoke(self.document, {"Records": records}, len(records))
        if not result.ok:
            if result.missing:
                await self.clock.sleep(IDLE_RECHECK_SECONDS)
            return  # nothing deleted: the batch comes back after the visibility timeout
        done = records
        if self.report_failures:
            failed = failed_items(result.payload, {r["messageId"] for r in records})
            if failed is None:
                return  # a malformed response fails the whole batch
            done = [r for r in records if r["messageId"] not in failed]
        if done:
            await self.sqs.delete(self.source, [r["receiptHandle"] for r in done])
