"""SnsProvider: one method per SNS operation, thin, over the topic, subscription and publish modules.

Operations of the model with no method here (platform applications, SMS) are answered NotImplemented
by the gateway, naming the operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.services.sns.delivery import Deliverer
from millpond.services.sns.metrics import MetricSink, SnsMetrics
from millpond.services.sns.publish import Publisher
from millpond.services.sns.repository import SnsRepository
from millpond.services.sns.signing import Signer
from millpond.services.sns.subscriptions import Subscriptions
from millpond.services.sns.targets import Targets
from millpond.services.sns.topics import Topics

Params = dict[str, Any]
Result = dict[str, Any]


class SnsProvider:
    def __init__(
        self,
        repository: SnsRepository,
        clock: Clock,
        providers: Mapping[str, object],
        endpoint_url: str,
        metrics: MetricSink | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        sns_metrics = SnsMetrics(metrics) if metrics is not None else None
        self.signer = Signer(repository)
        self.deliverer = Deliverer(
            repository, clock, self.signer, Targets(providers, endpoint_url), sns_metrics
        )
        self.topics = Topics(repository, clock)
        self.subscriptions = Subscriptions(repository, clock, self.topics, self.deliverer.confirm)
        self.publisher = Publisher(repository, clock, self.topics, self.deliverer.wake, sns_metrics)

    async def start(self) -> None:
        """Load (or make) the signing certificate, then deliver what the outbox holds."""
        await self.signer.load()
        self.deliverer.start()

    async def close(self) -> None:
        await self.deliverer.stop()

    async def reset(self) -> None:
        await self.signer.load()  # the reset dropped the stored certificate: a new one
        self.deliverer.wake()

    @property
    def certificate_pem(self) -> str:
        return self.signer.certificate_pem

    # -- topics -------------------------------------------------------------------------------------------
    async def create_topic(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.create_topic(ctx, params)

    async def delete_topic(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.delete_topic(ctx, params)

    def list_topics(self, ctx: RequestContext, params: Params) -> Result:
        return self.topics.list_topics(ctx, params)

    def get_topic_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return self.topics.get_topic_attributes(ctx, params)

    async def set_topic_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.set_topic_attributes(ctx, params)

    async def add_permission(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.add_permission(ctx, params)

    async def remove_permission(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.remove_permission(ctx, params)

    async def put_data_protection_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.put_data_protection_policy(ctx, params)

    def get_data_protection_policy(self, ctx: RequestContext, params: Params) -> Result:
        return self.topics.get_data_protection_policy(ctx, params)

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.tag_resource(ctx, params)

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        return await self.topics.untag_resource(ctx, params)

    def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        return self.topics.list_tags_for_resource(ctx, params)

    # -- subscriptions ------------------------------------------------------------------------------------
    async def subscribe(self, ctx: RequestContext, params: Params) -> Result:
        return await self.subscriptions.subscribe(ctx, params)

    async def confirm_subscription(self, ctx: RequestContext, params: Params) -> Result:
        return await self.subscriptions.confirm_subscription(ctx, params)

    async def unsubscribe(self, ctx: RequestContext, params: Params) -> Result:
        return await self.subscriptions.unsubscribe(ctx, params)

    def list_subscriptions(self, ctx: RequestContext, params: Params) -> Result:
        return self.subscriptions.list_subscriptions(ctx, params)

    def list_subscriptions_by_topic(self, ctx: RequestContext, params: Params) -> Result:
        return self.subscriptions.list_subscriptions_by_topic(ctx, params)

    def get_subscription_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return self.subscriptions.get_subscription_attributes(ctx, params)

    async def set_subscription_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return await self.subscriptions.set_subscription_attributes(ctx, params)

    # -- publishing ---------------------------------------------------------------------------------------
    async def publish(self, ctx: RequestContext, params: Params) -> Result:
        return await self.publisher.publish(ctx, params)

    async def publish_batch(self, ctx: RequestContext, params: Params) -> Result:
        return await self.publisher.publish_batch(ctx, params)
