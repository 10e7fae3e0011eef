"""Kinesis Data Streams: one method per operation (botocore's xform_name), each checking the model's
constraints and handing over to the module that holds the rules.

Retention is enforced when reading (records past it are never returned); storage drops them in the
background at most once a minute of clock time, started by the data-plane calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.services.housekeeping import Housekeeping
from millpond.services.kinesis import consumers, describe, reads, resharding, streams, tagging
from millpond.services.kinesis.core import Core, KinesisOptions
from millpond.services.kinesis.fanout import FanOut
from millpond.services.kinesis.limits import ShardThrottle
from millpond.services.kinesis.metrics import MetricSink
from millpond.services.kinesis.names import stream_ref
from millpond.services.kinesis.repository import KinesisRepository
from millpond.services.kinesis.shards import trim_horizon
from millpond.services.kinesis.validation import validate
from millpond.services.kinesis.writes import Writer

Params = dict[str, Any]
Result = dict[str, Any]
TRIM_INTERVAL = 60.0


class KinesisProvider:
    def __init__(
        self,
        repository: KinesisRepository,
        clock: Clock,
        options: KinesisOptions | None = None,
        metrics: MetricSink | None = None,
    ) -> None:
        self.core = Core(repository, clock, options, metrics)
        self.writer = Writer(self.core)
        self.trimming = Housekeeping("Kinesis records past retention", TRIM_INTERVAL, self._trim)
        self.fanout = FanOut(self.core)
        # Called with a stream's ARN after records were stored in it (wakes pollers and subscriptions).
        self.on_records: list[Callable[[str], None]] = [self.fanout.notify]

    def _stored(self, ctx: RequestContext, params: Params) -> None:
        if self.on_records:
            arn = stream_ref(ctx, params).arn
            for listener in self.on_records:
                listener(arn)

    # -- housekeeping ----------------------------------------------------------------------------------------

    def _housekeeping(self) -> None:
        self.trimming.poke(self.core.now())

    async def _trim(self, now: float) -> int:
        cutoffs = [(s.pk, trim_horizon(s, now)) for s in self.core.repo.all_streams()]
        return await self.core.repo.trim(cutoffs)

    async def close(self) -> None:
        self.fanout.close()
        await self.trimming.close()

    async def reset(self) -> None:
        """Forget per-node state after storage was wiped (stream ids start again)."""
        self.core.throttle = ShardThrottle(self.core.options.enforce_limits)
        self.writer = Writer(self.core)
        self.trimming.reset()
        self.fanout.close()
        self.fanout.reopen()

    # -- streams ---------------------------------------------------------------------------------------------

    async def create_stream(self, ctx: RequestContext, params: Params) -> Result:
        validate("CreateStream", params)
        return await streams.create_stream(self.core, ctx, params)

    async def delete_stream(self, ctx: RequestContext, params: Params) -> Result:
        validate("DeleteStream", params)
        return await streams.delete_stream(self.core, ctx, params)

    def describe_stream(self, ctx: RequestContext, params: Params) -> Result:
        validate("DescribeStream", params)
        return describe.describe_stream(self.core, ctx, params)

    def describe_stream_summary(self, ctx: RequestContext, params: Params) -> Result:
        validate("DescribeStreamSummary", params)
        return describe.describe_stream_summary(self.core, ctx, params)

    def list_streams(self, ctx: RequestContext, params: Params) -> Result:
        validate("ListStreams", params)
        return describe.list_streams(self.core, ctx, params)

    def list_shards(self, ctx: RequestContext, params: Params) -> Result:
        validate("ListShards", params)
        return describe.list_shards(self.core, ctx, params)

    async def update_stream_mode(self, ctx: RequestContext, params: Params) -> Result:
        validate("UpdateStreamMode", params)
        return await streams.update_stream_mode(self.core, ctx, params)

    async def increase_stream_retention_period(self, ctx: RequestContext, params: Params) -> Result:
        validate("IncreaseStreamRetentionPeriod", params)
        return await streams.change_retention(self.core, ctx, params, increase=True)

    async def decrease_stream_retention_period(self, ctx: RequestContext, params: Params) -> Result:
        validate("DecreaseStreamRetentionPeriod", params)
        return await streams.change_retention(self.core, ctx, params, increase=False)

    async def start_stream_encryption(self, ctx: RequestContext, params: Params) -> Result:
        validate("StartStreamEncryption", params)
        return await streams.start_stream_encryption(self.core, ctx, params)

    async def stop_stream_encryption(self, ctx: RequestContext, params: Params) -> Result:
        validate("StopStreamEncryption", params)
        return await streams.stop_stream_encryption(self.core, ctx, params)

    async def enable_enhanced_monitoring(self, ctx: RequestContext, params: Params) -> Result:
        validate("EnableEnhancedMonitoring", params)
        return await streams.enhanced_monitoring(self.core, ctx, params, enable=True)

    async def disable_enhanced_monitoring(self, ctx: RequestContext, params: Params) -> Result:
        validate("DisableEnhancedMonitoring", params)
        return await streams.enhanced_monitoring(self.core, ctx, params, enable=False)

    async def update_max_record_size(self, ctx: RequestContext, params: Params) -> Result:
        validate("UpdateMaxRecordSize", params)
        return await streams.update_max_record_size(self.core, ctx, params)

    async def update_stream_record_distribution_strategy(self, ctx: RequestContext, params: Params) -> Result:
        validate("UpdateStreamRecordDistributionStrategy", params)
        return await streams.update_stream_record_distribution_strategy(self.core, ctx, params)

    async def update_stream_warm_throughput(self, ctx: RequestContext, params: Params) -> Result:
        validate("UpdateStreamWarmThroughput", params)
        return await streams.update_stream_warm_throughput(self.core, ctx, params)

    def describe_limits(self, ctx: RequestContext, params: Params) -> Result:
        return streams.describe_limits(self.core, ctx, params)

    def describe_account_settings(self, ctx: RequestContext, params: Params) -> Result:
        return streams.describe_account_settings(self.core, ctx, params)

    async def update_account_settings(self, ctx: RequestContext, params: Params) -> Result:
        return await streams.update_account_settings(self.core, ctx, params)

    # -- tags and policies -----------------------------------------------------------------------------------

    async def add_tags_to_stream(self, ctx: RequestContext, params: Params) -> Result:
        validate("AddTagsToStream", params)
        return await tagging.add_tags_to_stream(self.core, ctx, params)

    async def remove_tags_from_stream(self, ctx: RequestContext, params: Params) -> Result:
        validate("RemoveTagsFromStream", params)
        return await tagging.remove_tags_from_stream(self.core, ctx, params)

    def list_tags_for_stream(self, ctx: RequestContext, params: Params) -> Result:
        validate("ListTagsForStream", params)
        return tagging.list_tags_for_stream(self.core, ctx, params)

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        validate("TagResource", params)
        return await tagging.tag_resource(self.core, ctx, params)

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        validate("UntagResource", params)
        return await tagging.untag_resource(self.core, ctx, params)

    def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        validate("ListTagsForResource", params)
        return tagging.list_tags_for_resource(self.core, ctx, params)

    async def put_resource_policy(self, ctx: RequestContext, params: Params) -> Result:
        validate("PutResourcePolicy", params)
        return await tagging.put_resource_policy(self.core, ctx, params)

    def get_resource_policy(self, ctx: RequestContext, params: Params) -> Result:
        validate("GetResourcePolicy", params)
        return tagging.get_resource_policy(self.core, ctx, params)

    async def delete_resource_policy(self, ctx: RequestContext, params: Params) -> Result:
        validate("DeleteResourcePolicy", params)
        return await tagging.delete_resource_policy(self.core, ctx, params)

    # -- records ---------------------------------------------------------------------------------------------

    async def put_record(self, ctx: RequestContext, params: Params) -> Result:
        validate("PutRecord", params)
        self._housekeeping()
        result = await self.writer.put_record(ctx, params)
        self._stored(ctx, params)
        return result

    async def put_records(self, ctx: RequestContext, params: Params) -> Result:
        validate("PutRecords", params)
        self._housekeeping()
        result = await self.writer.put_records(ctx, params)
        self._stored(ctx, params)
        return result

    def get_shard_iterator(self, ctx: RequestContext, params: Params) -> Result:
        validate("GetShardIterator", params)
        self._housekeeping()
        return reads.get_shard_iterator(self.core, ctx, params)

    def get_records(self, ctx: RequestContext, params: Params) -> Result:
        validate("GetRecords", params)
        self._housekeeping()
        return reads.get_records(self.core, ctx, params)

    # -- resharding ------------------------------------------------------------------------------------------

    async def split_shard(self, ctx: RequestContext, params: Params) -> Result:
        validate("SplitShard", params)
        return await resharding.split_shard(self.core, ctx, params)

    async def merge_shards(self, ctx: RequestContext, params: Params) -> Result:
        validate("MergeShards", params)
        return await resharding.merge_shards(self.core, ctx, params)

    async def update_shard_count(self, ctx: RequestContext, params: Params) -> Result:
        validate("UpdateShardCount", params)
        return await resharding.update_shard_count(self.core, ctx, params)

    # -- consumers -------------------------------------------------------------------------------------------

    async def register_stream_consumer(self, ctx: RequestContext, params: Params) -> Result:
        validate("RegisterStreamConsumer", params)
        return await consumers.register_stream_consumer(self.core, ctx, params)

    def describe_stream_consumer(self, ctx: RequestContext, params: Params) -> Result:
        validate("DescribeStreamConsumer", params)
        return consumers.describe_stream_consumer(self.core, ctx, params)

    def list_stream_consumers(self, ctx: RequestContext, params: Params) -> Result:
        validate("ListStreamConsumers", params)
        return consumers.list_stream_consumers(self.core, ctx, params)

    async def deregister_stream_consumer(self, ctx: RequestContext, params: Params) -> Result:
        validate("DeregisterStreamConsumer", params)
        return await consumers.deregister_stream_consumer(self.core, ctx, params)

    def subscribe_to_shard(self, ctx: RequestContext, params: Params) -> Result:
        validate("SubscribeToShard", params)
        return self.fanout.subscribe(ctx, params)
