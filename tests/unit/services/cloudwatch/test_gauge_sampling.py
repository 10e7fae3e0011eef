"""The SQS gauges of the minutes a clock jump skips: sampled inside the jump, each at its minute's end, from
the state the jump found, so a consumer woken by the jump (a Lambda poller) does not colour them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from millpond.clock import ManualClock
from millpond.services.cloudwatch.emission import Emission, Ticker

START = 60 * 28_333_334 + 30  # 30 s past a minute boundary
VISIBILITY = 315


@dataclass
class Counts:
    visible: int
    not_visible: int
    delayed: int = 0
    oldest_sent_at: float | None = None


class FakeStore:
    def __init__(self) -> None:
        self.points: dict[tuple[str, float], float] = {}

    def record(self, key: Any, value: float, unit: str, timestamp: float, count: int = 1) -> None:
        self.points[(key.name, timestamp)] = value

    async def flush(self) -> None:
        return None


def test_jump_minutes_sampled_before_a_consumer_wakes() -> None:
    clock = ManualClock(START)
    store = FakeStore()
    emission = Emission(store, clock, "000000000000", "us-east-1")  # type: ignore[arg-type]
    in_flight_until = {"at": START + VISIBILITY}  # received at START

    def gauges(account: str, region: str, name: str, at: float) -> Counts:
        return Counts(0, 1) if at < in_flight_until["at"] else Counts(1, 0)

    emission.queue_gauges = gauges
    emission.active_queues[("000000000000", "us-east-1", "orders")] = START

    async def run() -> None:
        ticker = Ticker(emission, clock, [])
        ticker.start()
        clock.advance(600)
        in_flight_until["at"] = clock.now() + VISIBILITY  # a poller receives it again, right after the jump
        for _ in range(5):
            await asyncio.sleep(0)
        await ticker.stop()

    asyncio.run(run())
    boundary = START - 30
    for k in range(1, 11):
        end = boundary + 60 * k
        expected = 0.0 if end < START + VISIBILITY else 1.0
        assert store.points[("ApproximateNumberOfMessagesVisible", end - 60)] == expected, k
        assert store.points[("ApproximateNumberOfMessagesNotVisible", end - 60)] == 1.0 - expected, k
