"""The Kinesis poller of one mapping: one reader per shard, children started once their parents are done.

Each shard reader resumes from its durable checkpoint, waits for records (woken by the stream's puts, never
on a timer), gathers up to BatchSize for up to MaximumBatchingWindowInSeconds of clock time, drops what the
filters reject, and hands the batch to the batch processor (kinesis_batches.py), spread over
ParallelizationFactor lanes by partition key. The checkpoint moves past a batch only once every record of
it was processed or given up on, so a restart never skips a record.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable
from typing import Any

from millpond.clock import Clock
from millpond.services.kinesis.repository import Record, Shard, Stream
from millpond.services.lambda_.event_sources import filtering
from millpond.services.lambda_.event_sources.events import kinesis_record
from millpond.services.lambda_.event_sources.kinesis_batches import BatchProcessor, Stopped
from millpond.services.lambda_.event_sources.metrics import EventSourceMetrics
from millpond.services.lambda_.event_sources.params import SourceArn
from millpond.services.lambda_.event_sources.repository import Checkpoint, EventSourceRepository
from millpond.services.lambda_.event_sources.sources import KinesisSource

log = logging.getLogger("millpond.lambda.event_sources")

MAX_BATCH_BYTES = 6_291_456 // 2  # base64 grows data by a third: stay under the 6 MB invoke payload
RECHECK_SECONDS = 1.0


def initial_checkpoints(
    source: KinesisSource, stream: Stream, position: str, timestamp: float | None
) -> list[Checkpoint]:
    """Where a new mapping starts on each shard: LATEST, TRIM_HORIZON or AT_TIMESTAMP."""
    checkpoints = []
    latest = source.latest_position()
    for shard in source.shards(stream):
        if position == "LATEST":
            if shard.is_open:
                checkpoints.append(Checkpoint(shard.index, max(shard.starting_position, latest)))
            else:
                checkpoints.append(Checkpoint(shard.index, shard.ending_position or 0, finished=True))
        elif position == "AT_TIMESTAMP" and timestamp is not None:
            done = shard.closed_at is not None and shard.closed_at < timestamp
            checkpoints.append(Checkpoint(shard.index, shard.starting_position, timestamp, finished=done))
        else:
            checkpoints.append(Checkpoint(shard.index, shard.starting_position))
    return checkpoints


class KinesisPoller:
    def __init__(
        self,
        document: dict[str, Any],
        source: SourceArn,
        kinesis: KinesisSource,
        repository: EventSourceRepository,
        make_processor: Callable[[int], BatchProcessor],
        clock: Clock,
        metrics: EventSourceMetrics,
    ) -> None:
        self.document = document
        self.source = source
        self.kinesis = kinesis
        self.repository = repository
        self.make_processor = make_processor
        self.clock = clock
        self.metrics = metrics
        self.uuid: str = document["UUID"]
        self.arn: str = document["EventSourceArn"]
        self.patterns = filtering.parse_filters(document.get("FilterCriteria"))
        self.stopping = False
        self._main: asyncio.Task[None] | None = None
        self._shards: dict[int, asyncio.Task[None]] = {}
        self._busy: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._main = asyncio.create_task(self._supervise())

    async def stop(self, *, graceful: bool) -> None:
        self.stopping = True
        tasks = [t for t in [self._main, *self._shards.values()] if t is not None]
        for task in tasks:
            if not graceful or task not in self._busy:
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- shards --------------------------------------------------------------------------------------------

    async def _supervise(self) -> None:
        while not self.stopping:
            since = self.kinesis.signal.version(self.arn)
            try:
                self._start_ready_shards()
            except Exception:
                log.exception("Kinesis poller of event source mapping %s failed; polling on", self.uuid)
            await self.kinesis.signal.wait(self.arn, since, self.clock.now() + RECHECK_SECONDS * 30)

    def _start_ready_shards(self) -> None:
        stream = self.kinesis.find(self.source)
        if stream is None:
            return
        shards = self.kinesis.shards(stream)
        retained = {s.index for s in shards}
        checkpoints = {c.shard: c for c in self.repository.checkpoints(self.uuid)}
        for shard in shards:
            if shard.index in self._shards:
                continue
            checkpoint = checkpoints.get(shard.index)
            if checkpoint is not None and checkpoint.finished:
                continue
            parents = [p for p in (shard.parent, shard.adjacent_parent) if p is not None and p in retained]
            # Parents are finished before their children are read (aws-facts §5.2).
            if any(not (checkpoints.get(p) and checkpoints[p].finished) for p in parents):
                continue
            if checkpoint is None:
                checkpoint = Checkpoint(shard.index, shard.starting_position)
            self._shards[shard.index] = asyncio.create_task(self._read_shard(stream, shard, checkpoint))

    async def _read_shard(self, stream: Stream, shard: Shard, checkpoint: Checkpoint) -> None:
        processor = self.make_processor(shard.index)
        reader = _ShardReader(self, stream, shard, checkpoint, processor)
        try:
            await reader.run()
        except (Stopped, asyncio.CancelledError):
            return
        except Exception:
            log.exception("shard %s of event source mapping %s failed", shard.index, self.uuid)
        finally:
            self._shards.pop(shard.index, None)
        if not self.stopping:
            self.kinesis.signal.notify(self.arn)  # finished (or failed): look for children / restart


class _ShardReader:
    def __init__(
        self,
        poller: KinesisPoller,
        stream: Stream,
        shard: Shard,
        checkpoint: Checkpoint,
        processor: BatchProcessor,
    ) -> None:
        self.poller = poller
        self.stream = stream
        self.shard = shard
        self.checkpoint = checkpoint
        self.processor = processor
        document = poller.document
        self.batch_size: int = document["BatchSize"]
        self.window: int = document["MaximumBatchingWindowInSeconds"]
        self.tumbling: int = document.get("TumblingWindowInSeconds") or 0
        self.lanes: int = document.get("ParallelizationFactor") or 1

    def _shard_closed(self) -> bool:
        for shard in self.poller.kinesis.shards(self.stream):
            if shard.index == self.shard.index:
                return not shard.is_open
        return True  # trimmed away

    def _window_deadline(self) -> float | None:
        state = self.checkpoint.window_state
        return None if state is None else float(state["start"]) + self.tumbling

    async def run(self) -> None:
        poller = self.poller
        signal, clock = poller.kinesis.signal, poller.clock
        gather_until: float | None = None
        while not poller.stopping:
            since = signal.version(poller.arn)
            started = time.perf_counter()
            records = poller.kinesis.read(
                self.stream,
                self.shard.index,
                self.checkpoint.position,
                self.checkpoint.min_arrival,
                self.batch_size,
                MAX_BATCH_BYTES,
            )
            read_ms = (time.perf_counter() - started) * 1000
            now = clock.now()
            window_end = self._window_deadline()
            if not records:
                if window_end is not None and now >= window_end:
                    await self._close_window()
                    continue
                if self._shard_closed():
                    await self._finish_window()
                    self.checkpoint.finished = True
                    await poller.repository.save_checkpoint(poller.uuid, self.checkpoint)
                    return
                await signal.wait(poller.arn, since, window_end)
                continue
            if len(records) < self.batch_size and self.window > 0:
                if gather_until is None:
                    gather_until = now + self.window
                if now < gather_until:
                    deadline = gather_until if window_end is None else min(gather_until, window_end)
                    await signal.wait(poller.arn, since, deadline)
                    continue
            gather_until = None
            poller.kinesis.count_read(self.stream, self.shard.index, records, read_ms)
            await self._process(records)

    async def _process(self, records: list[Record]) -> None:
        poller = self.poller
        role = self.processor.role()
        shaped = [
            (
                record,
                kinesis_record(
                    record,
                    poller.kinesis.sequence_number(self.stream, self.shard.index, record),
                    self.shard.index,
                    poller.arn,
                    poller.source.region,
                    role,
                ),
            )
            for record in records
        ]
        if poller.patterns:
            kept = [
                pair
                for pair in shaped
                if filtering.matches_any(
                    # Kinesis mappings filter on the data key only (AWS's Kinesis filtering page).
                    poller.patterns,
                    filtering.filterable({}, "data", _text(pair[0].data)),
                )
            ]
            if len(kept) < len(shaped):
                poller.metrics.filtered_out(poller.uuid, len(shaped) - len(kept))
            shaped = kept
        if shaped:
            if self.tumbling:
                await self._process_windows(shaped)
            else:
                lanes: dict[int, list[tuple[Record, dict[str, Any]]]] = {}
                for pair in shaped:
                    # Records of one partition key always share a lane, so each key stays in order.
                    lane = zlib.crc32(pair[0].partition_key.encode()) % self.lanes if self.lanes > 1 else 0
                    lanes.setdefault(lane, []).append(pair)
                await self._busy(asyncio.gather(*(self.processor.deliver(batch) for batch in lanes.values())))
            age = (poller.clock.now() - records[-1].arrival) * 1000
            poller.metrics.iterator_age(poller.uuid, poller.document["_FunctionName"], max(0.0, age))
        self.checkpoint.position = records[-1].position
        self.checkpoint.min_arrival = 0.0
        await poller.repository.save_checkpoint(poller.uuid, self.checkpoint)

    async def _busy(self, work: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        self.poller._busy.add(task)
        try:
            return await work
        finally:
            self.poller._busy.discard(task)

    # -- tumbling windows ----------------------------------------------------------------------------------

    async def _process_windows(self, shaped: list[tuple[Record, dict[str, Any]]]) -> None:
        groups: list[tuple[float, list[tuple[Record, dict[str, Any]]]]] = []
        for pair in shaped:
            # Windows follow the records' arrival times (aws-facts §5.5).
            start = float(int(pair[0].arrival // self.tumbling) * self.tumbling)
            if groups and groups[-1][0] == start:
                groups[-1][1].append(pair)
            else:
                groups.append((start, [pair]))
        for start, group in groups:
            current = self.checkpoint.window_state
            if current is not None and float(current["start"]) != start:
                await self._finish_window()
            state = (self.checkpoint.window_state or {}).get("state") or {}
            new_state = await self._busy(
                self.processor.deliver_window(group, start, self.tumbling, state, final=False)
            )
            self.checkpoint.window_state = {"start": start, "state": new_state}

    async def _finish_window(self) -> None:
        current = self.checkpoint.window_state
        if current is None:
            return
        await self._busy(
            self.processor.deliver_window(
                [], float(current["start"]), self.tumbling, current["state"], final=True
            )
        )
        self.checkpoint.window_state = None

    async def _close_window(self) -> None:
        await self._finish_window()
        await self.poller.repository.save_checkpoint(self.poller.uuid, self.checkpoint)


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
