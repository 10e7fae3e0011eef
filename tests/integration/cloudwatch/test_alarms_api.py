"""Alarm management through boto3: PutMetricAlarm, DescribeAlarms filters, SetAlarmState with its history
and actions, Enable/DisableAlarmActions, tags, DeleteAlarms."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.cloudwatch.conftest import unique
from tests.integration.event_sources.conftest import create_queue, drain
from tests.support.server import ServerProcess


def test_alarm_lifecycle(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    actions_url, actions_arn = create_queue(server)
    name = unique("cpu")
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace="App",
        MetricName="Load",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        Threshold=0.8,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[actions_arn],
        Tags=[{"Key": "team", "Value": "ops"}],
    )
    [alarm] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA" and alarm["ActionsEnabled"] is True
    assert alarm["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{name}"
    assert (alarm["DatapointsToAlarm"], alarm["Threshold"], alarm["Dimensions"]) == (2, 0.8, [])
    assert cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"] == [
        {"Key": "team", "Value": "ops"}
    ]
    assert [a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix=name)["MetricAlarms"]] == [name]
    assert cw.describe_alarms(AlarmNames=[name], StateValue="ALARM")["MetricAlarms"] == []

    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing", StateReasonData='{"a": 1}')
    [message] = drain(server, actions_url, lambda got: len(got) >= 1)
    assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "INSUFFICIENT_DATA"
    assert message["NewStateReason"] == "testing" and message["Trigger"]["Statistic"] == "AVERAGE"
    cw.disable_alarm_actions(AlarmNames=[name])
    cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="quiet")
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="again")
    assert (
        server.client("sqs").receive_message(QueueUrl=actions_url, WaitTimeSeconds=0).get("Messages") is None
    )
    [alarm] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert alarm["ActionsEnabled"] is False and alarm["StateReason"] == "again"
    history = cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
    kinds = [h["HistoryItemType"] for h in history]
    assert kinds.count("StateUpdate") == 3 and kinds[-1] == "ConfigurationUpdate" and "Action" in kinds
    updates = [json.loads(h["HistoryData"]) for h in history if h["HistoryItemType"] == "StateUpdate"]
    assert updates[0]["newState"]["stateValue"] == "ALARM" and updates[0]["oldState"]["stateValue"] == "OK"

    with pytest.raises(ClientError) as raised:
        cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="x", StateReasonData="{bad")
    assert raised.value.response["Error"]["Code"] == "InvalidFormat"
    cw.delete_alarms(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []
    with pytest.raises(ClientError) as raised:
        cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
