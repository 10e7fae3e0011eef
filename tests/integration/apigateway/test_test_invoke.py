"""TestInvokeMethod through boto3: a Lambda proxy method called on the API as it is now, before any
deployment, with the console's stage name in the event, the response, and AWS's execution-log lines."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from tests.integration.apigateway.conftest import lambda_uri
from tests.support.server import ServerProcess

ECHO = (
    "import json\n"
    "def handler(event, context):\n"
    "    ctx = event['requestContext']\n"
    "    reply = {'stage': ctx['stage'], 'path': event['path'], 'query': event['queryStringParameters'],\n"
    "             'body': event['body'], 'header': event['headers'].get('X-Test')}\n"
    "    return {'statusCode': 201, 'headers': {'X-Echo': 'yes'}, 'body': json.dumps(reply)}\n"
)


def test_a_method_is_tested_without_a_deployment(
    server: ServerProcess, make_handler: Callable[..., str]
) -> None:
    client = server.client("apigateway")
    api = client.create_rest_api(name="test-invoke")
    resource = client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="orders")
    ids = {"restApiId": api["id"], "resourceId": resource["id"], "httpMethod": "POST"}
    function_arn = make_handler(ECHO)
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(
        **ids, type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(function_arn)
    )

    result = client.test_invoke_method(
        **ids, pathWithQueryString="/orders?size=3", body='{"n": 1}', headers={"X-Test": "console"}
    )
    assert result["status"] == 201
    assert result["headers"]["X-Echo"] == "yes"
    assert json.loads(result["body"]) == {
        "stage": "test-invoke-stage",
        "path": "/orders",
        "query": {"size": "3"},
        "body": '{"n": 1}',
        "header": "console",
    }
    log = result["log"]
    assert log.startswith("Execution log for request ")
    assert "HTTP Method: POST, Resource Path: /orders" in log
    assert "Method request query string: {size=3}" in log
    assert (
        f"Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/{function_arn}"
        in log
    )
    assert log.rstrip().endswith("Method completed with status: 201")
    assert isinstance(result["latency"], int)
    assert client.get_deployments(restApiId=api["id"])["items"] == []


def test_unknown_resources_and_methods_get_aws_errors(server: ServerProcess) -> None:
    client = server.client("apigateway")
    api = client.create_rest_api(name="test-invoke-errors")
    with pytest.raises(ClientError) as missing:
        client.test_invoke_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET")
    assert missing.value.response["Error"] == {
        "Code": "NotFoundException",
        "Message": "Invalid Method identifier specified",
    }
    with pytest.raises(ClientError) as unknown:
        client.test_invoke_method(restApiId=api["id"], resourceId="nope12", httpMethod="GET")
    assert unknown.value.response["Error"]["Message"] == "Invalid Resource identifier specified"
