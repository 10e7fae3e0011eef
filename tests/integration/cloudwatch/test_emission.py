"""The services' own metrics, read back as on AWS: a queue consumed through a mapping, a stream consumed
through another, direct invokes that fail; and an alarm on queue depth that fires and clears as the virtual
clock runs, its action messages delivered to a queue."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.cloudwatch.conftest import advance, eventually, total, unique, window
from tests.integration.event_sources.conftest import create_function, create_queue, drain, wait_state
from tests.support.server import ServerProcess

LOGGING = """
import json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["LOG_URL"], MessageBody=json.dumps({"n": len(event["Records"])}))
"""
FAILING = """
def handler(event, context):
    raise ValueError("boom")
"""


def statistic(
    server: ServerProcess, namespace: str, name: str, dims: dict[str, str], stat: str = "Sum"
) -> float:
    reply = server.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        Period=60,
        Statistics=[stat],
        **window(server),
    )
    return total(reply["Datapoints"], stat)


def metric_data_sums(
    server: ServerProcess, queries: dict[str, tuple[str, str, dict[str, str]]]
) -> dict[str, float]:
    reply = server.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": qid,
                "MetricStat": {
                    "Metric": {
                        "Namespace": ns,
                        "MetricName": name,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
                    },
                    "Period": 300,
                    "Stat": "Sum",
                },
            }
            for qid, (ns, name, dims) in queries.items()
        ],
        **window(server),
    )
    return {r["Id"]: sum(r["Values"]) for r in reply["MetricDataResults"]}


def test_counts_from_sqs_kinesis_lambda_and_mappings(cw_server: ServerProcess) -> None:
    lam, sqs, kinesis = (cw_server.client(s) for s in ("lambda", "sqs", "kinesis"))
    messages, records = 23, 17
    sqs_log, _ = create_queue(cw_server)
    kinesis_log, _ = create_queue(cw_server)
    queue_name = unique("orders")
    queue_url, queue_arn = create_queue(cw_server, queue_name)
    on_queue = create_function(cw_server, LOGGING, Environment={"Variables": {"LOG_URL": sqs_log}})
    on_stream = create_function(cw_server, LOGGING, Environment={"Variables": {"LOG_URL": kinesis_log}})
    failing = create_function(cw_server, FAILING)
    stream = unique("clicks")
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    for arn, function, extra in (
        (queue_arn, on_queue, {"BatchSize": 5}),
        (stream_arn, on_stream, {"StartingPosition": "TRIM_HORIZON", "BatchSize": 4}),
    ):
        created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, **extra)
        wait_state(cw_server, created["UUID"], "Enabled")

    for i in range(messages):
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"order {i}")
    kinesis.put_records(
        StreamName=stream,
        Records=[{"Data": f"click {i}".encode(), "PartitionKey": f"k{i}"} for i in range(records)],
    )
    for _ in range(2):
        reply = lam.invoke(FunctionName=failing, Payload=b"{}")
        assert reply["FunctionError"] == "Unhandled"

    def batches(url: str, expected: int) -> list[dict[str, Any]]:
        return drain(cw_server, url, lambda logged: sum(b["n"] for b in logged) >= expected, timeout=60)

    queue_batches = batches(sqs_log, messages)
    stream_batches = batches(kinesis_log, records)

    def settled() -> dict[str, str]:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        return sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]

    eventually(
        settled,
        lambda a: a == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"},
    )
    queue = {"QueueName": queue_name}
    # Deletes are recorded once the mapping deleted the batch; invocations once the run returned.
    eventually(
        lambda: statistic(cw_server, "AWS/SQS", "NumberOfMessagesDeleted", queue), lambda v: v == messages
    )
    assert statistic(cw_server, "AWS/SQS", "NumberOfMessagesSent", queue) == messages
    assert statistic(cw_server, "AWS/SQS", "NumberOfMessagesReceived", queue) == messages
    assert statistic(cw_server, "AWS/SQS", "SentMessageSize", queue, "SampleCount") == messages
    assert statistic(cw_server, "AWS/Kinesis", "IncomingRecords", {"StreamName": stream}) == records
    assert (
        statistic(cw_server, "AWS/Kinesis", "PutRecords.SuccessfulRecords", {"StreamName": stream}) == records
    )

    def invocations(function: str) -> float:
        return statistic(cw_server, "AWS/Lambda", "Invocations", {"FunctionName": function})

    eventually(lambda: invocations(on_stream), lambda v: v == len(stream_batches))
    assert invocations(on_queue) == len(queue_batches)
    assert statistic(cw_server, "AWS/Lambda", "Errors", {"FunctionName": on_queue}) == 0
    assert invocations(failing) == 2
    assert statistic(cw_server, "AWS/Lambda", "Errors", {"FunctionName": failing}) == 2
    duration = {"FunctionName": failing}
    assert statistic(cw_server, "AWS/Lambda", "Duration", duration, "SampleCount") == 2
    assert statistic(cw_server, "AWS/Lambda", "Duration", duration, "Maximum") > 0
    resource = {"FunctionName": failing, "Resource": failing}
    assert statistic(cw_server, "AWS/Lambda", "Invocations", resource) == 2
    assert statistic(cw_server, "AWS/Lambda", "IteratorAge", {"FunctionName": on_stream}, "SampleCount") >= 1
    assert (
        statistic(cw_server, "AWS/Lambda", "ConcurrentExecutions", {"FunctionName": failing}, "Maximum") >= 1
    )

    sums = metric_data_sums(
        cw_server,
        {
            "sent": ("AWS/SQS", "NumberOfMessagesSent", queue),
            "deleted": ("AWS/SQS", "NumberOfMessagesDeleted", queue),
            "incoming": ("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}),
            "invocations": ("AWS/Lambda", "Invocations", {"FunctionName": failing}),
            "errors": ("AWS/Lambda", "Errors", {"FunctionName": failing}),
        },
    )
    assert sums == {"sent": messages, "deleted": messages, "incoming": records, "invocations": 2, "errors": 2}
    listed = cw_server.client("cloudwatch").list_metrics(
        Namespace="AWS/SQS", Dimensions=[{"Name": "QueueName", "Value": queue_name}]
    )
    assert {"NumberOfMessagesSent", "NumberOfMessagesDeleted"} <= {m["MetricName"] for m in listed["Metrics"]}


def test_alarm_on_queue_depth_fires_and_clears(cw_server: ServerProcess) -> None:
    cw, sqs = cw_server.client("cloudwatch"), cw_server.client("sqs")
    queue_name = unique("backlog")
    queue_url, _ = create_queue(cw_server, queue_name)
    actions_url, actions_arn = create_queue(cw_server)
    alarm = unique("backlog-alarm")
    for i in range(3):
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"job {i}")
    cw.put_metric_alarm(
        AlarmName=alarm,
        AlarmDescription="too many jobs waiting",
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": queue_name}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[actions_arn],
        OKActions=[actions_arn],
    )

    def state() -> str:
        return str(cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"])

    advance(cw_server, 60)
    eventually(state, lambda s: s == "ALARM")
    [fired] = drain(cw_server, actions_url, lambda logged: len(logged) >= 1)
    assert fired["AlarmName"] == alarm and fired["NewStateValue"] == "ALARM"
    assert fired["Trigger"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert fired["Trigger"]["Dimensions"] == [{"value": queue_name, "name": "QueueName"}]
    assert fired["NewStateReason"].startswith("Threshold Crossed: 1 datapoint [3.0")

    for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    advance(cw_server, 60)
    eventually(state, lambda s: s == "OK")
    [cleared] = drain(cw_server, actions_url, lambda logged: len(logged) >= 1)
    assert cleared["NewStateValue"] == "OK" and cleared["OldStateValue"] == "ALARM"

    history = cw.describe_alarm_history(AlarmName=alarm, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from ALARM to OK"
    assert history[1]["HistorySummary"].endswith(" to ALARM")
    assert json.loads(history[0]["HistoryData"])["newState"]["stateValue"] == "OK"
    assert (
        cw.describe_alarms_for_metric(
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[{"Name": "QueueName", "Value": queue_name}],
        )["MetricAlarms"][0]["AlarmName"]
        == alarm
    )


def test_kinesis_metrics_belong_to_the_streams_region(cw_server: ServerProcess) -> None:
    stream = unique("eu-clicks")
    kinesis = cw_server.client("kinesis", region_name="eu-west-1")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.put_records(StreamName=stream, Records=[{"Data": b"x", "PartitionKey": str(i)} for i in range(7)])

    def in_region(region: str) -> float:
        reply = cw_server.client("cloudwatch", region_name=region).get_metric_statistics(
            Namespace="AWS/Kinesis",
            MetricName="IncomingRecords",
            Dimensions=[{"Name": "StreamName", "Value": stream}],
            Period=60,
            Statistics=["Sum"],
            **window(cw_server),
        )
        return total(reply["Datapoints"], "Sum")

    eventually(lambda: in_region("eu-west-1"), lambda v: v == 7)
    assert in_region("us-east-1") == 0
