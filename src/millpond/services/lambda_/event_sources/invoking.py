"""Invoking a mapping's function with a batch: synchronously, through Lambda's invoke path, holding a slot
of the function's reserved concurrency (waiting for one, never refused unless it is 0)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from millpond.errors import AwsError
from millpond.services.lambda_.event_sources.metrics import EventSourceMetrics
from millpond.services.lambda_.invoke import Invoker, Target

log = logging.getLogger("millpond.lambda.event_sources")


@dataclass(frozen=True, slots=True)
class Result:
    """How one invocation went: ok (the function returned), its payload, or why it did not run."""

    ok: bool
    payload: bytes = b""
    function_error: str | None = None
    throttled: bool = False  # refused for concurrency: retried without counting as an attempt
    missing: bool = False  # the function no longer exists


class Caller:
    def __init__(self, invoker: Invoker, metrics: EventSourceMetrics, region: str, account: str) -> None:
        self.invoker = invoker
        self.metrics = metrics
        self.region = region
        self.account = account

    def target(self, document: dict[str, Any]) -> Target | None:
        try:
            return self.invoker.resolve(
                self.region, self.account, document["_FunctionName"], document["_Qualifier"]
            )
        except AwsError:
            return None

    def reserved(self, document: dict[str, Any]) -> int | None:
        target = self.target(document)
        return None if target is None else target.record.reserved_concurrency

    async def invoke(self, document: dict[str, Any], event: dict[str, Any], events: int) -> Result:
        target = self.target(document)
        if target is None:
            return Result(False, missing=True)
        payload = json.dumps(event).encode()
        name = target.record.name
        self.metrics.concurrency(name, self.invoker.concurrency.in_flight.get(name, 0) + 1)
        try:
            _, outcome = await self.invoker.run(target, self.region, payload, wait=True)
        except AwsError as error:
            if error.code == "TooManyRequestsException":
                return Result(False, throttled=True)
            log.warning("event source mapping %s could not invoke %s: %s", document["UUID"], name, error)
            return Result(False, function_error="Unhandled")
        failed = outcome.function_error is not None
        self.metrics.invocation(document["UUID"], name, events, error=failed)
        return Result(not failed, outcome.payload, outcome.function_error)
