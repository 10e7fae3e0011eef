"""Per-shard throughput limits: token buckets on the clock, off unless enabled."""

from __future__ import annotations

from millpond.clock import ManualClock
from millpond.services.kinesis.limits import MIB, ShardThrottle


def test_disabled_admits_everything() -> None:
    throttle = ShardThrottle(enabled=False)
    assert all(throttle.admit_write(1, 0, MIB, 0.0) for _ in range(100))


def test_a_shard_takes_a_thousand_records_a_second() -> None:
    clock = ManualClock()
    throttle = ShardThrottle(enabled=True)
    admitted = sum(throttle.admit_write(1, 0, 10, clock.now()) for _ in range(1500))
    assert admitted == 1000
    assert throttle.admit_write(1, 1, 10, clock.now())  # another shard has its own allowance
    clock.advance(0.5)
    assert sum(throttle.admit_write(1, 0, 10, clock.now()) for _ in range(1000)) == 500


def test_a_shard_takes_a_mebibyte_a_second() -> None:
    clock = ManualClock()
    throttle = ShardThrottle(enabled=True)
    assert throttle.admit_write(1, 0, MIB - 10, clock.now())
    assert not throttle.admit_write(1, 0, 100, clock.now())
    clock.advance(1)
    assert throttle.admit_write(1, 0, 100, clock.now())


def test_a_ten_mebibyte_read_blocks_the_next_five_seconds() -> None:
    clock = ManualClock()
    throttle = ShardThrottle(enabled=True)
    assert throttle.admit_read(1, 0, clock.now())
    throttle.charge_read(1, 0, 10 * MIB, clock.now())
    clock.advance(4.9)
    assert not throttle.admit_read(1, 0, clock.now())
    clock.advance(0.2)
    assert throttle.admit_read(1, 0, clock.now())


def test_five_reads_a_second() -> None:
    clock = ManualClock()
    throttle = ShardThrottle(enabled=True)
    assert [throttle.admit_read(1, 0, clock.now()) for _ in range(6)] == [True] * 5 + [False]
