"""Processing one batch of a shard as AWS does: synchronous invoke, retries until success, record age or
attempts run out, BisectBatchOnFunctionError, ReportBatchItemFailures, tumbling window state, and the
OnFailure record for records given up on.

Throttles and a missing function are retried without counting as attempts (aws-facts §5.2); splitting a
batch does not count as an attempt either.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from millpond.clock import Clock
from millpond.services.kinesis.names import shard_id
from millpond.services.kinesis.repository import Record
from millpond.services.lambda_.event_sources.events import failed_items, iso_seconds, on_failure_record
from millpond.services.lambda_.event_sources.invoking import Caller, Result
from millpond.services.lambda_.event_sources.params import REPORT_BATCH_ITEM_FAILURES

log = logging.getLogger("millpond.lambda.event_sources")

Pair = tuple[Record, dict[str, Any]]  # a stored record and its event record
# (destination ARN, message body, message attributes) -> delivered
SendToDestination = Callable[[str, str, dict[str, str]], Awaitable[None]]
MAX_BACKOFF = 5.0


class Stopped(Exception):
    """The mapping was disabled or deleted while a batch was being retried: leave the checkpoint alone."""


class BatchProcessor:
    def __init__(
        self,
        document: dict[str, Any],
        shard: int,
        caller: Caller,
        clock: Clock,
        send: SendToDestination | None,
        is_stopping: Callable[[], bool],
        report: Callable[[str], None],
    ) -> None:
        self.document = document
        self.shard = shard
        self.caller = caller
        self.clock = clock
        self.send = send
        self.is_stopping = is_stopping
        self.report = report  # LastProcessingResult
        self.arn: str = document["EventSourceArn"]
        self.bisect = bool(document.get("BisectBatchOnFunctionError"))
        self.max_retries: int = document.get("MaximumRetryAttempts", -1)
        self.max_age: int = document.get("MaximumRecordAgeInSeconds", -1)
        self.report_failures = REPORT_BATCH_ITEM_FAILURES in document.get("FunctionResponseTypes", [])

    def role(self) -> str:
        target = self.caller.target(self.document)
        return "" if target is None else str(target.config.get("Role", ""))

    async def _invoke(self, event: dict[str, Any], count: int) -> Result:
        """Invoke until the function runs (throttles and a missing function wait and try again)."""
        delay = 0.1
        while True:
            if self.is_stopping():
                raise Stopped
            result = await self.caller.invoke(self.document, event, count)
            if not (result.throttled or result.missing):
                return result
            if result.missing:
                self.report("PROBLEM: Function not found.")  # [unsure] AWS's exact words
            await self.clock.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    def _failed_from(self, result: Result, part: list[Pair]) -> int | None:
        """None when the batch succeeded; else the index in `part` to retry from."""
        if not result.ok:
            return 0
        if not self.report_failures:
            return None
        numbers = [pair[1]["kinesis"]["sequenceNumber"] for pair in part]
        failed = failed_items(result.payload, numbers)
        if failed is None:
            return 0
        if not failed:
            return None
        # The checkpoint moves to the lowest failed sequence number (aws-facts §5.4).
        return min(numbers.index(number) for number in failed)

    async def deliver(self, batch: list[Pair]) -> None:
        """Process a batch to the end: success, or retries/age exhausted (then OnFailure)."""
        pending: list[tuple[list[Pair], int, int]] = [(batch, 0, 0)]  # (records, retries, invocations)
        while pending:
            part, retries, invocations = pending.pop(0)
            result = await self._invoke({"Records": [pair[1] for pair in part]}, len(part))
            invocations += 1
            start = self._failed_from(result, part)
            if start is None:
                self.report("OK")
                continue
            self.report("PROBLEM: Function call failed")
            part = part[start:]
            if self.bisect and len(part) > 1:
                half = len(part) // 2
                pending[0:0] = [(part[:half], retries, 0), (part[half:], retries, 0)]
                continue
            condition = self._give_up(part, retries + 1)
            if condition is not None:
                # functionError only when the function raised, not when it reported batchItemFailures.
                await self._on_failure(part, condition, invocations, result.function_error)
                continue
            await self.clock.sleep(min(0.1 * 2**retries, MAX_BACKOFF))
            pending.insert(0, (part, retries + 1, invocations))

    def _give_up(self, part: list[Pair], retries: int) -> str | None:
        if self.max_age != -1 and self.clock.now() - part[0][0].arrival > self.max_age:
            return "RecordAgeExceeded"
        if self.max_retries != -1 and retries > self.max_retries:
            return "RetryAttemptsExhausted"
        return None

    async def _on_failure(
        self, part: list[Pair], condition: str, invocations: int, error: str | None
    ) -> None:
        destination = ((self.document.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        first, last = part[0], part[-1]
        log.info(
            "event source mapping %s skipped %d records of %s (%s)",
            self.document["UUID"],
            len(part),
            shard_id(self.shard),
            condition,
        )
        if not destination or self.send is None:
            return
        body = on_failure_record(
            function_arn=self.document["FunctionArn"],
            condition=condition,
            invoke_count=invocations,
            function_error=error,
            now=self.clock.now(),
            shard=self.shard,
            first=(first[1]["kinesis"]["sequenceNumber"], first[0].arrival),
            last=(last[1]["kinesis"]["sequenceNumber"], last[0].arrival),
            batch_size=len(part),
            stream_arn=self.arn,
        )
        try:
            await self.send(destination, json.dumps(body), {})
        except Exception:
            log.exception(
                "could not send the OnFailure record of %s to %s", self.document["UUID"], destination
            )

    # -- tumbling windows ----------------------------------------------------------------------------------

    async def deliver_window(
        self, batch: list[Pair], start: float, length: int, state: dict[str, Any], *, final: bool
    ) -> dict[str, Any]:
        """Invoke with the window's state; return the state the function hands back (retried like a batch)."""
        retries = 0
        while True:
            event = {
                "Records": [pair[1] for pair in batch],
                "window": {"start": iso_seconds(start), "end": iso_seconds(start + length)},
                "state": state,
                "shardId": shard_id(self.shard),
                "eventSourceARN": self.arn,
                "isFinalInvokeForWindow": final,
                "isWindowTerminatedEarly": False,
            }
            result = await self._invoke(event, len(batch))
            new_state = _window_state(result)
            if new_state is not None:
                self.report("OK")
                return new_state
            self.report("PROBLEM: Function call failed")
            retries += 1
            if batch and self._give_up(batch, retries) is not None:
                condition = self._give_up(batch, retries) or ""
                await self._on_failure(batch, condition, retries, result.function_error or "Unhandled")
                return state
            if not batch and self.max_retries != -1 and retries > self.max_retries:
                return state
            await self.clock.sleep(min(0.1 * 2 ** (retries - 1), MAX_BACKOFF))


def _window_state(result: Result) -> dict[str, Any] | None:
    # A tumbling window function must return {"state": {...}}; anything else counts as a failure.
    if not result.ok:
        return None
    try:
        response = json.loads(result.payload or b"null")
    except ValueError:
        return None
    if not isinstance(response, dict) or not isinstance(response.get("state"), dict):
        return None
    state: dict[str, Any] = response["state"]
    return state
