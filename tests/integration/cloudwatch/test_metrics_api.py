"""CloudWatch metrics through boto3: PutMetricData in its three forms, GetMetricStatistics (statistics,
percentiles, the 1,440-datapoint limit), GetMetricData (metric math, ScanBy, paging) and ListMetrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.cloudwatch.conftest import server_now, unique, window
from tests.support.server import ServerProcess

STATS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"]


def dims(**pairs: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in pairs.items()]


def test_put_forms_and_statistics(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    ns = unique("App")
    when = server_now(server).replace(second=5, microsecond=0)
    cw.put_metric_data(
        Namespace=ns,
        MetricData=[
            {
                "MetricName": "Latency",
                "Dimensions": dims(Svc="a"),
                "Value": 10,
                "Unit": "Milliseconds",
                "Timestamp": when,
            },
            {
                "MetricName": "Latency",
                "Dimensions": dims(Svc="a"),
                "Values": [1, 2, 3, 100],
                "Counts": [1, 1, 1, 2],
                "Unit": "Milliseconds",
                "Timestamp": when,
            },
            {
                "MetricName": "Hits",
                "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4},
                "Timestamp": when,
            },
        ],
    )
    reply = cw.get_metric_statistics(
        Namespace=ns,
        MetricName="Latency",
        Dimensions=dims(Svc="a"),
        Period=60,
        Statistics=STATS,
        ExtendedStatistics=["p50", "p99"],
        **window(server),
    )
    assert reply["Label"] == "Latency"
    [point] = reply["Datapoints"]
    assert point["Timestamp"] == when.replace(second=0)
    assert (point["SampleCount"], point["Sum"], point["Minimum"], point["Maximum"]) == (6, 216, 1, 100)
    assert point["Average"] == 36 and point["Unit"] == "Milliseconds"
    assert point["ExtendedStatistics"] == {"p50": 3.0, "p99": 100.0}
    hits = cw.get_metric_statistics(
        Namespace=ns, MetricName="Hits", Period=300, Statistics=["Sum", "Maximum"], **window(server)
    )
    assert [(p["Sum"], p["Maximum"], p["Unit"]) for p in hits["Datapoints"]] == [(10, 4, "None")]
    assert "SampleCount" not in hits["Datapoints"][0]
    # A metric's identity is its complete dimension set: no dimensions is another metric.
    other = cw.get_metric_statistics(
        Namespace=ns, MetricName="Latency", Period=60, Statistics=["Sum"], **window(server)
    )
    assert other["Datapoints"] == []
    by_unit = cw.get_metric_statistics(
        Namespace=ns, MetricName="Latency", Dimensions=dims(Svc="a"), Period=60, Statistics=["Sum"],
        Unit="Seconds", **window(server),
    )  # fmt: skip
    assert by_unit["Datapoints"] == []


def test_high_resolution_periods(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    ns = unique("Hi")
    base = server_now(server).replace(microsecond=0) - timedelta(minutes=2)
    data = [
        {
            "MetricName": "M",
            "Value": float(i),
            "StorageResolution": 1,
            "Timestamp": base + timedelta(seconds=i),
        }
        for i in range(10)
    ]
    cw.put_metric_data(Namespace=ns, MetricData=data)
    fine = cw.get_metric_statistics(
        Namespace=ns, MetricName="M", Period=1, Statistics=["Sum"],
        StartTime=base, EndTime=base + timedelta(seconds=10),
    )  # fmt: skip
    assert sorted(p["Sum"] for p in fine["Datapoints"]) == [float(i) for i in range(10)]
    coarse = cw.get_metric_statistics(
        Namespace=ns, MetricName="M", Period=60, Statistics=["Sum"], **window(server)
    )
    assert sum(p["Sum"] for p in coarse["Datapoints"]) == 45


def test_aws_errors(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    now = server_now(server)
    with pytest.raises(ClientError) as raised:
        cw.get_metric_statistics(
            Namespace="X",
            MetricName="M",
            Period=1,
            Statistics=["Sum"],
            StartTime=now - timedelta(days=1),
            EndTime=now,
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert raised.value.response["Error"]["Message"] == (
        "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the "
        "datapoints requested by increasing Period, or decreasing the time range."
    )
    with pytest.raises(ClientError) as raised:
        cw.get_metric_statistics(
            Namespace="X", MetricName="M", Period=60, Statistics=["Sum"], StartTime=now, EndTime=now
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "StartTime must be less than" in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as raised:
        cw.put_metric_data(Namespace="X", MetricData=[{"MetricName": "M", "Value": 1, "Values": [1]}])
    assert raised.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert raised.value.response["Error"]["Message"] == (
        "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive "
        "and you have specified both."
    )
    with pytest.raises(ClientError) as raised:
        cw.put_metric_data(Namespace="X", MetricData=[{"MetricName": "M", "Values": [1, 2], "Counts": [1]}])
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def query(qid: str, ns: str, name: str, stat: str = "Sum", period: int = 60, **extra: Any) -> dict[str, Any]:
    metric = {"Namespace": ns, "MetricName": name}
    return {"Id": qid, "MetricStat": {"Metric": metric, "Period": period, "Stat": stat}, **extra}


def test_get_metric_data_math_order_and_paging(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    ns = unique("Math")
    start = server_now(server).replace(second=0, microsecond=0) - timedelta(minutes=10)
    data = []
    for minute in (0, 1, 3):  # minute 2 has no data
        when = start + timedelta(minutes=minute, seconds=1)
        data += [
            {"MetricName": "A", "Value": 10.0 * (minute + 1), "Timestamp": when},
            {"MetricName": "B", "Value": 2.0, "Timestamp": when},
        ]
    cw.put_metric_data(Namespace=ns, MetricData=data)
    span = {"StartTime": start, "EndTime": start + timedelta(minutes=5)}
    reply = cw.get_metric_data(
        MetricDataQueries=[
            query("a", ns, "A", ReturnData=False),
            query("b", ns, "B", Label="bee"),
            {"Id": "ratio", "Expression": "a / b", "Label": "ratio"},
            {"Id": "total", "Expression": "SUM([a, b])"},
            {"Id": "filled", "Expression": "FILL(a, 0)"},
            {"Id": "peak", "Expression": "MAX(a)"},
        ],
        ScanBy="TimestampAscending",
        **span,
    )
    results = {r["Id"]: r for r in reply["MetricDataResults"]}
    assert "a" not in results and results["b"]["Label"] == "bee"
    assert results["ratio"]["Values"] == [5.0, 10.0, 20.0]
    assert results["total"]["Values"] == [12.0, 22.0, 42.0]
    assert results["filled"]["Values"] == [10.0, 20.0, 0.0, 40.0, 0.0]
    assert results["peak"]["Values"] == [40.0, 40.0, 40.0]
    assert [t - start for t in results["ratio"]["Timestamps"]] == [timedelta(minutes=m) for m in (0, 1, 3)]
    assert all(r["StatusCode"] == "Complete" for r in results.values())
    newest_first = cw.get_metric_data(MetricDataQueries=[query("a", ns, "A")], **span)
    assert newest_first["MetricDataResults"][0]["Values"] == [40.0, 20.0, 10.0]
    pages, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = cw.get_metric_data(MetricDataQueries=[query("a", ns, "A")], MaxDatapoints=2, **span, **extra)
        pages.append(page["MetricDataResults"][0]["Values"])
        token = page.get("NextToken")
        if not token:
            break
    assert pages == [[40.0, 20.0], [10.0]]


def test_list_metrics_filters(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    ns = unique("List")
    cw.put_metric_data(
        Namespace=ns,
        MetricData=[
            {"MetricName": "Req", "Dimensions": dims(Svc="a", Stage="prod"), "Value": 1},
            {"MetricName": "Req", "Dimensions": dims(Svc="b"), "Value": 1},
            {"MetricName": "Err", "Value": 1},
        ],
    )

    def names(**filters: Any) -> list[tuple[str, list[dict[str, str]]]]:
        metrics = cw.list_metrics(Namespace=ns, **filters)["Metrics"]
        return sorted(((m["MetricName"], m["Dimensions"]) for m in metrics), key=repr)

    assert len(names()) == 3
    assert [n for n, _ in names(MetricName="Req")] == ["Req", "Req"]
    assert names(Dimensions=[{"Name": "Svc", "Value": "b"}]) == [("Req", dims(Svc="b"))]
    assert names(Dimensions=[{"Name": "Stage"}]) == [("Req", dims(Stage="prod", Svc="a"))]
    assert len(names(RecentlyActive="PT3H")) == 3
    paginated = [
        m for page in cw.get_paginator("list_metrics").paginate(Namespace=ns) for m in page["Metrics"]
    ]
    assert len(paginated) == 3
