"""GetMetricData: MetricStat queries and metric-math expressions, ScanBy ordering, MaxDatapoints and
NextToken paging. Also the one helper every reader shares: a metric's values per period for a statistic."""

from __future__ import annotations

import re
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.cloudwatch import metric_math
from millpond.services.cloudwatch.aggregation import Aggregate, aligned_start, period_ok, statistic_name
from millpond.services.cloudwatch.metrics import decode_token, dimensions_of, encode_token, epoch
from millpond.services.cloudwatch.repository import MetricKey
from millpond.services.cloudwatch.store import MetricStore

MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


def validation(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def stat_series(
    store: MetricStore, key: MetricKey, start: int, end: float, period: int, stat: str, unit: str | None
) -> metric_math.Series:
    """{period start: statistic} for the metric; periods without data are absent."""
    merged: dict[int, Aggregate] = {}
    for (timestamp, _unit), aggregate in store.buckets(key, start, end, period, unit).items():
        merged.setdefault(timestamp, Aggregate()).merge(aggregate)
    series: metric_math.Series = {}
    for timestamp, aggregate in sorted(merged.items()):
        value = aggregate.statistic(stat)
        if value is not None:
            series[timestamp] = value
    return series


def metric_key(ctx: RequestContext, metric: dict[str, Any]) -> MetricKey:
    return MetricKey.of(
        ctx.account_id,
        ctx.region,
        metric["Namespace"],
        metric["MetricName"],
        dimensions_of(metric.get("Dimensions")),
    )


async def get_metric_data(store: MetricStore, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    queries = params.get("MetricDataQueries") or []
    start, end = epoch(params["StartTime"]), epoch(params["EndTime"])
    if start >= end:
        raise validation("The parameter StartTime must be less than the parameter EndTime.")
    if len(queries) > MAX_QUERIES:
        raise validation("The collection MetricDataQueries must not have a size greater than 500.")
    _check_queries(queries)
    await store.flush()
    periods = [int(q.get("MetricStat", {}).get("Period") or q.get("Period") or 0) for q in queries]
    default_period = min([p for p in periods if p] or [60])
    values: dict[str, metric_math.Series] = {}
    labels: dict[str, str] = {}
    metric_ids = tuple(q["Id"] for q in queries if "MetricStat" in q)
    for query in queries:
        if "MetricStat" not in query:
            continue
        stat_spec = query["MetricStat"]
        period = int(stat_spec["Period"])
        stat = statistic_name(stat_spec["Stat"]) or stat_spec["Stat"]
        values[query["Id"]] = stat_series(
            store, metric_key(ctx, stat_spec["Metric"]), aligned_start(start, period), end, period, stat,
            stat_spec.get("Unit"),
        )  # fmt: skip
        labels[query["Id"]] = query.get("Label") or stat_spec["Metric"]["MetricName"]
    pending = [q for q in queries if "Expression" in q]
    messages: dict[str, list[dict[str, str]]] = {}
    while pending:  # expressions may reference each other, in any order
        progressed = False
        for query in list(pending):
            needed = metric_math.references(query["Expression"]) & {q["Id"] for q in queries}
            if not needed <= values.keys():
                continue
            period = int(query.get("Period") or default_period)
            origin = aligned_start(start, period)
            grid = tuple(range(origin, int(end), period))
            context = metric_math.Context(values, metric_ids, grid)
            try:
                values[query["Id"]] = metric_math.evaluate(query["Expression"], context)
            except metric_math.MathError as error:
                raise validation(f"Error in expression {query['Id']}: {error}") from None
            labels[query["Id"]] = query.get("Label") or query["Id"]
            pending.remove(query)
            progressed = True
        if not progressed:
            raise validation(f"Error in expression {pending[0]['Id']}: Circular or unknown reference")
    descending = params.get("ScanBy", "TimestampDescending") != "TimestampAscending"
    results = []
    for query in queries:
        if query.get("ReturnData", True) is False:
            continue
        points = sorted(values[query["Id"]].items(), reverse=descending)
        result: dict[str, Any] = {"Id": query["Id"], "Label": labels[query["Id"]], "StatusCode": "Complete"}
        result["_points"] = points
        if query["Id"] in messages:
            result["Messages"] = messages[query["Id"]]
        results.append(result)
    return _page(results, params)


def _check_queries(queries: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    returned = 0
    for index, query in enumerate(queries, 1):
        path = f"MetricDataQueries.member.{index}"
        query_id = query.get("Id", "")
        if not _ID.match(query_id):
            raise validation(
                f"The value {query_id} for parameter {path}.Id is invalid. It must start with a lowercase "
                "letter and contain only letters, numbers and underscores."
            )
        if query_id in seen:
            raise validation(f"The value {query_id} for parameter {path}.Id is duplicated.")
        seen.add(query_id)
        has_stat, has_expression = "MetricStat" in query, "Expression" in query
        if has_stat == has_expression:
            raise validation(
                f"Exactly one element of the {path}.MetricStat or the {path}.Expression should be specified."
            )
        if has_stat:
            period = int(query["MetricStat"].get("Period") or 0)
            if not period_ok(period):
                raise validation(f"The value {period} for parameter {path}.MetricStat.Period is invalid.")
            stat = query["MetricStat"].get("Stat", "")
            if statistic_name(stat) is None:
                raise validation(f"The value {stat} for parameter {path}.MetricStat.Stat is invalid.")
        if query.get("ReturnData", True) is not False:
            returned += 1
    if queries and not returned:
        raise validation("No query has ReturnData set to true.")


def _page(results: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    limit = int(params.get("MaxDatapoints") or DEFAULT_MAX_DATAPOINTS)
    offset = decode_token(params.get("NextToken"))
    skipped, room, remaining = offset, limit, 0
    for result in results:
        points = result.pop("_points")
        take_from = min(skipped, len(points))
        skipped -= take_from
        chunk = points[take_from : take_from + room]
        room -= len(chunk)
        remaining += len(points) - take_from - len(chunk)
        result["Timestamps"] = [float(t) for t, _ in chunk]
        result["Values"] = [v for _, v in chunk]
        if remaining:
            result["StatusCode"] = "PartialData"
    reply: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if remaining:
        reply["NextToken"] = encode_token(offset + limit)
    return reply
