"""The metric and subscription filter operations, and what they do as events arrive.

Every batch of events written to a group (PutLogEvents, or a function's output) goes through the group's
metric filters (datapoints to CloudWatch through the metric sink) and subscription filters (the matching
events, in AWS's gzipped envelope, to Kinesis or Lambda after the write has committed). The filters of
each group are cached and the cache is dropped on every change, so the write path reads no SQL for them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from millpond.errors import AwsError
from millpond.services.logs import metric_filters, subscriptions
from millpond.services.logs.filter_pattern import Matcher
from millpond.services.logs.metric_filters import (
    MetricFilter,
    checked_pattern,
    invalid,
    parse_transformations,
)
from millpond.services.logs.repository import LogFiltersRepository
from millpond.services.logs.subscriptions import SubscriptionFilter, SubscriptionTargets, destination_kind
from millpond.services.metric_sink import MetricSink

log = logging.getLogger("millpond.logs")
PAGE = 50


def _not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "The specified filter does not exist.")


def _page(items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    prefix = params.get("filterNamePrefix") or ""
    items = [i for i in items if i.name.startswith(prefix)]
    start = int(params["nextToken"]) if str(params.get("nextToken") or "").isdigit() else 0
    limit = min(int(params.get("limit") or PAGE), PAGE)
    page: dict[str, Any] = {key: [i.describe() for i in items[start : start + limit]]}
    if start + limit < len(items):
        page["nextToken"] = str(start + limit)
    return page


class LogFilters:
    def __init__(self, repository: LogFiltersRepository, now_ms: Callable[[], int], owner: str) -> None:
        self.repository = repository
        self.now_ms = now_ms
        self.owner = owner  # the account in DATA_MESSAGE envelopes
        self.metrics: MetricSink | None = None
        self.targets: SubscriptionTargets | None = None
        self._cache: dict[
            str, tuple[list[tuple[MetricFilter, Matcher]], list[tuple[SubscriptionFilter, Matcher]]]
        ]
        self._cache = {}
        self._sequence = itertools.count(1)
        self._deliveries: set[asyncio.Task[None]] = set()

    def forget(self, group: str | None = None) -> None:
        if group is None:
            self._cache.clear()
        else:
            self._cache.pop(group, None)

    def _filters_of(
        self, group: str
    ) -> tuple[list[tuple[MetricFilter, Matcher]], list[tuple[SubscriptionFilter, Matcher]]]:
        cached = self._cache.get(group)
        if cached is None:
            metric = [(f, checked_pattern(f.pattern)) for f in self.repository.metric_filters(group)]
            subscribed = [
                (s, checked_pattern(s.pattern)) for s in self.repository.subscription_filters(group)
            ]
            cached = self._cache[group] = (metric, subscribed)
        return cached

    # -- the write path ------------------------------------------------------------------------------------

    def on_events(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """After events were committed to `group`: metric datapoints now, subscription deliveries soon."""
        if not events:
            return
        metric, subscribed = self._filters_of(group)
        if self.metrics is not None:
            for metric_filter, matcher in metric:
                for point in metric_filters.datapoints(metric_filter, matcher, events):
                    self.metrics.add(
                        point.namespace,
                        point.name,
                        point.dimensions,
                        point.value,
                        point.unit,
                        point.timestamp,
                    )
        for subscription, matcher in subscribed:
            matched = [
                (subscriptions.event_id(t, next(self._sequence)), t, m) for t, m in events if matcher(m)
            ]
            if matched and self.targets is not None:
                data = subscriptions.data_message(self.owner, group, stream, subscription.name, matched)
                key = stream if subscription.distribution != "Random" else uuid.uuid4().hex
                task = asyncio.ensure_future(self._deliver(subscription, data, key))
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, subscription: SubscriptionFilter, data: bytes, key: str) -> None:
        assert self.targets is not None
        try:
            await self.targets.deliver(subscription.destination_arn, data, key)
        except Exception as error:  # a gone destination loses the batch, as on AWS
            log.warning("subscription filter %s: delivery failed: %s", subscription.name, error)

    async def close(self) -> None:
        for task in list(self._deliveries):
            task.cancel()

    # -- metric filters ------------------------------------------------------------------------------------

    async def put_metric_filter(self, params: dict[str, Any], group: str) -> dict[str, Any]:
        name, pattern = params["filterName"], params.get("filterPattern") or ""
        if not metric_filters.FILTER_NAME.match(name):
            raise invalid(f"Invalid filter name: {name}")
        checked_pattern(pattern)
        transformations = parse_transformations(params["metricTransformations"])
        existing = {f.name for f in self.repository.metric_filters(group)}
        if name not in existing and len(existing) >= metric_filters.MAX_METRIC_FILTERS:
            raise AwsError("LimitExceededException", "Resource limit exceeded.")
        await self.repository.put_metric_filter(
            MetricFilter(group, name, pattern, transformations, self.now_ms())
        )
        self.forget(group)
        return {}

    def describe_metric_filters(self, params: dict[str, Any], group: str | None) -> dict[str, Any]:
        found = self.repository.metric_filters(group)
        name, namespace = params.get("metricName"), params.get("metricNamespace")
        if (name is None) != (namespace is None):
            raise invalid("metricName and metricNamespace must be given together")
        if name is not None:
            found = [
                f
                for f in found
                if any(t.metric_name == name and t.namespace == namespace for t in f.transformations)
            ]
        return _page(found, params, "metricFilters")

    async def delete_metric_filter(self, group: str, name: str) -> dict[str, Any]:
        if not await self.repository.delete_metric_filter(group, name):
            raise _not_found()
        self.forget(group)
        return {}

    def test_metric_filter(self, params: dict[str, Any]) -> dict[str, Any]:
        pattern = params.get("filterPattern") or ""
        matcher = checked_pattern(pattern)
        matches = []
        for number, message in enumerate(params.get("logEventMessages") or [], start=1):
            if matcher(message):
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": {}})
        return {"matches": matches}

    def metric_filter_count(self, group: str) -> int:
        return len(self._filters_of(group)[0])

    # -- subscription filters ------------------------------------------------------------------------------

    async def put_subscription_filter(self, params: dict[str, Any], group: str) -> dict[str, Any]:
        name, pattern = params["filterName"], params.get("filterPattern") or ""
        destination = params["destinationArn"]
        if not metric_filters.FILTER_NAME.match(name):
            raise invalid(f"Invalid filter name: {name}")
        try:
            checked_pattern(pattern)
        except AwsError:
            raise invalid("Invalid subscription filter pattern") from None
        kind = destination_kind(destination)
        if kind is None:
            raise invalid(f"Invalid destinationArn: {destination}")
        if kind not in ("kinesis", "lambda"):
            raise invalid(f"millpond does not deliver subscription filters to {kind} destinations yet")
        distribution = params.get("distribution") or "ByLogStream"
        existing = {s.name for s in self.repository.subscription_filters(group)}
        if name not in existing and len(existing) >= subscriptions.MAX_SUBSCRIPTION_FILTERS:
            raise AwsError("LimitExceededException", "Resource limit exceeded.")
        if self.targets is None:
            raise invalid("Could not deliver test message to specified destination.")
        await self.targets.check(destination)
        if kind == "kinesis":
            control = subscriptions.control_message("Kinesis stream", self.now_ms())
            await self.targets.deliver(destination, control, uuid.uuid4().hex)
        subscription = SubscriptionFilter(
            group, name, pattern, destination, params.get("roleArn"), distribution, self.now_ms()
        )
        await self.repository.put_subscription_filter(subscription)
        self.forget(group)
        return {}

    def describe_subscription_filters(self, params: dict[str, Any], group: str) -> dict[str, Any]:
        return _page(self.repository.subscription_filters(group), params, "subscriptionFilters")

    async def delete_subscription_filter(self, group: str, name: str) -> dict[str, Any]:
        if not await self.repository.delete_subscription_filter(group, name):
            raise _not_found()
        self.forget(group)
        return {}
