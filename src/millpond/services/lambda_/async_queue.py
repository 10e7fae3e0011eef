"""Event (async) invocations: queued durably, run in the background, retried, then sent to destinations.

Lambda retries a failed event twice (about 1 then 2 minutes apart, read from the injected clock), drops
events older than MaximumEventAgeInSeconds, and sends the record to OnSuccess / OnFailure destinations
or, failing those, to the function's dead-letter queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from millpond.clock import Clock
from millpond.errors import AwsError
from millpond.services.lambda_.invoke import Invoker, Target
from millpond.services.lambda_.repository import AsyncEvent, LambdaRepository
from millpond.services.lambda_.runtime.types import InvokeOutcome

log = logging.getLogger("millpond.lambda")

RETRY_DELAYS = (60.0, 120.0)
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21_600
POLL = 0.5

# (destination ARN, message body, message attributes) -> delivered
SendToDestination = Callable[[str, str, dict[str, str]], Awaitable[None]]


class AsyncQueue:
    def __init__(
        self,
        repository: LambdaRepository,
        invoker: Invoker,
        clock: Clock,
        region: str,
        account: str,
        send: SendToDestination | None,
    ) -> None:
        self.repository = repository
        self.invoker = invoker
        self.clock = clock
        self.region = region
        self.account = account
        self.send = send
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    async def enqueue(self, target: Target, payload: bytes, request_id: str | None = None) -> str:
        rid = request_id or str(uuid.uuid4())
        now = self.clock.now()
        qualifier = target.invoked_arn.split(":")[7] if target.invoked_arn.count(":") == 7 else "$LATEST"
        await self.repository.enqueue_event(
            AsyncEvent(rid, target.record.name, qualifier, payload, 0, now, now)
        )
        if self.invoker.metrics is not None:
            self.invoker.metrics.count("AsyncEventsReceived", target.record.name, None, now)
        self._ensure_running()
        self._wake.set()
        return rid

    def _ensure_running(self) -> None:
        if self._loop is None or self._loop.done():
            self._loop = asyncio.create_task(self._dispatch())

    def start(self) -> None:
        if self.repository.next_event_time() is not None:
            self._ensure_running()

    async def close(self) -> None:
        tasks = [t for t in [self._loop, *self._tasks] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self._loop = None
        self._tasks.clear()
        self._running.clear()

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            for event in self.repository.due_events(self.clock.now(), 50):
                if event.id not in self._running:
                    self._running.add(event.id)
                    task = asyncio.create_task(self._attempt(event))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL)

    async def _attempt(self, event: AsyncEvent) -> None:
        try:
            await self._process(event)
        except Exception:
            log.exception("async invocation %s failed in millpond", event.id)
            await self.repository.finish_event(event.id)
        finally:
            self._running.discard(event.id)

    async def _process(self, event: AsyncEvent) -> None:
        try:
            target = self.invoker.resolve(self.region, self.account, event.name, event.qualifier)
        except AwsError:
            await self.repository.finish_event(event.id)  # the function is gone
            return
        settings = _event_config(target.record.event_invoke_configs, event.qualifier)
        retries = int(settings.get("MaximumRetryAttempts", DEFAULT_RETRIES))
        max_age = int(settings.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE))
        attempts = event.attempts + 1
        if self.clock.now() - event.received_at > max_age:
            await self._deliver(target, event, None, "EventAgeExceeded", event.attempts, settings)
            await self.repository.finish_event(event.id)
            return
        try:
            _, outcome = await self.invoker.run(
                target, self.region, event.payload, wait=True, request_id=event.id
            )
        except AwsError:  # reserved concurrency of 0: throttled, try again later
            await self.repository.reschedule_event(
                event.id, event.attempts, self.clock.now() + RETRY_DELAYS[0]
            )
            return
        if outcome.function_error is None:
            await self._deliver(target, event, outcome, "Success", attempts, settings)
        elif attempts <= retries:
            delay = RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]
            await self.repository.reschedule_event(event.id, attempts, self.clock.now() + delay)
            return
        else:
            await self._deliver(target, event, outcome, "RetriesExhausted", attempts, settings)
        await self.repository.finish_event(event.id)

    async def _deliver(
        self,
        target: Target,
        event: AsyncEvent,
        outcome: InvokeOutcome | None,
        condition: str,
        attempts: int,
        settings: dict[str, Any],
    ) -> None:
        if self.send is None:
            return
        destinations = settings.get("DestinationConfig") or {}
        key = "OnSuccess" if condition == "Success" else "OnFailure"
        destination = (destinations.get(key) or {}).get("Destination")
        try:
            if destination:
                await self.send(
                    destination, json.dumps(_record(target, event, outcome, condition, attempts)), {}
                )
            elif condition != "Success" and (
                dlq := (target.config.get("DeadLetterConfig") or {}).get("TargetArn")
            ):
                error = _error(outcome)
                attributes = {
                    "RequestID": event.id,
                    "ErrorCode": "200",
                    "ErrorMessage": str(error.get("errorMessage", condition))[:1024],
                }
                await self.send(dlq, event.payload.decode("utf-8", "replace"), attributes)
        except Exception:
            log.exception("could not deliver async invocation %s to its destination", event.id)
            if self.invoker.metrics is not None:
                failure = "DestinationDeliveryFailures" if destination else "DeadLetterErrors"
                self.invoker.metrics.count(failure, target.record.name, None, self.clock.now())


def _event_config(configs: dict[str, dict[str, Any]], qualifier: str) -> dict[str, Any]:
    return configs.get(qualifier) or {}


def _error(outcome: InvokeOutcome | None) -> dict[str, Any]:
    if outcome is None:
        return {}
    try:
        found = json.loads(outcome.payload or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _json_or_text(payload: bytes) -> Any:
    try:
        return json.loads(payload or b"null")
    except ValueError:
        return payload.decode("utf-8", "replace")


def _record(
    target: Target, event: AsyncEvent, outcome: InvokeOutcome | None, condition: str, attempts: int
) -> dict[str, Any]:
    arn = target.invoked_arn.rsplit(":", 1)[0] if target.invoked_arn.count(":") == 7 else target.invoked_arn
    # The invocation record Lambda sends to destinations.
    now = datetime.fromtimestamp(event.received_at, UTC)
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "requestContext": {
            "requestId": event.id,
            "functionArn": f"{arn}:{event.qualifier}",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(event.payload),
    }
    if outcome is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": target.version}
        if outcome.function_error:
            response["functionError"] = outcome.function_error
        record["responseContext"] = response
        record["responsePayload"] = _json_or_text(outcome.payload)
    return record
