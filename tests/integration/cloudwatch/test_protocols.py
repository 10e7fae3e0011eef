"""PutMetricData and GetMetricData over the three protocols CloudWatch clients speak: JSON 1.0 (boto3),
smithy-rpc-v2-cbor (built here with cbor2, as newer SDKs send it) and query (botocore 1.31, as older SDKs
send it). Each writes the same datapoints to its own namespace; every protocol reads back the same answers."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2
import httpx
import pytest

from tests.integration.cloudwatch.conftest import server_now, unique
from tests.support.server import ServerProcess, legacy_python

CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/"
LEGACY_PYTHON = legacy_python()
LEGACY_SCRIPT = """
import json, sys, datetime as dt
import boto3, botocore
url, ns, put = sys.argv[1], sys.argv[2], sys.argv[5] == "put"
start, end = float(sys.argv[3]), float(sys.argv[4])
cw = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
assert cw.meta.service_model.protocol == "query", cw.meta.service_model.protocol
ts = lambda s: dt.datetime.fromtimestamp(s, dt.timezone.utc)
if put:
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Orders", "Dimensions": [{"Name": "Shop", "Value": "eu"}], "Timestamp": ts(start + 5),
         "Values": [1.0, 2.0, 7.0], "Counts": [2.0, 1.0, 1.0], "Unit": "Count"},
        {"MetricName": "Orders", "Dimensions": [{"Name": "Shop", "Value": "eu"}], "Timestamp": ts(start + 65),
         "Value": 4.0, "Unit": "Count"}])
queries = [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Orders",
            "Dimensions": [{"Name": "Shop", "Value": "eu"}]}, "Period": 60, "Stat": "Sum"}},
           {"Id": "e1", "Expression": "m1 * 2"}]
reply = cw.get_metric_data(MetricDataQueries=queries, StartTime=ts(start), EndTime=ts(end))
print(json.dumps({"botocore": botocore.__version__, "results": [
    {"Id": r["Id"], "Label": r["Label"], "Values": r["Values"],
     "Timestamps": [t.timestamp() for t in r["Timestamps"]]} for r in reply["MetricDataResults"]]}))
"""


def datum(start: float) -> list[dict[str, Any]]:
    dims = [{"Name": "Shop", "Value": "eu"}]
    first = {"Values": [1.0, 2.0, 7.0], "Counts": [2.0, 1.0, 1.0]}
    return [
        {"MetricName": "Orders", "Dimensions": dims, "Timestamp": start + 5, **first, "Unit": "Count"},
        {"MetricName": "Orders", "Dimensions": dims, "Timestamp": start + 65, "Value": 4.0, "Unit": "Count"},
    ]


def queries(ns: str) -> list[dict[str, Any]]:
    metric = {"Namespace": ns, "MetricName": "Orders", "Dimensions": [{"Name": "Shop", "Value": "eu"}]}
    return [
        {"Id": "m1", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"}},
        {"Id": "e1", "Expression": "m1 * 2"},
    ]


def via_json(server: ServerProcess, ns: str, start: float, end: float, put: bool) -> list[dict[str, Any]]:
    cw = server.client("cloudwatch")
    when = lambda s: datetime.fromtimestamp(s, UTC)  # noqa: E731
    if put:
        data = [{**d, "Timestamp": when(d["Timestamp"])} for d in datum(start)]
        cw.put_metric_data(Namespace=ns, MetricData=data)
    reply = cw.get_metric_data(MetricDataQueries=queries(ns), StartTime=when(start), EndTime=when(end))
    return [
        {
            "Id": r["Id"],
            "Label": r["Label"],
            "Values": r["Values"],
            "Timestamps": [t.timestamp() for t in r["Timestamps"]],
        }
        for r in reply["MetricDataResults"]
    ]


def cbor_call(server: ServerProcess, operation: str, body: dict[str, Any]) -> httpx.Response:
    headers = {
        "smithy-protocol": "rpc-v2-cbor",
        "Content-Type": "application/cbor",
        "Accept": "application/cbor",
    }
    return httpx.post(server.url + CBOR_PATH + operation, headers=headers, content=cbor2.dumps(body))


def via_cbor(server: ServerProcess, ns: str, start: float, end: float, put: bool) -> list[dict[str, Any]]:
    epoch = lambda s: cbor2.CBORTag(1, s)  # noqa: E731
    if put:
        data = [{**d, "Timestamp": epoch(d["Timestamp"])} for d in datum(start)]
        reply = cbor_call(server, "PutMetricData", {"Namespace": ns, "MetricData": data})
        assert reply.status_code == 200, reply.content
        assert reply.headers["smithy-protocol"] == "rpc-v2-cbor"
    reply = cbor_call(
        server,
        "GetMetricData",
        {"MetricDataQueries": queries(ns), "StartTime": epoch(start), "EndTime": epoch(end)},
    )
    assert reply.status_code == 200, reply.content
    document = cbor2.loads(reply.content)

    def seconds(value: Any) -> float:
        return float(value.value) if isinstance(value, cbor2.CBORTag) else value.timestamp()

    return [
        {
            "Id": r["Id"],
            "Label": r["Label"],
            "Values": r["Values"],
            "Timestamps": [seconds(t) for t in r["Timestamps"]],
        }
        for r in document["MetricDataResults"]
    ]


def via_query(server: ServerProcess, ns: str, start: float, end: float, put: bool) -> list[dict[str, Any]]:
    if not Path(LEGACY_PYTHON).exists():
        pytest.fail(f"{LEGACY_PYTHON} is missing: `make test` installs it")
    args = [
        str(LEGACY_PYTHON),
        "-c",
        LEGACY_SCRIPT,
        server.url,
        ns,
        str(start),
        str(end),
        "put" if put else "get",
    ]
    run = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["botocore"] < "1.32"
    return list(out["results"])


CLIENTS = {"json": via_json, "cbor": via_cbor, "query": via_query}


def test_same_answers_over_every_protocol(server: ServerProcess) -> None:
    start = float(int(server_now(server).timestamp()) // 60 * 60 - 600)
    end = start + 300
    expected = [
        {"Id": "m1", "Label": "Orders", "Values": [4.0, 11.0], "Timestamps": [start + 60, start]},
        {"Id": "e1", "Label": "e1", "Values": [8.0, 22.0], "Timestamps": [start + 60, start]},
    ]
    namespaces = {}
    for name, call in CLIENTS.items():
        namespaces[name] = unique(f"Proto-{name}")
        assert call(server, namespaces[name], start, end, True) == expected, name
    for reader, call in CLIENTS.items():
        for writer, ns in namespaces.items():
            assert call(server, ns, start, end, False) == expected, (reader, writer)


def test_cbor_errors_are_cbor(server: ServerProcess) -> None:
    reply = cbor_call(server, "GetDashboard", {"DashboardName": unique("missing")})
    assert reply.status_code == 404
    document = cbor2.loads(reply.content)
    assert document["__type"].endswith("DashboardNotFoundError") or document["__type"] == "ResourceNotFound"
