"""Kinesis actions and resources (Service Authorization Reference, "Actions defined by Amazon Kinesis").

Stream operations are checked against the stream ARN (from StreamARN, or StreamName in the caller's
account and region); consumer operations against the consumer ARN; GetRecords against the stream its
shard iterator was issued for.
"""

from __future__ import annotations

from millpond.errors import AwsError
from millpond.services.iam.actions import ANY, Call, kinds
from millpond.services.kinesis import iterators

PREFIX = "kinesis"
RESOURCES: dict[str, tuple[str, ...]] = {
    "stream": (
        "AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteStream",
        "DescribeStream", "DescribeStreamSummary", "DisableEnhancedMonitoring", "EnableEnhancedMonitoring",
        "GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards", "ListStreamConsumers",
        "ListTagsForStream", "MergeShards", "PutRecord", "PutRecords", "RegisterStreamConsumer",
        "RemoveTagsFromStream", "SplitShard", "StartStreamEncryption", "StopStreamEncryption",
        "UpdateMaxRecordSize", "UpdateShardCount",
        "UpdateStreamMode", "UpdateStreamRecordDistributionStrategy",
        "UpdateStreamWarmThroughput",
    ),
    "iterator": ("GetRecords",),
    "consumer": ("DeregisterStreamConsumer", "DescribeStreamConsumer", "SubscribeToShard"),
    "arn": (
        "DeleteResourcePolicy", "GetResourcePolicy", "ListTagsForResource", "PutResourcePolicy",
        "TagResource", "UntagResource",
    ),
    ANY: (
        "AcknowledgeDeadLetterQueueRecords", "AcknowledgeQueueRecords", "CreateChannel", "CreateQueue",
        "DeleteChannel", "DeleteQueue", "DescribeAccountSettings", "DescribeChannel", "DescribeLimits",
        "DescribeQueue", "ListChannels", "ListQueues", "ListStreams", "ReceiveDeadLetterQueueRecords",
        "ReceiveQueueRecords", "RestoreDeadLetterQueueRecords", "UpdateAccountSettings", "UpdateChannel",
        "UpdateDeadLetterQueueRecordsVisibility", "UpdateQueue", "UpdateQueueRecordsVisibility",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS: dict[str, str] = {}


def stream_arn(call: Call, name: str) -> str:
    return f"arn:aws:kinesis:{call.region}:{call.account}:stream/{name}"


def arns(kind: str, call: Call) -> list[str]:
    params = call.params
    if kind == "stream" or (kind == "consumer" and not params.get("ConsumerARN")):
        if params.get("StreamARN"):
            return [str(params["StreamARN"])]
        return [stream_arn(call, str(params["StreamName"]))] if params.get("StreamName") else []
    if kind == "iterator":
        if params.get("StreamARN"):
            return [str(params["StreamARN"])]
        try:
            return [stream_arn(call, iterators.decode(str(params.get("ShardIterator", ""))).stream_name)]
        except AwsError:
            return []  # GetRecords itself answers "Invalid ShardIterator."
    if kind == "consumer":
        return [str(params["ConsumerARN"])]
    if kind == "arn":
        return [str(params.get("ResourceARN") or ANY)]
    return [ANY]
