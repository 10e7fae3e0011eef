"""Reading stream state: DescribeStream (shard paging), DescribeStreamSummary, ListStreams, ListShards, and
the NextTokens those hand out (opaque, valid for 300 seconds as ListShards' are on AWS).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis import shards as shard_rules
from millpond.services.kinesis.core import Core
from millpond.services.kinesis.names import shard_index
from millpond.services.kinesis.repository import Stream

TOKEN_LIFETIME = 300.0
DESCRIBE_STREAM_PAGE = 100  # DescribeStream and ListStreams return at most 100 per call
LIST_SHARDS_DEFAULT = 1000


def encode_token(payload: dict[str, Any], now: float) -> str:
    return base64.urlsafe_b64encode(
        json.dumps({**payload, "t": now}, separators=(",", ":")).encode()
    ).decode()


def decode_token(token: str, now: float, kind: str) -> dict[str, Any]:
    """The payload of a NextToken of this `kind`; InvalidArgumentException or ExpiredNextTokenException."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        payload = None
    if (
        not isinstance(payload, dict)
        or payload.get("k") != kind
        or not isinstance(payload.get("t"), float | int)
    ):
        raise AwsError("InvalidArgumentException", f"Invalid NextToken {token}.")
    if now - payload["t"] > TOKEN_LIFETIME:
        raise AwsError("ExpiredNextTokenException", f"The NextToken {token} has expired.")
    return payload


def _mode(stream: Stream) -> dict[str, str]:
    return {"StreamMode": stream.mode}


def _common(core: Core, stream: Stream) -> dict[str, Any]:
    described: dict[str, Any] = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": core.status(stream),
        "StreamModeDetails": _mode(stream),
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created_at,
        "EnhancedMonitoring": [{"ShardLevelMetrics": list(stream.shard_metrics)}],
        "EncryptionType": stream.encryption_type,
    }
    if stream.key_id is not None:
        described["KeyId"] = stream.key_id
    return described


def describe_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    limit = min(params.get("Limit") or DESCRIBE_STREAM_PAGE, DESCRIBE_STREAM_PAGE)
    now = core.now()
    # A CREATING stream shows no shards yet.
    listed = [] if core.status(stream) == "CREATING" else core.repo.shards(stream.pk)
    listed = shard_rules.retained(listed, shard_rules.trim_horizon(stream, now))
    start = params.get("ExclusiveStartShardId")
    if start is not None:
        after = shard_index(start)
        listed = [s for s in listed if after is None or s.index > after]
    page = listed[:limit]
    description = _common(core, stream)
    description["Shards"] = [shard_rules.describe(stream, shard) for shard in page]
    description["HasMoreShards"] = len(listed) > limit
    return {"StreamDescription": description}


def describe_stream_summary(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    summary = _common(core, stream)
    creating = core.status(stream) == "CREATING"
    summary["OpenShardCount"] = 0 if creating else len(shard_rules.open_shards(core.repo.shards(stream.pk)))
    summary["ConsumerCount"] = len(core.repo.consumers(stream.pk))
    summary["MaxRecordSizeInKiB"] = stream.max_record_kib
    if stream.mode == "ON_DEMAND":  # only on-demand streams report a distribution strategy
        summary["RecordDistributionStrategy"] = stream.distribution
    if stream.warm_throughput is not None:
        summary["WarmThroughput"] = {
            "TargetMiBps": stream.warm_throughput,
            "CurrentMiBps": stream.warm_throughput,
        }
    return {"StreamDescriptionSummary": summary}


def list_streams(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = min(params.get("Limit") or DESCRIBE_STREAM_PAGE, DESCRIBE_STREAM_PAGE)
    after: str | None = params.get("ExclusiveStartStreamName")
    token = params.get("NextToken")
    if token is not None:
        after = decode_token(token, core.now(), "streams")["after"]
    found = core.repo.list_streams(ctx.account_id, ctx.region, after, limit + 1)
    page, more = found[:limit], len(found) > limit
    result: dict[str, Any] = {
        "StreamNames": [stream.name for stream in page],
        "HasMoreStreams": more,
        "StreamSummaries": [
            {
                "StreamName": stream.name,
                "StreamARN": stream.arn,
                "StreamStatus": core.status(stream),
                "StreamModeDetails": _mode(stream),
                "StreamCreationTimestamp": stream.created_at,
            }
            for stream in page
        ],
    }
    if more:
        result["NextToken"] = encode_token({"k": "streams", "after": page[-1].name}, core.now())
    return result


def list_shards(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("NextToken")
    names_stream = "StreamName" in params or "StreamARN" in params
    if token is not None and names_stream:
        raise AwsError("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
    if token is None and not names_stream:
        raise AwsError("InvalidArgumentException", "Either NextToken or StreamName should be provided.")
    now = core.now()
    limit = params.get("MaxResults") or LIST_SHARDS_DEFAULT
    if token is not None:
        state = decode_token(token, now, "shards")
        stream = core.repo.stream_by_pk(state["pk"])
        if stream is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"Stream {state['name']} under account {ctx.account_id} not found.",
            )
        after: int | None = state["after"]
        shard_filter = state.get("filter")
    else:
        stream = core.stream(ctx, params)
        start = params.get("ExclusiveStartShardId")
        after = shard_index(start) if start is not None else None
        shard_filter = params.get("ShardFilter")
        if shard_filter is not None and "Timestamp" in shard_filter:
            shard_filter = {**shard_filter, "Timestamp": shard_filter["Timestamp"].timestamp()}
    status = core.status(stream)
    if status == "CREATING":
        raise AwsError(
            "ResourceInUseException",
            f"Stream {stream.name} under account {stream.account_id} not ACTIVE, instead in state {status}",
        )
    horizon = shard_rules.trim_horizon(stream, now)
    listed = shard_rules.retained(core.repo.shards(stream.pk), horizon)
    if shard_filter is not None:
        filter_after = shard_index(shard_filter["ShardId"]) if shard_filter.get("ShardId") else None
        listed = shard_rules.filtered(
            listed, shard_filter["Type"], filter_after, shard_filter.get("Timestamp"), horizon
        )
    if after is not None:
        listed = [s for s in listed if s.index > after]
    page = listed[:limit]
    result: dict[str, Any] = {"Shards": [shard_rules.describe(stream, shard) for shard in page]}
    if len(listed) > limit:
        payload = {
            "k": "shards",
            "pk": stream.pk,
            "name": stream.name,
            "after": page[-1].index,
            "filter": shard_filter,
        }
        result["NextToken"] = encode_token(payload, now)
    return result
