"""What SNS needs from storage: topics and subscriptions as JSON records, and the durable outbox.

A publish stores the message and one delivery per matching subscription in one transaction (with its
deduplication entry on FIFO topics), so an acknowledged publish is delivered even after a crash; the
deliverer then takes due deliveries in publish order and finishes or reschedules each.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Owner:
    account_id: str
    region: str


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    subscription_arn: str
    message: Record  # the published message (messages.py's stored shape)
    due_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class Dedup:
    """A FIFO topic's deduplication entry: the id, and until when a repeat is a duplicate."""

    key: str
    until: float


class SnsRepository(Protocol):
    # -- topics
    def get_topic(self, arn: str) -> Record | None: ...
    def list_topics(self, owner: Owner) -> list[Record]:
        """The owner's topics, ordered by ARN."""
        ...

    async def put_topic(self, owner: Owner, record: Record) -> None: ...
    async def delete_topic(self, arn: str) -> None:
        """The topic and its subscriptions."""
        ...

    # -- subscriptions
    def get_subscription(self, arn: str) -> Record | None: ...
    def list_subscriptions(self, owner: Owner) -> list[Record]:
        """The owner's subscriptions, ordered by ARN."""
        ...

    def subscriptions_of(self, topic_arn: str) -> list[Record]: ...
    async def put_subscription(self, owner: Owner, record: Record) -> None: ...
    async def delete_subscription(self, arn: str) -> None: ...

    # -- publishing and the outbox
    async def publish(
        self, topic_arn: str, message: Record, subscriptions: list[str], dedup: Dedup | None, now: float
    ) -> tuple[str, int | None]:
        """Store `message` and a delivery, due now, for each subscription, committed before it returns.

        With `dedup`, a live entry for its key makes this a duplicate: nothing is stored and the first
        message's id comes back. FIFO messages (dedup given) get the topic's next sequence number.
        Returns (message id, sequence number or None).
        """
        ...

    def due(self, now: float, limit: int, skip: Collection[str] = ()) -> list[Delivery]:
        """Deliveries due at `now`, in publish order, but none to the subscriptions in `skip`."""
        ...

    def next_due(self, skip: Collection[str] = ()) -> float | None:
        """When the first delivery (to a subscription not in `skip`) comes due."""
        ...

    async def finish(self, delivery_id: int) -> None:
        """Drop the delivery (and its message once no delivery needs it)."""
        ...

    async def reschedule(self, delivery_id: int, due_at: float, attempts: int) -> None: ...

    # -- server-wide values (the signing key and certificate)
    def get_value(self, key: str) -> str | None: ...
    async def put_value(self, key: str, value: str) -> str:
        """Store `value` unless the key has one already; returns the stored value."""
        ...
