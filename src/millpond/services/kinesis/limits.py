"""Per-shard throughput limits, off unless asked for (local runs want speed): token buckets on the clock.

Writes: 1,000 records and 1 MiB per second per shard. Reads: 5 GetRecords calls and 2 MiB per second per
shard; bytes read are a debt paid back at 2 MiB/s, so after a 10 MiB response the next 5 seconds are
throttled, as AWS documents. Buckets are per-node state (not durable): a restart refills them.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
WRITE_RECORDS_PER_SECOND = 1000
WRITE_BYTES_PER_SECOND = MIB
READ_CALLS_PER_SECOND = 5
READ_BYTES_PER_SECOND = 2 * MIB


@dataclass
class _Bucket:
    rate: float  # refill per second
    cap: float  # the most it holds (0 for a pure debt: no burst)
    level: float
    at: float

    def refill(self, now: float) -> float:
        if now > self.at:
            self.level = min(self.cap, self.level + (now - self.at) * self.rate)
            self.at = now
        return self.level


class ShardThrottle:
    """Which writes and reads a shard may take now; `enabled=False` lets everything through."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._buckets: dict[tuple[int, int, str], _Bucket] = {}

    def _bucket(
        self, stream_pk: int, shard: int, kind: str, rate: float, now: float, cap: float | None = None
    ) -> _Bucket:
        key = (stream_pk, shard, kind)
        bucket = self._buckets.get(key)
        if bucket is None:
            full = rate if cap is None else cap
            bucket = self._buckets[key] = _Bucket(rate, full, full, now)
        bucket.refill(now)
        return bucket

    def admit_write(self, stream_pk: int, shard: int, size: int, now: float) -> bool:
        """Take one record of `size` bytes from the shard's write allowance, if it has room."""
        if not self.enabled:
            return True
        records = self._bucket(stream_pk, shard, "write-records", WRITE_RECORDS_PER_SECOND, now)
        volume = self._bucket(stream_pk, shard, "write-bytes", WRITE_BYTES_PER_SECOND, now)
        if records.level < 1 or volume.level < size:
            return False
        records.level -= 1
        volume.level -= size
        return True

    def admit_read(self, stream_pk: int, shard: int, now: float) -> bool:
        """Take one GetRecords call, if the shard has a call left and its byte allowance is not overdrawn."""
        if not self.enabled:
            return True
        calls = self._bucket(stream_pk, shard, "read-calls", READ_CALLS_PER_SECOND, now)
        volume = self._bucket(stream_pk, shard, "read-bytes", READ_BYTES_PER_SECOND, now, cap=0)
        if calls.level < 1 or volume.level < 0:
            return False
        calls.level -= 1
        return True

    def charge_read(self, stream_pk: int, shard: int, size: int, now: float) -> None:
        """Charge the bytes a GetRecords call returned (the bucket may go negative)."""
        if self.enabled:
            self._bucket(stream_pk, shard, "read-bytes", READ_BYTES_PER_SECOND, now, cap=0).level -= size

    def forget(self, stream_pk: int) -> None:
        for key in [key for key in self._buckets if key[0] == stream_pk]:
            del self._buckets[key]
