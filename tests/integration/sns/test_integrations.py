"""SNS with the other services: a Lambda subscriber runs (its log shows the SNS event), CloudWatch alarm
actions and Lambda async destinations publish to topics, and AWS/SNS metrics are counted."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.integration.sns.conftest import bodies, drain, make_queue, unique
from tests.support.server import ServerProcess

PRINTING = """
import json

def handler(event, context):
    print("SNS-EVENT " + json.dumps(event))
    return {"ok": True}
"""
FAILING = """
def handler(event, context):
    raise ValueError("boom")
"""


def create_function(server: ServerProcess, source: str) -> tuple[str, str]:
    name = unique("fn")
    created = server.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
    )
    return name, created["FunctionArn"]


def logged_event(server: ServerProcess, name: str, timeout: float = 60.0) -> dict[str, object]:
    logs = server.client("logs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        for event in events:
            if event["message"].startswith("SNS-EVENT "):
                return dict(json.loads(event["message"][len("SNS-EVENT ") :]))
        time.sleep(0.2)
    raise AssertionError(f"{name} logged no SNS event")


def test_lambda_subscriber_runs_with_the_sns_event(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic = sns.create_topic(Name=unique("to-lambda"))["TopicArn"]
    name, function_arn = create_function(sns_server, PRINTING)
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    message_id = sns.publish(
        TopicArn=topic,
        Message="to the function",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )["MessageId"]
    event = logged_event(sns_server, name)
    (record,) = event["Records"]  # type: ignore[misc]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == subscription
    sns_part = record["Sns"]
    assert sns_part["Type"] == "Notification" and sns_part["MessageId"] == message_id
    assert sns_part["TopicArn"] == topic and sns_part["Message"] == "to the function"
    assert sns_part["Subject"] is None
    assert sns_part["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert sns_part["SigningCertUrl"].endswith("/_millpond/sns/SimpleNotificationService.pem")
    assert "Action=Unsubscribe" in sns_part["UnsubscribeUrl"]


def test_alarm_actions_publish_to_a_topic(sns_server: ServerProcess) -> None:
    sns, cw = sns_server.client("sns"), sns_server.client("cloudwatch")
    topic = sns.create_topic(Name=unique("alarms"))["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    name = unique("alarm")
    cw.put_metric_alarm(
        AlarmName=name, Namespace="App", MetricName="Load", Statistic="Average", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold", AlarmActions=[topic],
    )  # fmt: skip
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing")
    (envelope,) = bodies(drain(sns_server, url, 1))
    assert envelope["Subject"] == f'ALARM: "{name}" in US East (N. Virginia)'
    alarm = json.loads(envelope["Message"])
    assert (alarm["AlarmName"], alarm["NewStateValue"]) == (name, "ALARM")
    history = cw.describe_alarm_history(AlarmName=name, HistoryItemType="Action")["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == f"Successfully executed action {topic}"


def test_lambda_on_failure_destination_publishes_to_a_topic(sns_server: ServerProcess) -> None:
    sns, lam = sns_server.client("sns"), sns_server.client("lambda")
    topic = sns.create_topic(Name=unique("failures"))["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    name, _ = create_function(sns_server, FAILING)
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": topic}}
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 7}')
    (message,) = drain(sns_server, url, 1, timeout=60)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"order": 7}


def test_sns_metrics(sns_server: ServerProcess) -> None:
    sns = sns_server.client("sns")
    topic_name = unique("metered")
    topic = sns.create_topic(Name=topic_name)["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn.replace(":q-", ":missing-"))
    for i in range(3):
        sns.publish(TopicArn=topic, Message=f"m{i}")
    drain(sns_server, url, 3)
    cw = sns_server.client("cloudwatch")
    now = datetime.fromtimestamp(sns_server.get("/_millpond/clock")["now"], UTC)

    def total(metric: str) -> float:
        reply = cw.get_metric_statistics(
            Namespace="AWS/SNS", MetricName=metric, Dimensions=[{"Name": "TopicName", "Value": topic_name}],
            Period=60, Statistics=["Sum"], StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=5),
        )  # fmt: skip
        return sum(p["Sum"] for p in reply["Datapoints"])

    deadline = time.monotonic() + 20
    wanted = {
        "NumberOfMessagesPublished": 3,
        "NumberOfNotificationsDelivered": 3,
        "NumberOfNotificationsFailed": 3,
    }
    while time.monotonic() < deadline and any(total(m) != v for m, v in wanted.items()):
        time.sleep(0.2)
    assert {m: total(m) for m in wanted} == wanted
    assert total("PublishSize") == 6


def test_delivery_status_is_logged_when_the_topic_asks(sns_server: ServerProcess) -> None:
    sns, logs = sns_server.client("sns"), sns_server.client("logs")
    name = unique("status")
    role = "arn:aws:iam::000000000000:role/sns-feedback"
    topic = sns.create_topic(
        Name=name, Attributes={"SQSSuccessFeedbackRoleArn": role, "SQSFailureFeedbackRoleArn": role}
    )["TopicArn"]
    url, arn = make_queue(sns_server)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn.replace(":q-", ":gone-"))
    message_id = sns.publish(TopicArn=topic, Message="tracked")["MessageId"]
    drain(sns_server, url, 1)

    def lines(group: str) -> list[dict[str, object]]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                events = logs.filter_log_events(logGroupName=group)["events"]
            except logs.exceptions.ResourceNotFoundException:
                events = []
            if events:
                return [json.loads(e["message"]) for e in events]
            time.sleep(0.1)
        raise AssertionError(f"nothing logged in {group}")

    (success,) = lines(f"sns/us-east-1/000000000000/{name}")
    assert success["status"] == "SUCCESS"
    assert success["notification"]["messageId"] == message_id  # type: ignore[index]
    assert success["delivery"]["destination"] == arn and success["delivery"]["attempts"] == 1  # type: ignore[index]
    (failure,) = lines(f"sns/us-east-1/000000000000/{name}/Failure")
    assert failure["status"] == "FAILURE" and failure["delivery"]["statusCode"] == 400  # type: ignore[index]
