"""A REST API put together with the AWS CLI as tutorials do, called with curl on both invoke URL forms."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from typing import Any

from tests.integration.apigateway.conftest import lambda_uri
from tests.support.server import ServerProcess, run_aws

HANDLER = """
import json, os
import boto3

def handler(event, context):
    message = json.loads(event["body"])
    sent = boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(message))
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps({"messageId": sent["MessageId"], "received": message}),
    }
"""


def aws(server: ServerProcess, *args: str) -> Any:
    return json.loads(run_aws(server, *args).stdout or "{}")


def curl(*args: str) -> tuple[int, dict[str, str], str]:
    done = subprocess.run(
        ["curl", "-s", "-i", "--max-time", "30", *args],
        capture_output=True,
        text=True,
        timeout=40,
        check=True,
    )
    head, _, body = done.stdout.partition("\n\n")
    lines = head.split("\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_cli_tutorial_api_answers_curl_on_both_invoke_urls(
    server: ServerProcess, make_handler: Callable[..., str]
) -> None:
    queue_url = server.client("sqs").create_queue(QueueName=f"orders-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    function_arn = make_handler(HANDLER, Timeout=30, Environment={"Variables": {"QUEUE_URL": queue_url}})

    api = aws(server, "apigateway", "create-rest-api", "--name", "orders-api")
    assert api["name"] == "orders-api" and len(api["id"]) == 10 and api["id"].isalnum()
    assert api["endpointConfiguration"]["types"] == ["EDGE"]
    items = aws(server, "apigateway", "get-resources", "--rest-api-id", api["id"])["items"]
    assert items == [{"id": api["rootResourceId"], "path": "/"}]
    resource = aws(
        server, "apigateway", "create-resource", "--rest-api-id", api["id"],
        "--parent-id", items[0]["id"], "--path-part", "messages",
    )  # fmt: skip
    assert resource["path"] == "/messages" and resource["parentId"] == items[0]["id"]
    method = aws(
        server, "apigateway", "put-method", "--rest-api-id", api["id"], "--resource-id", resource["id"],
        "--http-method", "POST", "--authorization-type", "NONE",
    )  # fmt: skip
    assert method == {"httpMethod": "POST", "authorizationType": "NONE", "apiKeyRequired": False}
    integration = aws(
        server, "apigateway", "put-integration", "--rest-api-id", api["id"], "--resource-id", resource["id"],
        "--http-method", "POST", "--type", "AWS_PROXY", "--integration-http-method", "POST",
        "--uri", lambda_uri(function_arn),
    )  # fmt: skip
    assert integration["type"] == "AWS_PROXY" and integration["httpMethod"] == "POST"
    assert integration["timeoutInMillis"] == 29000 and integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert integration["cacheNamespace"] == resource["id"] and integration["cacheKeyParameters"] == []
    statement = aws(
        server, "lambda", "add-permission", "--function-name", function_arn, "--statement-id", "apigw",
        "--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com",
        "--source-arn", f"arn:aws:execute-api:us-east-1:000000000000:{api['id']}/*/POST/messages",
    )  # fmt: skip
    assert json.loads(statement["Statement"])["Principal"] == {"Service": "apigateway.amazonaws.com"}
    deployment = aws(
        server, "apigateway", "create-deployment", "--rest-api-id", api["id"], "--stage-name", "prod"
    )
    assert len(deployment["id"]) == 6 and "createdDate" in deployment

    path_url = f"{server.url}/restapis/{api['id']}/prod/_user_request_/messages"
    host_url = f"http://{api['id']}.execute-api.localhost:{server.port}/prod/messages"
    for n, url in enumerate((path_url, host_url)):
        status, headers, body = curl(
            "-X", "POST", url, "-H", "Content-Type: application/json", "-d", json.dumps({"order": n})
        )
        assert status == 201, body
        assert headers["access-control-allow-origin"] == "*"
        assert headers["content-type"] == "application/json" and headers["x-amzn-requestid"]
        reply = json.loads(body)
        assert reply["received"] == {"order": n}
        got = server.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
        assert got[0]["MessageId"] == reply["messageId"] and json.loads(got[0]["Body"]) == {"order": n}
        server.client("sqs").delete_message(QueueUrl=queue_url, ReceiptHandle=got[0]["ReceiptHandle"])

    stages = aws(server, "apigateway", "get-stages", "--rest-api-id", api["id"])
    assert [s["stageName"] for s in stages["item"]] == ["prod"]
    assert stages["item"][0]["deploymentId"] == deployment["id"]
