"""What Kinesis needs from storage: streams, their shards and records, tags, consumers and policies.

Positions: every record gets the next value of one durable counter, so a record's position orders it
within its shard (and across the stream); shards start and end at counter values too. Reads are sync
(one consistent snapshot); writes are async and committed before they return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class StreamExists(Exception):
    """CreateStream for a name the account already uses in that region."""


class StreamGone(Exception):
    """The stream was deleted while the request was in flight."""


class TopologyChanged(Exception):
    """The stream's shards changed since the caller read them (a put should route again)."""


class ConsumerExists(Exception):
    """RegisterStreamConsumer for a name the stream already has."""


@dataclass(frozen=True, slots=True)
class Stream:
    pk: int  # internal id, never reused: iterators of a deleted stream never reach a new one
    account_id: str
    region: str
    name: str
    created_at: float
    status: str  # as stored: CREATING and UPDATING turn ACTIVE once settles_at has passed
    settles_at: float
    mode: str  # PROVISIONED or ON_DEMAND
    retention_hours: int
    encryption_type: str  # NONE or KMS
    key_id: str | None
    shard_metrics: tuple[str, ...]
    max_record_kib: int
    warm_throughput: int | None
    next_shard_index: int
    shard_epoch: int  # grows at every reshard
    mode_changes: tuple[float, ...]  # when UpdateStreamMode ran (AWS allows two per 24 hours)
    scalings: tuple[float, ...]  # when UpdateShardCount ran (AWS allows ten per 24 hours)
    distribution: str = "USER_PARTITION_KEY"  # or AUTO (on-demand only): partition keys are ignored

    @property
    def arn(self) -> str:
        return f"arn:aws:kinesis:{self.region}:{self.account_id}:stream/{self.name}"


@dataclass(frozen=True, slots=True)
class NewShard:
    index: int
    start_hash: int
    end_hash: int
    parent: int | None = None
    adjacent_parent: int | None = None


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    parent: int | None
    adjacent_parent: int | None
    start_hash: int
    end_hash: int
    starting_position: int  # the counter when the shard opened: its records come after it
    ending_position: int | None  # the counter when it closed; None while open
    created_at: float
    closed_at: float | None

    @property
    def is_open(self) -> bool:
        return self.ending_position is None


@dataclass(frozen=True, slots=True)
class Record:
    position: int
    arrival: float
    partition_key: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Consumer:
    name: str
    arn: str
    created_at: float
    status: str  # as stored: CREATING turns ACTIVE once settles_at has passed
    settles_at: float


# Stream fields a plain update may change (everything else moves through its own method).
UPDATABLE = frozenset(
    {
        "status",
        "settles_at",
        "mode",
        "encryption_type",
        "key_id",
        "shard_metrics",
        "max_record_kib",
        "warm_throughput",
        "mode_changes",
        "distribution",
    }
)


class KinesisRepository(Protocol):
    # -- streams ---------------------------------------------------------------------------------------------
    def find_stream(self, account_id: str, region: str, name: str) -> Stream | None: ...

    def stream_by_pk(self, pk: int) -> Stream | None: ...

    def list_streams(self, account_id: str, region: str, after: str | None, limit: int) -> list[Stream]:
        """Up to `limit` streams ordered by name, those named after `after` when given."""
        ...

    def all_streams(self) -> list[Stream]:
        """Every stream of every account and region (for trimming)."""
        ...

    def count_shards(self, account_id: str, region: str) -> tuple[int, int]:
        """(open shards, on-demand streams) of the account in the region."""
        ...

    async def create_stream(
        self, stream: Stream, shards: Sequence[NewShard], tags: Mapping[str, str]
    ) -> Stream:
        """Store a new stream (its pk is assigned here); StreamExists if the name is taken."""
        ...

    async def delete_stream(self, pk: int) -> None:
        """Remove the stream with its shards, records, tags, consumers and policies."""
        ...

    async def update_stream(self, pk: int, **changes: Any) -> Stream:
        """Change fields named in UPDATABLE; StreamGone if the stream no longer exists."""
        ...

    async def set_retention(self, pk: int, hours: int, trim_before: float) -> None:
        """Trim records that arrived before `trim_before`, then set the retention period."""
        ...

    # -- shards ----------------------------------------------------------------------------------------------
    def shards(self, pk: int) -> list[Shard]:
        """Every shard the stream still has, ordered by index."""
        ...

    async def reshard(
        self,
        pk: int,
        epoch: int,
        closing: Sequence[int],
        opening: Sequence[NewShard],
        now: float,
        **changes: Any,
    ) -> None:
        """Close shards and open new ones at the current counter in one step (TopologyChanged if the
        epoch moved); `changes` may also set status, settles_at and scalings."""
        ...

    # -- records ---------------------------------------------------------------------------------------------
    async def put_records(
        self, pk: int, epoch: int, rows: Sequence[tuple[int, str, bytes]], now: Callable[[], float]
    ) -> tuple[int, float]:
        """Append (shard index, partition key, data) rows in order; return the first row's position and the
        arrival time all share. StreamGone or TopologyChanged when the stream moved under the caller."""
        ...

    def read_records(
        self, pk: int, shard: int, after: int, min_arrival: float, limit: int, max_bytes: int
    ) -> list[Record]:
        """Records of a shard past `after` and not older than `min_arrival`, in order: at most `limit`, and
        no more than `max_bytes` of data and partition keys (but always the first one)."""
        ...

    def shard_tail(self, pk: int, shard: int) -> tuple[int, float] | None:
        """(position, arrival) of the shard's newest record, if it has any."""
        ...

    def read_shard(
        self, pk: int, shard: int, after: int, min_arrival: float, limit: int, max_bytes: int
    ) -> tuple[list[Record], tuple[int, float] | None]:
        """read_records and shard_tail from one snapshot."""
        ...

    def current_position(self) -> int:
        """The counter: every record stored so far has a position at most this."""
        ...

    async def trim(self, cutoffs: Sequence[tuple[int, float]]) -> int:
        """For (stream pk, cutoff) pairs, drop records that arrived before the cutoff and closed shards
        that closed before it; return how many records went."""
        ...

    # -- tags, consumers, policies, account settings ---------------------------------------------------------
    def tags(self, arn: str) -> dict[str, str]:
        """Tags of a stream or consumer, by its ARN, ordered by key."""
        ...

    async def put_tags(self, arn: str, stream_pk: int, tags: Mapping[str, str]) -> None: ...

    async def remove_tags(self, arn: str, keys: Sequence[str]) -> None: ...

    def consumers(self, pk: int) -> list[Consumer]:
        """The stream's consumers ordered by creation."""
        ...

    async def add_consumer(self, pk: int, consumer: Consumer) -> None:
        """ConsumerExists if the stream already has one of that name."""
        ...

    async def remove_consumer(self, pk: int, name: str) -> None:
        """Remove the consumer with its tags and policy."""
        ...

    def policy(self, arn: str) -> str | None: ...

    async def put_policy(self, arn: str, stream_pk: int, policy: str) -> None: ...

    async def delete_policy(self, arn: str) -> None: ...

    def account_setting(self, account_id: str, region: str, name: str) -> str | None: ...

    async def put_account_setting(self, account_id: str, region: str, name: str, value: str) -> None: ...
