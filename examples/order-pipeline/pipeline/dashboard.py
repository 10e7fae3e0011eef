"""The CloudWatch dashboard: SQS, Kinesis and Lambda widgets over the pipeline's resources."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pipeline.create import error_code
from pipeline.stack import FUNCTIONS, Stack


def metric_widget(
    stack: Stack, title: str, metrics: list[list[Any]], x: int, y: int, stat: str = "Sum"
) -> dict:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": stack.region,
            "stat": stat,
            "period": 60,
            "metrics": metrics,
        },
    }


def body(stack: Stack) -> dict[str, Any]:
    functions = [stack.name(f.key) for f in FUNCTIONS]
    sqs = [
        ["AWS/SQS", metric, "QueueName", queue]
        for queue in (stack.queue, stack.dlq)
        for metric in ("NumberOfMessagesSent", "NumberOfMessagesDeleted")
    ]
    depth = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q] for q in (stack.queue, stack.dlq)
    ]
    kinesis = [
        ["AWS/Kinesis", m, "StreamName", stack.stream] for m in ("IncomingRecords", "GetRecords.Records")
    ]
    invocations = [["AWS/Lambda", "Invocations", "FunctionName", f] for f in functions]
    errors = [["AWS/Lambda", m, "FunctionName", f] for f in functions for m in ("Errors", "Throttles")]
    duration = [["AWS/Lambda", "Duration", "FunctionName", f] for f in functions]
    iterator_age = [["AWS/Lambda", "IteratorAge", "FunctionName", stack.name("stream-processor")]]
    return {
        "widgets": [
            {
                "type": "text",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 2,
                "properties": {
                    "markdown": f"# Order pipeline ({stack.prefix})\nOrders: API -> SQS -> Lambda, "
                    "failures to the DLQ. Analytics: API -> Kinesis (2 shards) -> Lambda."
                },
            },
            metric_widget(stack, "SQS: messages sent and deleted", sqs, 0, 2),
            metric_widget(stack, "SQS: queue depth (orders, DLQ)", depth, 12, 2, stat="Maximum"),
            metric_widget(stack, "Kinesis: records in and read", kinesis, 0, 8),
            metric_widget(
                stack, "Lambda: stream processor iterator age (ms)", iterator_age, 12, 8, "Maximum"
            ),
            metric_widget(stack, "Lambda: invocations", invocations, 0, 14),
            metric_widget(stack, "Lambda: errors and throttles", errors, 12, 14),
            metric_widget(stack, "Lambda: duration (ms)", duration, 0, 20, stat="Average"),
        ]
    }


def not_served(error: ClientError) -> bool:
    """millpond answers NotImplemented for a service it does not serve yet."""
    return error_code(error) in ("NotImplemented", "NotImplementedException") or (
        error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 501
    )


def ensure_dashboard(stack: Stack) -> bool:
    """True if the dashboard is in place (False: this endpoint does not serve CloudWatch dashboards)."""
    wanted = body(stack)
    try:
        try:
            current = json.loads(
                stack.cloudwatch.get_dashboard(DashboardName=stack.dashboard)["DashboardBody"]
            )
        except ClientError as error:
            if error_code(error) not in ("ResourceNotFound", "ResourceNotFoundException"):
                raise
            current = None
        if current == wanted:
            stack.progress("dashboard", stack.dashboard, "unchanged")
            return True
        stack.cloudwatch.put_dashboard(DashboardName=stack.dashboard, DashboardBody=json.dumps(wanted))
    except ClientError as error:
        if not_served(error):
            stack.progress("dashboard", stack.dashboard, "skipped", "CloudWatch is not served here yet")
            return False
        raise
    stack.progress("dashboard", stack.dashboard, "created" if current is None else "updated")
    return True


def delete_dashboard(stack: Stack) -> None:
    try:
        found = stack.cloudwatch.list_dashboards(DashboardNamePrefix=stack.dashboard)["DashboardEntries"]
        if any(d["DashboardName"] == stack.dashboard for d in found):
            stack.cloudwatch.delete_dashboards(DashboardNames=[stack.dashboard])
            stack.progress("dashboard", stack.dashboard, "deleted")
        else:
            stack.progress("dashboard", stack.dashboard, "absent")
    except ClientError as error:
        if not not_served(error):
            raise
        stack.progress("dashboard", stack.dashboard, "skipped", "CloudWatch is not served here yet")
