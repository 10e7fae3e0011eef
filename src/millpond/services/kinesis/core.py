"""What every Kinesis operation shares: storage, the clock, options, throttles, metrics, and finding the
stream a request names in the state the operation needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis.limits import ShardThrottle
from millpond.services.kinesis.metrics import KinesisMetrics, MemoryMetricSink, MetricSink
from millpond.services.kinesis.names import StreamRef, stream_not_found, stream_ref
from millpond.services.kinesis.repository import KinesisRepository, Stream
from millpond.services.kinesis.shards import effective_status

# Regions where AWS's default shard quota is 500; elsewhere it is 200 (aws-facts §3.4).
LARGE_QUOTA_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})
ON_DEMAND_STREAM_LIMIT = 50


@dataclass(frozen=True)
class KinesisOptions:
    # Seconds a new stream stays CREATING (and a reshard or mode change UPDATING); 0 flips them at once.
    create_delay: float = 0.0
    # Per-shard read and write throughput limits (off by default: local runs want speed).
    enforce_limits: bool = False


class Core:
    def __init__(
        self,
        repository: KinesisRepository,
        clock: Clock,
        options: KinesisOptions | None = None,
        metrics: MetricSink | None = None,
    ) -> None:
        self.repo = repository
        self.clock = clock
        self.options = options or KinesisOptions()
        self.throttle = ShardThrottle(self.options.enforce_limits)
        self.metrics = KinesisMetrics(metrics if metrics is not None else MemoryMetricSink())

    def now(self) -> float:
        return self.clock.now()

    def arrival_now(self) -> float:
        # ApproximateArrivalTimestamp has millisecond precision on AWS.
        return round(self.clock.now(), 3)

    @staticmethod
    def shard_limit(region: str) -> int:
        return 500 if region in LARGE_QUOTA_REGIONS else 200

    def settling(self, busy: str) -> tuple[str, float]:
        """(status, settles_at) for a change that leaves the stream `busy` for the configured delay."""
        now = self.now()
        delay = self.options.create_delay
        return (busy, now + delay) if delay > 0 else ("ACTIVE", now)

    # -- finding streams -------------------------------------------------------------------------------------

    def find(self, ref: StreamRef) -> Stream:
        stream = self.repo.find_stream(ref.account_id, ref.region, ref.name)
        if stream is None:
            raise stream_not_found(ref)
        return stream

    def stream(self, ctx: RequestContext, params: dict[str, Any], *, arn_key: str = "StreamARN") -> Stream:
        """The stream the request names, in whatever state it is."""
        return self.find(stream_ref(ctx, params, arn_key=arn_key))

    def status(self, stream: Stream) -> str:
        return effective_status(stream, self.now())

    def data_stream(self, ctx: RequestContext, params: dict[str, Any]) -> Stream:
        """A stream reads and writes may use: ACTIVE or UPDATING (a CREATING stream is not found yet)."""
        stream = self.stream(ctx, params)
        if self.status(stream) == "CREATING":
            raise stream_not_found(StreamRef(stream.account_id, stream.region, stream.name))
        return stream

    def require_active(self, stream: Stream) -> None:
        status = self.status(stream)
        if status != "ACTIVE":
            raise not_active(stream, status)

    def require_settled(self, stream: Stream) -> None:
        """Refuse while CREATING (tags, retention and monitoring may change while UPDATING)."""
        status = self.status(stream)
        if status == "CREATING":
            raise not_active(stream, status)

    @staticmethod
    def require_provisioned(stream: Stream) -> None:
        if stream.mode == "ON_DEMAND":
            raise AwsError(
                "ValidationException",
                f"Request is invalid. Stream {stream.name} under account {stream.account_id} is in On-Demand "
                "mode.",
            )


def not_active(stream: Stream, status: str) -> AwsError:
    return AwsError(
        "ResourceInUseException",
        f"Stream {stream.name} under account {stream.account_id} not ACTIVE, instead in state {status}",
    )
