"""Dashboards through the AWS CLI and boto3: put, get, list by prefix, delete, and AWS's validation
messages for invalid bodies."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.cloudwatch.conftest import unique
from tests.support.server import ServerProcess, run_aws

BODY = {
    "start": "-PT6H",
    "widgets": [
        {
            "type": "metric",
            "x": 0,
            "y": 0,
            "width": 12,
            "height": 6,
            "properties": {
                "view": "timeSeries",
                "region": "us-east-1",
                "title": "Queue traffic",
                "metrics": [
                    ["AWS/SQS", "NumberOfMessagesSent", "QueueName", "orders", {"stat": "Sum"}],
                    [".", "NumberOfMessagesDeleted", ".", "."],
                ],
            },
        },
        {
            "type": "metric",
            "x": 12,
            "y": 0,
            "width": 6,
            "height": 6,
            "properties": {
                "view": "singleValue",
                "region": "us-east-1",
                "metrics": [["AWS/Kinesis", "IncomingRecords", "StreamName", "clicks", {"stat": "Sum"}]],
                "period": 300,
            },
        },
        {
            "type": "metric",
            "x": 18,
            "y": 0,
            "properties": {
                "region": "us-east-1",
                "metrics": [
                    ["AWS/Lambda", "Invocations", "FunctionName", "worker", {"id": "m1", "visible": False}],
                    [".", "Errors", ".", ".", {"id": "m2", "visible": False}],
                    [{"expression": "100*m2/m1", "label": "Error rate", "id": "e1"}],
                ],
            },
        },
        {"type": "text", "x": 0, "y": 6, "width": 24, "height": 2, "properties": {"markdown": "# Orders"}},
    ],
}


def test_cli_put_get_list_delete(server: ServerProcess) -> None:
    name = unique("orders")
    body = json.dumps(BODY)
    put = run_aws(server, "cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", body)
    assert json.loads(put.stdout) == {"DashboardValidationMessages": []}
    got = json.loads(run_aws(server, "cloudwatch", "get-dashboard", "--dashboard-name", name).stdout)
    assert got == {
        "DashboardArn": f"arn:aws:cloudwatch::000000000000:dashboard/{name}",
        "DashboardBody": body,
        "DashboardName": name,
    }
    listed = json.loads(
        run_aws(server, "cloudwatch", "list-dashboards", "--dashboard-name-prefix", name).stdout
    )
    [entry] = listed["DashboardEntries"]
    assert entry["DashboardName"] == name and entry["Size"] == len(body.encode())
    run_aws(server, "cloudwatch", "delete-dashboards", "--dashboard-names", name)
    missing = run_aws(server, "cloudwatch", "get-dashboard", "--dashboard-name", name, check=False)
    assert missing.returncode != 0 and "ResourceNotFound" in missing.stderr


def test_global_across_regions(server: ServerProcess) -> None:
    name = unique("global")
    server.client("cloudwatch", region_name="eu-west-1").put_dashboard(
        DashboardName=name, DashboardBody=json.dumps({"widgets": []})
    )
    got = server.client("cloudwatch").get_dashboard(DashboardName=name)
    assert got["DashboardArn"] == f"arn:aws:cloudwatch::000000000000:dashboard/{name}"


def test_invalid_bodies_get_validation_messages(server: ServerProcess) -> None:
    cw = server.client("cloudwatch")
    bad = {
        "widgets": [
            {
                "type": "metric",
                "x": 30,
                "properties": {"metrics": [["AWS/SQS", "NumberOfMessagesSent", {"QueueName": "q"}, "x"]]},
            },
            {"type": "chart", "properties": {}},
            {"type": "text", "properties": {}},
        ]
    }
    with pytest.raises(ClientError) as raised:
        cw.put_dashboard(DashboardName=unique("bad"), DashboardBody=json.dumps(bad))
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidParameterInput"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    messages = raised.value.response["dashboardValidationMessages"]
    assert {"DataPath": "/widgets/0/x", "Message": "Should be <= 23"} in messages
    assert {
        "DataPath": "/widgets/0/properties/metrics/0/2",
        "Message": "Invalid metric field type, only 'String' type is allowed",
    } in messages
    assert {
        "DataPath": "/widgets/0/properties",
        "Message": "Should have required property 'region'",
    } in messages
    assert {
        "DataPath": "/widgets/1/type",
        "Message": "Should be equal to one of the allowed values",
    } in messages
    assert {
        "DataPath": "/widgets/2/properties",
        "Message": "Should have required property 'markdown'",
    } in messages
    assert error["Message"].startswith(
        f"The dashboard body is invalid, there are {len(messages)} validation errors:"
    )
    with pytest.raises(ClientError) as raised:
        cw.put_dashboard(DashboardName=unique("bad"), DashboardBody="{not json")
    assert raised.value.response["Error"]["Message"] == "The field DashboardBody must be a valid JSON object"
    with pytest.raises(ClientError) as raised:
        cw.put_dashboard(DashboardName="bad name!", DashboardBody=json.dumps({"widgets": []}))
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_cli_invalid_body(server: ServerProcess) -> None:
    body = json.dumps({"widgets": [{"type": "metric", "properties": {"region": "us-east-1"}}]})
    name = unique("bad")
    result = run_aws(
        server, "cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", body, check=False
    )
    assert result.returncode != 0
    assert "InvalidParameterInput" in result.stderr
    assert "Should have required property 'metrics'" in result.stderr
