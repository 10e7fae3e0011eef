"""GetMetricWidgetImage draws a widget as a PNG, and CloudWatch's stored resources — metric streams,
insight rules, anomaly detectors, alarm mute rules, query definitions — round-trip through boto3."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from tests.integration.cloudwatch.conftest import unique
from tests.support.server import ServerProcess


def test_a_widget_is_drawn_as_a_png_with_every_series(server: ServerProcess) -> None:
    cw, namespace = server.client("cloudwatch"), unique("Widget")
    now = datetime.fromtimestamp(server.get("/_millpond/clock")["now"], UTC)
    for minutes_ago, (a, b) in enumerate([(5, 1), (9, 2), (3, 7)]):
        stamp = now - timedelta(minutes=10 * minutes_ago)
        cw.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {
                    "MetricName": "Sent",
                    "Dimensions": [{"Name": "QueueName", "Value": "a"}],
                    "Value": a,
                    "Timestamp": stamp,
                },
                {
                    "MetricName": "Sent",
                    "Dimensions": [{"Name": "QueueName", "Value": "b"}],
                    "Value": b,
                    "Timestamp": stamp,
                },
            ],
        )
    widget = {
        "title": "Messages sent",
        "width": 480,
        "height": 300,
        "start": "-PT1H",
        "end": "P0D",
        "period": 60,
        "stat": "Sum",
        "metrics": [
            [namespace, "Sent", "QueueName", "a", {"color": "#ff0000", "label": "queue a"}],
            [".", ".", ".", "b", {"color": "#0000ff"}],
        ],
    }
    image = Image.open(
        io.BytesIO(cw.get_metric_widget_image(MetricWidget=json.dumps(widget))["MetricWidgetImage"])
    )
    assert image.format == "PNG" and image.size == (480, 300)
    colours = {pixel for _, pixel in image.convert("RGB").getcolors(480 * 300)}
    assert (255, 0, 0) in colours and (0, 0, 255) in colours  # both series are drawn, and their legend
    single = {**widget, "view": "singleValue", "width": 300, "height": 120}
    assert cw.get_metric_widget_image(MetricWidget=json.dumps(single))["MetricWidgetImage"].startswith(
        b"\x89PNG"
    )
    for bad in ("not json", json.dumps({"metrics": []}), json.dumps({**widget, "start": "yesterday"})):
        with pytest.raises(ClientError) as refused:
            cw.get_metric_widget_image(MetricWidget=bad)
        assert refused.value.response["Error"]["Code"] == "InvalidParameterInput"


def test_metric_streams_insight_rules_and_anomaly_detectors(server: ServerProcess) -> None:
    cw, name = server.client("cloudwatch"), unique("stream")
    firehose, role = (
        "arn:aws:firehose:us-east-1:000000000000:deliverystream/d",
        "arn:aws:iam::000000000000:role/r",
    )
    arn = cw.put_metric_stream(Name=name, FirehoseArn=firehose, RoleArn=role, OutputFormat="json")["Arn"]
    assert arn == f"arn:aws:cloudwatch:us-east-1:000000000000:metric-stream/{name}"
    cw.stop_metric_streams(Names=[name])
    assert cw.get_metric_stream(Name=name)["State"] == "stopped"
    assert name in [e["Name"] for e in cw.list_metric_streams()["Entries"]]
    cw.delete_metric_stream(Name=name)
    with pytest.raises(ClientError) as gone:
        cw.get_metric_stream(Name=name)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"

    rule = unique("rule")
    definition = {
        "Schema": {"Name": "CloudWatchLogRule", "Version": 1},
        "LogGroupNames": ["/app"],
        "LogFormat": "JSON",
        "Contribution": {"Keys": ["$.ip"]},
        "AggregateOn": "Count",
    }
    cw.put_insight_rule(RuleName=rule, RuleDefinition=json.dumps(definition))
    cw.disable_insight_rules(RuleNames=[rule])
    [described] = [r for r in cw.describe_insight_rules()["InsightRules"] if r["Name"] == rule]
    assert described["State"] == "DISABLED"
    assert described["Schema"] == '{"Name": "CloudWatchLogRule", "Version": 1}'  # the model's docs
    # A definition naming its schema as a bare string is accepted too (it was a 500).
    short = unique("rule")
    bare_schema = json.dumps({**definition, "Schema": "CloudWatchLogRule"})
    cw.put_insight_rule(RuleName=short, RuleDefinition=bare_schema)
    assert short in [r["Name"] for r in cw.describe_insight_rules()["InsightRules"]]
    with pytest.raises(ClientError) as not_object:
        cw.put_insight_rule(RuleName=unique("rule"), RuleDefinition="[1, 2]")
    assert not_object.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert (
        cw.delete_insight_rules(RuleNames=[rule, "no-such-rule"])["Failures"][0]["FailureResource"]
        == "no-such-rule"
    )

    metric = {
        "Namespace": "AWS/SQS",
        "MetricName": "NumberOfMessagesSent",
        "Dimensions": [{"Name": "QueueName", "Value": "orders"}],
        "Stat": "Sum",
    }
    cw.put_anomaly_detector(SingleMetricAnomalyDetector=metric)
    [detector] = cw.describe_anomaly_detectors(MetricName="NumberOfMessagesSent")["AnomalyDetectors"]
    assert (
        detector["SingleMetricAnomalyDetector"]["Stat"] == "Sum"
        and detector["StateValue"] == "PENDING_TRAINING"
    )
    cw.delete_anomaly_detector(SingleMetricAnomalyDetector=metric)
    assert cw.describe_anomaly_detectors(MetricName="NumberOfMessagesSent")["AnomalyDetectors"] == []


def test_a_composite_alarm_follows_the_alarms_its_rule_reads(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    errors, latency, both = unique("errors"), unique("latency"), unique("both")
    for name in (errors, latency):
        cw.put_metric_alarm(
            AlarmName=name,
            Namespace=unique("App"),
            MetricName="M",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    rule = f'ALARM("{errors}") AND NOT OK(arn:aws:cloudwatch:us-east-1:000000000000:alarm:{latency})'
    cw.put_composite_alarm(AlarmName=both, AlarmRule=rule, AlarmDescription="errors and slow")

    def composite_state() -> str:
        [found] = cw.describe_alarms(AlarmNames=[both], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
        return str(found["StateValue"])

    assert composite_state() == "OK"
    cw.set_alarm_state(AlarmName=errors, StateValue="ALARM", StateReason="test")
    assert composite_state() == "ALARM"  # latency is INSUFFICIENT_DATA, not OK: NOT OK(...) holds
    cw.set_alarm_state(AlarmName=latency, StateValue="OK", StateReason="test")
    assert composite_state() == "OK"
    cw.set_alarm_state(AlarmName=latency, StateValue="ALARM", StateReason="test")
    [found] = cw.describe_alarms(AlarmNames=[both], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert found["StateValue"] == "ALARM" and found["AlarmRule"] == rule
    assert found["StateReason"].startswith(
        f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{latency} transitioned to ALARM"
    )
    cw.set_alarm_state(AlarmName=errors, StateValue="OK", StateReason="test")
    assert composite_state() == "OK"
    assert cw.describe_alarms(AlarmNames=[both])["MetricAlarms"] == []  # metric alarms only, by default
    history = cw.describe_alarm_history(AlarmName=both, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [h["AlarmType"] for h in history] == ["CompositeAlarm"] * len(history) and len(history) >= 2
    for bad_rule, words in [
        ("ALARM(nope-" + uuid.uuid4().hex + ")", "do not exist"),
        ("ALARM(", "Error in AlarmRule"),
    ]:
        with pytest.raises(ClientError) as refused:
            cw.put_composite_alarm(AlarmName=unique("bad"), AlarmRule=bad_rule)
        assert (
            refused.value.response["Error"]["Code"] == "ValidationError"
            and words in refused.value.response["Error"]["Message"]
        )
