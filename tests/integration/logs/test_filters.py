"""Metric filters feeding CloudWatch (and an alarm), subscription filters streaming a function's log to
Kinesis and to another function in AWS's gzipped envelope, and Logs Insights queries — through boto3."""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.cloudwatch.conftest import advance, eventually, total, unique, window
from tests.integration.event_sources.conftest import create_function
from tests.support.server import ServerProcess, make_server


@pytest.fixture(scope="module")
def logs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's own: its virtual clock is advanced for the alarm."""
    process = make_server(tmp_path_factory.mktemp("logs-filters"), "--in-memory").start()
    yield process
    process.stop()


def put(server: ServerProcess, group: str, messages: list[str], stream: str = "app") -> int:
    logs = server.client("logs")
    now = int(server.get("/_millpond/clock")["now"] * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )
    return now


def group_with_stream(server: ServerProcess, stream: str = "app") -> str:
    logs, group = server.client("logs"), f"/app/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    return group


def metric_sum(server: ServerProcess, namespace: str, name: str, dims: dict[str, str] | None = None) -> float:
    reply = server.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in (dims or {}).items()],
        Period=60,
        Statistics=["Sum"],
        **window(server),
    )
    return total(reply["Datapoints"], "Sum")


def test_a_metric_filter_counting_errors_feeds_an_alarm(logs_server: ServerProcess) -> None:
    logs, cw = logs_server.client("logs"), logs_server.client("cloudwatch")
    group, namespace = group_with_stream(logs_server), unique("App")
    logs.put_metric_filter(
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[
            {"metricName": "ErrorCount", "metricNamespace": namespace, "metricValue": "1", "unit": "Count"}
        ],
    )
    [described] = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert described["filterName"] == "errors" and described["filterPattern"] == "ERROR"
    assert described["metricTransformations"][0]["metricValue"] == "1"
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 1
    put(logs_server, group, ["INFO started", "ERROR disk full", "ERROR again", "WARN slow"])
    assert eventually(lambda: metric_sum(logs_server, namespace, "ErrorCount"), lambda v: v == 2) == 2

    alarm = unique("errors")
    cw.put_metric_alarm(
        AlarmName=alarm,
        Namespace=namespace,
        MetricName="ErrorCount",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    advance(logs_server, 60)

    def state() -> str:
        return str(cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"])

    assert eventually(state, lambda s: s == "ALARM") == "ALARM"
    logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
    with pytest.raises(ClientError) as gone:
        logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_metric_values_and_dimensions_come_from_json_fields(logs_server: ServerProcess) -> None:
    logs, group, namespace = logs_server.client("logs"), group_with_stream(logs_server), unique("Api")
    logs.put_metric_filter(
        logGroupName=group,
        filterName="latency",
        filterPattern='{ $.type = "request" }',
        metricTransformations=[
            {
                "metricName": "Latency",
                "metricNamespace": namespace,
                "metricValue": "$.ms",
                "dimensions": {"Route": "$.route"},
                "unit": "Milliseconds",
            }
        ],
    )
    put(
        logs_server,
        group,
        [
            json.dumps({"type": "request", "route": "/orders", "ms": 30}),
            json.dumps({"type": "request", "route": "/orders", "ms": 12}),
            json.dumps({"type": "request", "route": "/events", "ms": 5}),
            json.dumps({"type": "startup", "route": "/orders", "ms": 999}),
        ],
    )
    orders = eventually(lambda: metric_sum(logs_server, namespace, "Latency", {"Route": "/orders"}), bool)
    assert orders == 42 and metric_sum(logs_server, namespace, "Latency", {"Route": "/events"}) == 5
    assert logs.test_metric_filter(filterPattern="ERROR", logEventMessages=["ok", "ERROR x"])["matches"] == [
        {"eventNumber": 2, "eventMessage": "ERROR x", "extractedValues": {}}
    ]


@pytest.mark.parametrize(
    ("group", "pattern", "value", "code"),
    [
        ("/no/such/group", "", "1", "ResourceNotFoundException"),
        (None, "{ $.x = ", "1", "InvalidParameterException"),
        (None, "", "lots", "InvalidParameterException"),
    ],
)
def test_metric_filter_validation(
    logs_server: ServerProcess, group: str | None, pattern: str, value: str, code: str
) -> None:
    logs = logs_server.client("logs")
    transformation = {"metricName": "M", "metricNamespace": "N", "metricValue": value}
    with pytest.raises(ClientError) as refused:
        logs.put_metric_filter(
            logGroupName=group or group_with_stream(logs_server),
            filterName="f",
            filterPattern=pattern,
            metricTransformations=[transformation],
        )
    assert refused.value.response["Error"]["Code"] == code


RELAY = """
import base64, gzip, json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    document = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(document))
"""
TALKER = """
def handler(event, context):
    print("ERROR order", event["order"], "failed")
    print("INFO all good")
    return "ok"
"""


def read_stream(
    server: ServerProcess, stream: str, wanted: Callable[[list[dict[str, Any]]], bool]
) -> list[Any]:
    kinesis = server.client("kinesis")
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    position, documents = iterator["ShardIterator"], []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        reply = kinesis.get_records(ShardIterator=position)
        position = reply["NextShardIterator"]
        documents += [json.loads(gzip.decompress(r["Data"])) for r in reply["Records"]]
        if wanted(documents):
            break
        time.sleep(0.1)
    return documents


def test_a_functions_log_streams_to_kinesis_through_a_subscription_filter(logs_server: ServerProcess) -> None:
    kinesis, logs, lambda_ = (logs_server.client(s) for s in ("kinesis", "logs", "lambda"))
    stream = unique("log-stream")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    function = create_function(logs_server, TALKER)
    group = f"/aws/lambda/{function}"
    logs.create_log_group(logGroupName=group)
    logs.put_subscription_filter(
        logGroupName=group, filterName="errors", filterPattern="ERROR", destinationArn=stream_arn
    )
    [described] = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert described["destinationArn"] == stream_arn and described["distribution"] == "ByLogStream"
    reply = lambda_.invoke(FunctionName=function, Payload=json.dumps({"order": "o-7"}))
    assert "FunctionError" not in reply
    documents = read_stream(
        logs_server, stream, lambda found: any(d["messageType"] == "DATA_MESSAGE" for d in found)
    )
    control, data = documents[0], [d for d in documents if d["messageType"] == "DATA_MESSAGE"]
    assert control["messageType"] == "CONTROL_MESSAGE"
    assert control["logEvents"][0]["message"].startswith(
        "CWL CONTROL MESSAGE: Checking health of destination"
    )
    [envelope] = data
    assert envelope["owner"] == "000000000000" and envelope["logGroup"] == group
    assert envelope["logStream"].split("/")[3].startswith("[$LATEST]")
    assert envelope["subscriptionFilters"] == ["errors"]
    [event] = envelope["logEvents"]  # the INFO line and START/END/REPORT do not match
    assert event["message"].strip() == "ERROR order o-7 failed"
    assert len(event["id"]) == 56 and event["id"].isdigit() and isinstance(event["timestamp"], int)


def test_a_subscription_filter_invokes_a_function_with_awslogs_data(logs_server: ServerProcess) -> None:
    sqs, logs = logs_server.client("sqs"), logs_server.client("logs")
    out = sqs.create_queue(QueueName=unique("relayed"))["QueueUrl"]
    relay = create_function(logs_server, RELAY, Environment={"Variables": {"OUT": out}})
    relay_arn = logs_server.client("lambda").get_function(FunctionName=relay)["Configuration"]["FunctionArn"]
    group = group_with_stream(logs_server, "web")
    logs.put_subscription_filter(
        logGroupName=group, filterName="all", filterPattern="", destinationArn=relay_arn
    )
    put(logs_server, group, ["GET /", "POST /orders"], stream="web")
    received = sqs.receive_message(QueueUrl=out, WaitTimeSeconds=20)["Messages"]
    document = json.loads(received[0]["Body"])
    assert document["messageType"] == "DATA_MESSAGE" and document["logGroup"] == group
    assert document["logStream"] == "web" and document["subscriptionFilters"] == ["all"]
    assert [e["message"] for e in document["logEvents"]] == ["GET /", "POST /orders"]


def test_subscription_filter_rules(logs_server: ServerProcess) -> None:
    logs, group = logs_server.client("logs"), group_with_stream(logs_server)
    missing = "arn:aws:kinesis:us-east-1:000000000000:stream/no-such-stream"
    with pytest.raises(ClientError) as refused:
        logs.put_subscription_filter(
            logGroupName=group, filterName="f", filterPattern="", destinationArn=missing
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "Could not deliver test message" in refused.value.response["Error"]["Message"]
    stream = unique("s")
    logs_server.client("kinesis").create_stream(StreamName=stream, ShardCount=1)
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{stream}"
    for name in ("one", "two"):
        logs.put_subscription_filter(
            logGroupName=group, filterName=name, filterPattern="", destinationArn=arn
        )
    with pytest.raises(ClientError) as third:
        logs.put_subscription_filter(
            logGroupName=group, filterName="three", filterPattern="", destinationArn=arn
        )
    assert third.value.response["Error"]["Code"] == "LimitExceededException"
    logs.delete_subscription_filter(logGroupName=group, filterName="one")
    names = [
        f["filterName"] for f in logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    ]
    assert names == ["two"]


def query(server: ServerProcess, group: str, text: str, start: int, end: int) -> list[dict[str, str]]:
    logs = server.client("logs")
    query_id = logs.start_query(logGroupName=group, startTime=start, endTime=end, queryString=text)["queryId"]
    for _ in range(100):
        reply = logs.get_query_results(queryId=query_id)
        if reply["status"] == "Complete":
            return [{cell["field"]: cell["value"] for cell in row} for row in reply["results"]]
        time.sleep(0.05)
    raise AssertionError("the query did not complete")


def test_logs_insights_filter_stats_by_bin_and_sort(logs_server: ServerProcess) -> None:
    logs, group = logs_server.client("logs"), group_with_stream(logs_server)
    base = (int(logs_server.get("/_millpond/clock")["now"]) // 60 - 10) * 60  # a minute boundary, 10 min ago
    events = [
        (base + 5, json.dumps({"level": "ERROR", "route": "/orders", "ms": 40})),
        (base + 20, json.dumps({"level": "INFO", "route": "/orders", "ms": 10})),
        (base + 61, json.dumps({"level": "ERROR", "route": "/events", "ms": 70})),
        (base + 62, json.dumps({"level": "ERROR", "route": "/orders", "ms": 30})),
        (base + 130, "plain text ERROR line"),
    ]
    logs.put_log_events(
        logGroupName=group,
        logStreamName="app",
        logEvents=[{"timestamp": t * 1000, "message": m} for t, m in events],
    )
    rows = query(
        logs_server,
        group,
        'filter level = "ERROR" | stats count(*) as errors, avg(ms) as mean by bin(1m) as minute'
        " | sort minute",
        base - 60,
        base + 600,
    )
    assert rows == [
        {"minute": _minute(base), "errors": "1", "mean": "40"},
        {"minute": _minute(base + 60), "errors": "2", "mean": "50"},
    ]
    newest = query(
        logs_server,
        group,
        "fields @timestamp, @message | filter @message like /ERROR/ | limit 2",
        base,
        base + 600,
    )
    assert [r["@message"] for r in newest] == ["plain text ERROR line", events[3][1]]
    assert all("@ptr" in r for r in newest)
    parsed = query(
        logs_server,
        group,
        'filter @message like "plain" | parse @message "plain * ERROR *" as kind, rest | display kind, rest',
        base,
        base + 600,
    )
    assert [{k: v for k, v in row.items() if k != "@ptr"} for row in parsed] == [
        {"kind": "text", "rest": "line"}
    ]
    by_route = query(
        logs_server, group, "stats sum(ms) as total by route | sort total desc", base, base + 600
    )
    assert by_route == [{"route": "/orders", "total": "80"}, {"route": "/events", "total": "70"}]
    listed = logs.describe_queries(logGroupName=group)["queries"]
    assert len(listed) == 4 and all(q["status"] == "Complete" for q in listed)
    with pytest.raises(ClientError) as malformed:
        logs.start_query(
            logGroupName=group, startTime=base, endTime=base + 60, queryString="stats frobnicate(x)"
        )
    assert malformed.value.response["Error"]["Code"] == "MalformedQueryException"


def _minute(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(seconds))


def test_the_envelope_is_gzip_of_json_as_lambda_receives_it() -> None:
    from millpond.services.logs.subscriptions import data_message, lambda_payload

    data = data_message("123456789012", "/g", "s", "f", [("1" * 56, 5, "hello")])
    payload = json.loads(lambda_payload(data))
    assert json.loads(gzip.decompress(base64.b64decode(payload["awslogs"]["data"]))) == {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/g",
        "logStream": "s",
        "subscriptionFilters": ["f"],
        "logEvents": [{"id": "1" * 56, "timestamp": 5, "message": "hello"}],
    }
