"""What SNS counts for CloudWatch (namespace AWS/SNS, dimension TopicName), handed to a MetricSink the
server wires in: NumberOfMessagesPublished and PublishSize per publish, NumberOfNotificationsDelivered
and NumberOfNotificationsFailed per delivery attempt that ends."""

from __future__ import annotations

from millpond.services.metric_sink import Dimensions, MetricSink
from millpond.services.sns.repository import Record

NAMESPACE = "AWS/SNS"


def _scope(topic_arn: str) -> tuple[str, tuple[str, str], Dimensions]:
    parts = topic_arn.split(":")
    return parts[5], (parts[4], parts[3]), (("TopicName", parts[5]),)


class SnsMetrics:
    def __init__(self, sink: MetricSink) -> None:
        self.sink = sink

    def published(self, topic: Record, size: int, now: float) -> None:
        _, scope, dims = _scope(topic["TopicArn"])
        self.sink.add(NAMESPACE, "NumberOfMessagesPublished", dims, 1.0, "Count", now, scope)
        self.sink.add(NAMESPACE, "PublishSize", dims, float(size), "Bytes", now, scope)

    def delivered(self, topic_arn: str, ok: bool, now: float) -> None:
        _, scope, dims = _scope(topic_arn)
        name = "NumberOfNotificationsDelivered" if ok else "NumberOfNotificationsFailed"
        self.sink.add(NAMESPACE, name, dims, 1.0, "Count", now, scope)
