"""SubscribeToShard (enhanced fan-out): records pushed to a registered consumer as they arrive.

The call answers with an event stream (the provider returns `{"EventStream": <async iterator>}`): one
SubscribeToShardEvent at once, then one whenever records land in the shard (woken by the provider's
on_records hook, never by polling), an empty one after 5 s without records, and a last one with
ChildShards when a closed shard has been read to its end. A subscription lasts 5 minutes of clock time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis import consumers, sequence
from millpond.services.kinesis import shards as shard_rules
from millpond.services.kinesis.core import Core
from millpond.services.kinesis.names import shard_id, shard_index
from millpond.services.kinesis.reads import find_shard, record_entries, starting_position
from millpond.services.kinesis.repository import Consumer, Stream
from millpond.services.signal import Signal

SUBSCRIPTION_SECONDS = 300.0
HEARTBEAT_SECONDS = 5.0  # AWS sends an event with no records after about 5 s without any
TAKEOVER_SECONDS = 5.0
EVENT_MAX_RECORDS = 10_000
EVENT_MAX_BYTES = 2 * 1024 * 1024  # a consumer reads up to 2 MiB per second per shard


@dataclass(slots=True)
class Subscription:
    started: float
    taken_over: bool = False
    done: bool = False


def _in_use(stream: Stream, shard: str, consumer: Consumer) -> AwsError:
    return AwsError(
        "ResourceInUseException",
        "Another active subscription exists for this consumer: "
        f"{stream.account_id}:{stream.name}:{shard}:{consumer.name}",
    )


class FanOut:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.signal = Signal(core.clock)
        self._active: dict[tuple[str, str], Subscription] = {}
        self._closed = False

    def notify(self, stream_arn: str) -> None:
        self.signal.notify(stream_arn)

    def close(self) -> None:
        """End every subscription (the server is stopping, or storage was reset)."""
        self._closed = True
        self._active.clear()
        self.signal.notify_all()

    def reopen(self) -> None:
        self._closed = False

    def subscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stream, consumer = consumers.find(self.core, ctx, {"ConsumerARN": params["ConsumerARN"]})
        now = self.core.now()
        if consumers.consumer_status(consumer, now) != "ACTIVE":
            raise AwsError(
                "ResourceInUseException",
                f"Consumer {consumer.arn} is not in ACTIVE state, its state is "
                f"{consumers.consumer_status(consumer, now)}.",
            )
        index = shard_index(params["ShardId"])
        if index is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"Could not find shard {params['ShardId']} in stream {stream.name}.",
            )
        shard, _ = find_shard(self.core, stream, index, now)
        position: dict[str, Any] = params["StartingPosition"]
        after, min_arrival = starting_position(
            self.core,
            stream,
            shard,
            {
                "ShardIteratorType": position["Type"],
                "StartingSequenceNumber": position.get("SequenceNumber"),
                "Timestamp": position.get("Timestamp"),
            },
        )
        key = (consumer.arn, shard_id(index))
        current = self._active.get(key)
        if current is not None and not current.done and now < current.started + SUBSCRIPTION_SECONDS:
            # Within 5 s of a successful call AWS refuses; later, the new call takes the subscription over.
            if now < current.started + TAKEOVER_SECONDS:
                raise _in_use(stream, key[1], consumer)
            current.taken_over = True
            self.signal.notify(stream.arn)
        subscription = self._active[key] = Subscription(now)
        events = self._events(stream, consumer, index, after, min_arrival, subscription, key)
        return {"EventStream": events}

    def _still_there(self, stream: Stream, consumer: Consumer) -> None:
        if not any(c.arn == consumer.arn for c in self.core.repo.consumers(stream.pk)):
            raise AwsError(
                "ResourceNotFoundException",
                f"Consumer {consumer.arn}, account {stream.account_id} not found.",
            )

    async def _events(
        self,
        stream: Stream,
        consumer: Consumer,
        index: int,
        after: int,
        min_arrival: float,
        subscription: Subscription,
        key: tuple[str, str],
    ) -> AsyncIterator[dict[str, Any]]:
        deadline = subscription.started + SUBSCRIPTION_SECONDS
        last_sent: float | None = None
        try:
            while True:
                now = self.core.now()
                if subscription.taken_over:
                    raise _in_use(stream, key[1], consumer)
                if self._closed or now >= deadline:
                    return
                version = self.signal.version(stream.arn)
                self._still_there(stream, consumer)
                event, after, min_arrival, ended = self._read(stream, index, after, min_arrival, now)
                if event["Records"] or ended or last_sent is None or now - last_sent >= HEARTBEAT_SECONDS:
                    yield {"SubscribeToShardEvent": event}
                    last_sent = now
                    if ended:
                        return
                    if event["Records"]:
                        await asyncio.sleep(0)  # let the event go out before reading on
                        continue
                await self.signal.wait(stream.arn, version, min(deadline, last_sent + HEARTBEAT_SECONDS))
        finally:
            subscription.done = True
            if self._active.get(key) is subscription:
                del self._active[key]

    def _read(
        self, stream: Stream, index: int, after: int, min_arrival: float, now: float
    ) -> tuple[dict[str, Any], int, float, bool]:
        """The next event from `after` on: (event, new position, new earliest arrival, shard ended)."""
        shard, shards = find_shard(self.core, stream, index, now)
        horizon = shard_rules.trim_horizon(stream, now)
        found, tail = self.core.repo.read_shard(
            stream.pk, index, after, max(min_arrival, horizon), EVENT_MAX_RECORDS, EVENT_MAX_BYTES
        )
        if found:
            after, min_arrival = found[-1].position, 0.0
        else:
            # Nothing readable up to the newest record (trimmed, or before an AT_TIMESTAMP): skip past it.
            after = max(after, tail[0] if tail else after)
        caught_up = tail is None or after >= tail[0]
        records, _ = record_entries(stream, shard, found)
        age = 0.0 if caught_up or not found else max(0.0, (now - found[-1].arrival) * 1000)
        event: dict[str, Any] = {"Records": records, "MillisBehindLatest": int(age)}
        ended = not shard.is_open and caught_up
        if ended:
            # The end of a closed shard: no continuation, the children to go on with instead.
            event["ChildShards"] = shard_rules.children(shards, index)
        else:
            arrival = found[-1].arrival if found else now
            event["ContinuationSequenceNumber"] = sequence.encode(stream.created_at, index, after, arrival)
        return event, after, min_arrival, ended
