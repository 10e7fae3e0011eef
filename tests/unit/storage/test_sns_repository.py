"""The SNS repository on every backend: topics and subscriptions, the outbox (publish, due, finish,
reschedule), FIFO deduplication and sequence numbers, and the stored signing values."""

from __future__ import annotations

from typing import Any

from millpond.services.sns.repository import Dedup, Owner
from millpond.storage.sns import SqliteSnsRepository
from tests.unit.storage.conftest import Backend

OWNER = Owner("000000000000", "us-east-1")
TOPIC = "arn:aws:sns:us-east-1:000000000000:t"
SUB_A, SUB_B = f"{TOPIC}:a", f"{TOPIC}:b"


def message(message_id: str) -> dict[str, Any]:
    return {"MessageId": message_id, "TopicArn": TOPIC, "Message": "hi"}


async def test_topics_and_subscriptions(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteSnsRepository(engine)
        await repo.put_topic(OWNER, {"TopicArn": TOPIC, "Name": "t"})
        await repo.put_topic(
            Owner("000000000000", "eu-west-1"), {"TopicArn": TOPIC.replace("us-east-1", "eu-west-1")}
        )
        assert [t["TopicArn"] for t in repo.list_topics(OWNER)] == [TOPIC]
        for arn in (SUB_B, SUB_A):
            await repo.put_subscription(OWNER, {"SubscriptionArn": arn, "TopicArn": TOPIC})
        assert [s["SubscriptionArn"] for s in repo.subscriptions_of(TOPIC)] == [SUB_A, SUB_B]
        await repo.delete_subscription(SUB_A)
        assert repo.get_subscription(SUB_A) is None and repo.get_subscription(SUB_B) is not None
        await repo.delete_topic(TOPIC)
        assert repo.get_topic(TOPIC) is None and repo.list_subscriptions(OWNER) == []


async def test_outbox_publish_due_finish_reschedule(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteSnsRepository(engine)
        await repo.publish(TOPIC, message("m1"), [SUB_A, SUB_B], None, 100.0)
        await repo.publish(TOPIC, message("m2"), [SUB_A], None, 101.0)
        await repo.publish(TOPIC, message("m3"), [], None, 101.0)  # no subscriber: nothing stored
        due = repo.due(101.0, 10)
        assert [(d.subscription_arn, d.message["MessageId"]) for d in due] == [
            (SUB_A, "m1"),
            (SUB_B, "m1"),
            (SUB_A, "m2"),
        ]
        assert repo.due(100.5, 10)[-1].message["MessageId"] == "m1"
        await repo.reschedule(due[0].id, 120.0, 1)
        assert repo.next_due() == 100.0
        await repo.finish(due[1].id)
        await repo.finish(due[2].id)
        assert repo.next_due() == 120.0 and repo.due(119.0, 10) == []
        (retried,) = repo.due(120.0, 10)
        assert (retried.attempts, retried.message["MessageId"]) == (1, "m1")
        await repo.finish(retried.id)
        assert repo.next_due() is None


async def test_fifo_dedup_window_and_sequence(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteSnsRepository(engine)
        first = await repo.publish(TOPIC, message("m1"), [SUB_A], Dedup("k", 400.0), 100.0)
        again = await repo.publish(TOPIC, message("m2"), [SUB_A], Dedup("k", 500.0), 200.0)
        other = await repo.publish(TOPIC, message("m3"), [SUB_A], Dedup("j", 500.0), 200.0)
        later = await repo.publish(TOPIC, message("m4"), [SUB_A], Dedup("k", 800.0), 400.0)
        assert first == ("m1", 1) and again == ("m1", 1) and other == ("m3", 2) and later == ("m4", 3)
        assert [d.message["MessageId"] for d in repo.due(400.0, 10)] == ["m1", "m3", "m4"]
        assert repo.due(400.0, 10)[0].message["SequenceNumber"] == 1


async def test_values_keep_the_first_writer(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteSnsRepository(engine)
        assert repo.get_value("key") is None
        assert await repo.put_value("key", "one") == "one"
        assert await repo.put_value("key", "two") == "one"
        assert repo.get_value("key") == "one"


async def test_due_skips_subscriptions_in_flight(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteSnsRepository(engine)
        await repo.publish(TOPIC, message("m1"), [SUB_A], None, 100.0)
        await repo.publish(TOPIC, message("m2"), [SUB_B], None, 105.0)
        assert [d.subscription_arn for d in repo.due(200.0, 10, {SUB_A})] == [SUB_B]
        assert repo.next_due({SUB_A}) == 105.0 and repo.next_due({SUB_A, SUB_B}) is None
