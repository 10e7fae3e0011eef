"""Shard iterators: round trip, tamper detection, and expiry after five minutes on the clock."""

from __future__ import annotations

import pytest

from millpond.clock import ManualClock
from millpond.errors import AwsError
from millpond.services.kinesis import iterators
from millpond.services.kinesis.iterators import ShardIterator


def test_round_trip_keeps_every_field() -> None:
    iterator = ShardIterator(42, "orders", 3, 1234, 1_700_000_000.5, 1_700_000_100.25)
    token = iterators.encode(iterator)
    assert len(token) <= 512
    assert iterators.decode(token) == iterator


@pytest.mark.parametrize("token", ["garbage", "", "AAAA", "not base64!"])
def test_garbage_is_an_invalid_shard_iterator(token: str) -> None:
    with pytest.raises(AwsError) as raised:
        iterators.decode(token)
    assert (raised.value.code, raised.value.message) == ("InvalidArgumentException", "Invalid ShardIterator.")


def test_a_changed_byte_is_detected() -> None:
    token = iterators.encode(ShardIterator(1, "s", 0, 5, 0.0, 1_700_000_000.0))
    raw = bytearray(iterators.base64.b64decode(token))
    raw[20] ^= 1
    with pytest.raises(AwsError):
        iterators.decode(iterators.base64.b64encode(bytes(raw)).decode())


def test_iterators_expire_after_five_minutes() -> None:
    clock = ManualClock(1_421_889_722.0)  # Thu Jan 22 01:22:02 UTC 2015
    iterator = ShardIterator(1, "s", 0, 0, 0.0, clock.now())
    clock.advance(300)
    iterators.check_fresh(iterator, clock.now())
    clock.advance(0.5)
    with pytest.raises(AwsError) as raised:
        iterators.check_fresh(iterator, clock.now())
    assert raised.value.code == "ExpiredIteratorException"
    assert raised.value.message == (
        "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it "
        "is Thu Jan 22 01:27:02 UTC 2015 which is further in the future than the tolerated delay of 300000 "
        "milliseconds."
    )
