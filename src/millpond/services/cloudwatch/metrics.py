"""PutMetricData, GetMetricStatistics and ListMetrics: validation as AWS words it, over the metric store."""

from __future__ import annotations

import base64
import math
from datetime import datetime
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.cloudwatch.aggregation import (
    STANDARD_STATISTICS,
    aligned_start,
    datapoint_count,
    period_ok,
    statistic_name,
)
from millpond.services.cloudwatch.repository import CloudWatchRepository, MetricKey
from millpond.services.cloudwatch.store import MetricStore

MAX_DATAPOINTS = 1440
MAX_DIMENSIONS = 30
MAX_VALUES = 150
LIST_PAGE = 500
TWO_WEEKS = 14 * 86400
RECENTLY_ACTIVE = 3 * 3600


def epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def combination(message: str) -> AwsError:
    return AwsError("InvalidParameterCombination", message)


def dimensions_of(raw: Any) -> list[tuple[str, str]]:
    return [(d["Name"], d["Value"]) for d in raw or []]


def wire_dimensions(key: MetricKey) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in key.dimensions]


def check_namespace(namespace: str) -> None:
    if namespace.startswith(":"):
        raise invalid(f"The value {namespace} for parameter Namespace is invalid.")
    if namespace.startswith("AWS/"):
        # AWS reserves the AWS/ prefix for its own services' metrics.
        raise invalid(f"The value {namespace} for parameter Namespace is invalid.")


class Metrics:
    def __init__(self, store: MetricStore, repository: CloudWatchRepository, clock: Clock) -> None:
        self.store = store
        self.repository = repository
        self.clock = clock

    # -- PutMetricData ------------------------------------------------------------------------------------
    async def put_metric_data(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        namespace = params["Namespace"]
        check_namespace(namespace)
        data = params.get("MetricData") or []
        if len(data) > 1000:
            raise invalid("The collection MetricData must not have a size greater than 1000.")
        now = self.clock.now()
        for index, datum in enumerate(data, 1):
            self._check_datum(datum, f"MetricData.member.{index}", now)
        for datum in data:
            self._record(ctx, namespace, datum, now)
        await self.store.flush()
        return {}

    def _check_datum(self, datum: dict[str, Any], path: str, now: float) -> None:
        if "MetricName" not in datum:
            raise AwsError("MissingParameter", f"The parameter {path}.MetricName is required.")
        dims = datum.get("Dimensions") or []
        if len(dims) > MAX_DIMENSIONS:
            raise invalid(f"The collection {path}.Dimensions must not have a size greater than 30.")
        given = [name for name in ("Value", "StatisticValues", "Values") if name in datum]
        if len(given) > 1:
            raise combination(
                f"The parameters {path}.{given[0]} and {path}.{given[1]} are mutually exclusive and you have "
                "specified both."
            )
        values = datum.get("Values")
        if values is not None:
            if len(values) > MAX_VALUES:
                raise invalid(f"The collection {path}.Values must not have a size greater than 150.")
            counts = datum.get("Counts")
            if counts is not None and len(counts) != len(values):
                raise invalid(f"The parameters {path}.Values and {path}.Counts must be of the same size.")
        elif "Counts" in datum:
            raise combination(f"The parameter {path}.Counts must be specified with {path}.Values.")
        stats = datum.get("StatisticValues")
        if stats is not None and stats["Minimum"] > stats["Maximum"]:
            raise invalid(f"The parameter {path}.StatisticValues.Maximum must be greater than Minimum.")
        for value in [datum.get("Value"), *(values or [])]:
            if value is not None and (not math.isfinite(value) or abs(value) > 2.0**360):
                raise invalid(f"The value {value} for parameter {path}.Value is invalid.")
        resolution = datum.get("StorageResolution", 60)
        if resolution not in (1, 60):
            raise invalid(f"The value {resolution} for parameter {path}.StorageResolution is invalid.")
        if "Timestamp" in datum:
            when = epoch(datum["Timestamp"])
            if when > now + 7200:
                raise invalid(
                    f"The parameter {path}.Timestamp must specify a time no more than two hours in the "
                    "future."
                )
            if when < now - TWO_WEEKS:
                raise invalid(
                    f"The parameter {path}.Timestamp must specify a time within the past two weeks."
                )

    def _record(self, ctx: RequestContext, namespace: str, datum: dict[str, Any], now: float) -> None:
        key = MetricKey.of(
            ctx.account_id, ctx.region, namespace, datum["MetricName"], dimensions_of(datum.get("Dimensions"))
        )
        unit = datum.get("Unit") or "None"
        when = epoch(datum["Timestamp"]) if "Timestamp" in datum else now
        high_res = datum.get("StorageResolution", 60) == 1
        if "Value" in datum:
            self.store.record(key, float(datum["Value"]), unit, when, high_res=high_res)
        elif "StatisticValues" in datum:
            s = datum["StatisticValues"]
            stats = (float(s["SampleCount"]), float(s["Sum"]), float(s["Minimum"]), float(s["Maximum"]))
            self.store.record_set(key, stats, unit, when, high_res=high_res)
        elif "Values" in datum:
            counts = datum.get("Counts") or [1.0] * len(datum["Values"])
            for value, count in zip(datum["Values"], counts, strict=True):
                self.store.record(key, float(value), unit, when, float(count), high_res=high_res)

    # -- GetMetricStatistics ------------------------------------------------------------------------------
    async def get_metric_statistics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        statistics = list(params.get("Statistics") or [])
        extended = list(params.get("ExtendedStatistics") or [])
        if not statistics and not extended:
            raise combination("Must specify either Statistics or ExtendedStatistics.")
        for stat in extended:
            if statistic_name(stat) is None or stat in STANDARD_STATISTICS:
                raise invalid(f"The value {stat} for parameter ExtendedStatistics is invalid.")
        start, end, period = epoch(params["StartTime"]), epoch(params["EndTime"]), int(params["Period"])
        check_range(start, end, period)
        await self.store.flush()
        key = MetricKey.of(
            ctx.account_id,
            ctx.region,
            params["Namespace"],
            params["MetricName"],
            dimensions_of(params.get("Dimensions")),
        )
        aligned = aligned_start(start, period)
        buckets = self.store.buckets(key, aligned, end, period, params.get("Unit"))
        datapoints = []
        for (timestamp, unit), aggregate in sorted(buckets.items()):
            point: dict[str, Any] = {"Timestamp": float(timestamp), "Unit": unit}
            for stat in statistics:
                point[stat] = aggregate.statistic(stat)
            if extended:
                values = {stat: aggregate.statistic(stat.lower()) for stat in extended}
                point["ExtendedStatistics"] = {k: v for k, v in values.items() if v is not None}
            datapoints.append(point)
        return {"Label": params["MetricName"], "Datapoints": datapoints}

    # -- ListMetrics --------------------------------------------------------------------------------------
    async def list_metrics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self.store.flush()
        now = self.clock.now()
        since = now - (RECENTLY_ACTIVE if params.get("RecentlyActive") == "PT3H" else TWO_WEEKS)
        name = params.get("MetricName")
        filters = params.get("Dimensions") or []
        found = []
        for key in self.repository.list_metrics(ctx.account_id, ctx.region, params.get("Namespace"), since):
            if name is not None and key.name != name:
                continue
            dims = dict(key.dimensions)
            if all(
                f["Name"] in dims and ("Value" not in f or dims[f["Name"]] == f["Value"]) for f in filters
            ):
                found.append(key)
        offset = decode_token(params.get("NextToken"))
        page = found[offset : offset + LIST_PAGE]
        result: dict[str, Any] = {
            "Metrics": [
                {"Namespace": k.namespace, "MetricName": k.name, "Dimensions": wire_dimensions(k)}
                for k in page
            ]
        }
        if offset + LIST_PAGE < len(found):
            result["NextToken"] = encode_token(offset + LIST_PAGE)
        return result


def check_range(start: float, end: float, period: int) -> None:
    if period < 1 or not period_ok(period):
        raise invalid("The parameter Period must be a multiple of 60.")
    if start >= end:
        raise invalid("The parameter StartTime must be less than the parameter EndTime.")
    requested = datapoint_count(start, end, period)
    if requested > MAX_DATAPOINTS:
        raise combination(
            f"You have requested up to {requested} datapoints, which exceeds the limit of 1440. You may "
            "reduce the datapoints requested by increasing Period, or decreasing the time range."
        )


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"millpond:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "millpond":
            raise ValueError(token)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise AwsError("InvalidNextToken", "The service couldn't process the NextToken.") from None
