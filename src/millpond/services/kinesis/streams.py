"""Stream lifecycle and settings: create, delete, retention, capacity mode, encryption, enhanced monitoring,
record size, limits and account settings.
"""

from __future__ import annotations

import json
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.kinesis.core import ON_DEMAND_STREAM_LIMIT, Core
from millpond.services.kinesis.hashing import even_ranges
from millpond.services.kinesis.metrics import SHARD_LEVEL
from millpond.services.kinesis.repository import NewShard, Stream, StreamExists
from millpond.services.kinesis.shards import trim_horizon

DEFAULT_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
ON_DEMAND_SHARDS = 4  # AWS starts an on-demand stream with 4 shards (4 MiB/s in, 8 MiB/s out)
DEFAULT_MAX_RECORD_KIB = 1024
MODE_CHANGES_PER_DAY = 2
DAY = 86400.0
BILLING_COMMITMENT = "MinimumThroughputBillingCommitment"


async def create_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name: str = params["StreamName"]
    mode_details = params.get("StreamModeDetails")
    count = params.get("ShardCount")
    # No ShardCount and no mode: an on-demand stream of 4 shards (LocalStack's AWS-validated snapshot).
    mode = (
        mode_details["StreamMode"] if mode_details else ("PROVISIONED" if count is not None else "ON_DEMAND")
    )
    if mode == "ON_DEMAND":
        count = ON_DEMAND_SHARDS
    elif count is None:
        raise AwsError("InvalidArgumentException", "ShardCount is required for streams in PROVISIONED mode.")
    distribution = params.get("RecordDistributionStrategy") or "USER_PARTITION_KEY"
    if mode == "PROVISIONED" and (distribution == "AUTO" or params.get("WarmThroughputMiBps") is not None):
        what = "RecordDistributionStrategy AUTO" if distribution == "AUTO" else "WarmThroughputMiBps"
        raise AwsError("InvalidArgumentException", f"{what} is only supported for streams in ON_DEMAND mode.")
    open_count, on_demand = core.repo.count_shards(ctx.account_id, ctx.region)
    limit = core.shard_limit(ctx.region)
    if open_count + count > limit:
        raise AwsError(
            "LimitExceededException",
            f"This request would exceed the shard limit for the account {ctx.account_id} in {ctx.region}. "
            f"Current shard count for the account: {open_count}. Limit: {limit}. Number of additional shards "
            f"that would have resulted from this request: {count}. Refer to the AWS Service Limits page "
            "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and "
            "how to request higher limits.",
        )
    if mode == "ON_DEMAND" and on_demand >= ON_DEMAND_STREAM_LIMIT:
        raise AwsError(
            "LimitExceededException",
            f"This request would exceed the on-demand stream limit of {ON_DEMAND_STREAM_LIMIT} for the "
            f"account {ctx.account_id} in {ctx.region}.",
        )
    status, settles_at = core.settling("CREATING")
    now = core.now()
    stream = Stream(
        pk=0,
        account_id=ctx.account_id,
        region=ctx.region,
        name=name,
        created_at=now,
        status=status,
        settles_at=settles_at,
        mode=mode,
        retention_hours=DEFAULT_RETENTION_HOURS,
        encryption_type="NONE",
        key_id=None,
        shard_metrics=(),
        max_record_kib=params.get("MaxRecordSizeInKiB") or DEFAULT_MAX_RECORD_KIB,
        warm_throughput=params.get("WarmThroughputMiBps"),
        next_shard_index=count,
        shard_epoch=0,
        mode_changes=(),
        scalings=(),
        distribution=distribution,
    )
    shards = [NewShard(i, start, end) for i, (start, end) in enumerate(even_ranges(count))]
    try:
        await core.repo.create_stream(stream, shards, params.get("Tags") or {})
    except StreamExists:
        raise AwsError(
            "ResourceInUseException", f"Stream {name} under account {ctx.account_id} already exists."
        ) from None
    return {}


async def delete_stream(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    if core.repo.consumers(stream.pk) and not params.get("EnforceConsumerDeletion"):
        raise AwsError(
            "ResourceInUseException",
            f"Stream {stream.name} under account {stream.account_id} has registered consumers. Deregister "
            "them, or set EnforceConsumerDeletion to delete them with the stream.",
        )
    await core.repo.delete_stream(stream.pk)
    core.throttle.forget(stream.pk)
    return {}


def _retention_range(hours: int) -> None:
    if hours < DEFAULT_RETENTION_HOURS:
        raise AwsError(
            "InvalidArgumentException",
            f"Minimum allowed retention period is {DEFAULT_RETENTION_HOURS} hours. Requested retention "
            f"period ({hours} hours) is too short.",
        )
    if hours > MAX_RETENTION_HOURS:
        raise AwsError(
            "InvalidArgumentException",
            f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period "
            f"({hours} hours) is too long.",
        )


async def change_retention(
    core: Core, ctx: RequestContext, params: dict[str, Any], increase: bool
) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    hours: int = params["RetentionPeriodHours"]
    _retention_range(hours)
    core.require_settled(stream)
    current = stream.retention_hours
    if increase and hours < current:
        raise AwsError(
            "InvalidArgumentException",
            f"Requested retention period ({hours} hours) for stream {stream.name} can not be shorter than "
            f"existing retention period ({current} hours). Use DecreaseRetentionPeriod API.",
        )
    if not increase and hours > current:
        raise AwsError(
            "InvalidArgumentException",
            f"Requested retention period ({hours} hours) for stream {stream.name} can not be longer than "
            f"existing retention period ({current} hours). Use IncreaseRetentionPeriod API.",
        )
    # Records already past the old period stay gone when it grows (AWS: older data remains inaccessible).
    now = core.now()
    horizon = max(trim_horizon(stream, now), now - hours * 3600)
    await core.repo.set_retention(stream.pk, hours, horizon)
    return {}


async def update_stream_mode(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_active(stream)
    mode: str = params["StreamModeDetails"]["StreamMode"]
    if mode == stream.mode:
        raise AwsError(
            "InvalidArgumentException",
            f"Stream {stream.name} under account {stream.account_id} is already in {mode} mode.",
        )
    now = core.now()
    recent = tuple(t for t in stream.mode_changes if t > now - DAY)
    if len(recent) >= MODE_CHANGES_PER_DAY:
        raise AwsError(
            "LimitExceededException",
            f"Stream {stream.name} under account {stream.account_id} has already switched capacity mode "
            f"{MODE_CHANGES_PER_DAY} times in the last 24 hours.",
        )
    if mode == "ON_DEMAND":
        _, on_demand = core.repo.count_shards(stream.account_id, stream.region)
        if on_demand >= ON_DEMAND_STREAM_LIMIT:
            raise AwsError(
                "LimitExceededException",
                f"This request would exceed the on-demand stream limit of {ON_DEMAND_STREAM_LIMIT} for the "
                f"account {stream.account_id} in {stream.region}.",
            )
    status, settles_at = core.settling("UPDATING")
    # The shards stay as they are: AWS keeps the current capacity and scales from there.
    # Provisioned streams have neither a distribution strategy nor warm throughput.
    provisioned: dict[str, Any] = (
        {"distribution": "USER_PARTITION_KEY", "warm_throughput": None} if mode == "PROVISIONED" else {}
    )
    await core.repo.update_stream(
        stream.pk, mode=mode, mode_changes=(*recent, now), status=status, settles_at=settles_at, **provisioned
    )
    return {}


async def start_stream_encryption(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    if params["EncryptionType"] != "KMS":
        raise AwsError("InvalidArgumentException", f"Invalid EncryptionType {params['EncryptionType']}.")
    core.require_active(stream)
    status, settles_at = core.settling("UPDATING")
    await core.repo.update_stream(
        stream.pk, encryption_type="KMS", key_id=params["KeyId"], status=status, settles_at=settles_at
    )
    return {}


async def stop_stream_encryption(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_active(stream)
    status, settles_at = core.settling("UPDATING")
    await core.repo.update_stream(
        stream.pk, encryption_type="NONE", key_id=None, status=status, settles_at=settles_at
    )
    return {}


def _metric_names(requested: list[str]) -> set[str]:
    return set(SHARD_LEVEL) if "ALL" in requested else set(requested)


async def enhanced_monitoring(
    core: Core, ctx: RequestContext, params: dict[str, Any], enable: bool
) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_settled(stream)
    current = set(stream.shard_metrics)
    changed = _metric_names(params["ShardLevelMetrics"])
    desired = current | changed if enable else current - changed
    ordered = tuple(name for name in SHARD_LEVEL if name in desired)
    await core.repo.update_stream(stream.pk, shard_metrics=ordered)
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "CurrentShardLevelMetrics": list(stream.shard_metrics),
        "DesiredShardLevelMetrics": list(ordered),
    }


async def update_max_record_size(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    core.require_active(stream)
    await core.repo.update_stream(stream.pk, max_record_kib=params["MaxRecordSizeInKiB"])
    return {}


async def update_stream_record_distribution_strategy(
    core: Core, ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    strategy: str = params["RecordDistributionStrategy"]
    if strategy == "AUTO" and stream.mode != "ON_DEMAND":
        raise AwsError(
            "InvalidArgumentException",
            f"Stream {stream.name} under account {stream.account_id} is in PROVISIONED mode; the AUTO record "
            "distribution strategy is only supported for streams in ON_DEMAND mode.",
        )
    core.require_settled(stream)
    # The switch takes effect at once, without an UPDATING phase.
    await core.repo.update_stream(stream.pk, distribution=strategy)
    return {}


async def update_stream_warm_throughput(
    core: Core, ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    stream = core.stream(ctx, params)
    if stream.mode != "ON_DEMAND":
        raise AwsError(
            "InvalidArgumentException",
            f"Stream {stream.name} under account {stream.account_id} is in PROVISIONED mode; warm throughput "
            "is only supported for streams in ON_DEMAND mode.",
        )
    if _billing(core, ctx)["Status"] == "DISABLED":
        raise AwsError(
            "InvalidArgumentException",
            f"Warm throughput needs {BILLING_COMMITMENT} enabled for account {stream.account_id}.",
        )
    core.require_active(stream)
    target: int = params["WarmThroughputMiBps"]
    status, settles_at = core.settling("UPDATING")
    await core.repo.update_stream(stream.pk, warm_throughput=target, status=status, settles_at=settles_at)
    return {
        "StreamARN": stream.arn,
        "StreamName": stream.name,
        "WarmThroughput": {"TargetMiBps": target, "CurrentMiBps": stream.warm_throughput or 0},
    }


def describe_limits(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    open_count, on_demand = core.repo.count_shards(ctx.account_id, ctx.region)
    return {
        "ShardLimit": core.shard_limit(ctx.region),
        "OpenShardCount": open_count,
        "OnDemandStreamCount": on_demand,
        "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT,
    }


def _billing(core: Core, ctx: RequestContext) -> dict[str, Any]:
    stored = core.repo.account_setting(ctx.account_id, ctx.region, BILLING_COMMITMENT)
    return json.loads(stored) if stored else {"Status": "DISABLED"}


def describe_account_settings(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return {BILLING_COMMITMENT: _billing(core, ctx)}


async def update_account_settings(core: Core, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    wanted = params.get(BILLING_COMMITMENT, {}).get("Status")
    if wanted not in ("ENABLED", "DISABLED"):
        raise AwsError("ValidationException", f"Invalid {BILLING_COMMITMENT} status {wanted}.")
    now = core.now()
    current = _billing(core, ctx)
    if wanted == "ENABLED":
        # AWS holds the commitment for at least 24 hours once enabled.
        setting = {"Status": "ENABLED", "StartedAt": now, "EarliestAllowedEndAt": now + DAY}
    elif current["Status"] == "ENABLED" and now < current.get("EarliestAllowedEndAt", 0):
        setting = {
            **current,
            "Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END",
            "EndedAt": current["EarliestAllowedEndAt"],
        }
    else:
        setting = {"Status": "DISABLED"}
    await core.repo.put_account_setting(ctx.account_id, ctx.region, BILLING_COMMITMENT, json.dumps(setting))
    return {BILLING_COMMITMENT: setting}
