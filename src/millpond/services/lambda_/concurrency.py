"""Concurrency: in-flight invocations per function and per account, as per-node counters.

Sync invokes beyond a limit are refused (TooManyRequestsException, 429); async and event-source invokes
wait for a slot instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from millpond.errors import AwsError

ACCOUNT_LIMIT = 1000  # default of --lambda-account-concurrency
MIN_UNRESERVED = 100  # AWS keeps at least this much of the account limit unreserved


def throttled(reason: str) -> AwsError:
    return AwsError("TooManyRequestsException", "Rate Exceeded.", fields={"Reason": reason})


class Concurrency:
    def __init__(self, account_limit: int = ACCOUNT_LIMIT) -> None:
        self.account_limit = account_limit
        self.in_flight: dict[str, int] = {}
        self.total = 0
        self._changed = asyncio.Condition()
        self._waiting = 0  # async invokes waiting for a slot: nobody to wake when 0

    @property
    def min_unreserved(self) -> int:
        """What must stay unreserved; an account limited below 100 (AWS's minimum) can reserve nothing."""
        return min(MIN_UNRESERVED, self.account_limit)

    def _refusal(self, name: str, reserved: int | None) -> str | None:
        if reserved is not None and self.in_flight.get(name, 0) >= reserved:
            return "ReservedFunctionConcurrentInvocationLimitExceeded"
        if self.total >= self.account_limit:
            return "ConcurrentInvocationLimitExceeded"
        return None

    def _take(self, name: str) -> None:
        self.in_flight[name] = self.in_flight.get(name, 0) + 1
        self.total += 1

    async def _give_back(self, name: str) -> None:
        self.in_flight[name] -= 1
        if not self.in_flight[name]:
            del self.in_flight[name]
        self.total -= 1
        if self._waiting:
            async with self._changed:
                self._changed.notify_all()

    @asynccontextmanager
    async def slot(self, name: str, reserved: int | None, *, wait: bool) -> AsyncIterator[None]:
        """Hold one execution slot of `name`; refuse at once (sync) or wait for one (async)."""
        reason = self._refusal(name, reserved)
        if reason is not None:
            if not wait or reserved == 0:
                raise throttled(reason)
            self._waiting += 1
            try:
                async with self._changed:
                    await self._changed.wait_for(lambda: self._refusal(name, reserved) is None)
            finally:
                self._waiting -= 1
        self._take(name)
        try:
            yield
        finally:
            await self._give_back(name)

    def reserved_total(self, reservations: dict[str, int], excluding: str) -> int:
        return sum(n for name, n in reservations.items() if name != excluding)
