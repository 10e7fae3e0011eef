"""Non-proxy AWS integrations with mapping templates: POST /orders writes straight to an SQS queue (a VTL
request template, a response template mapping the MessageId), and a Lambda function called with a mapped
payload whose error is selected by an integration response's pattern."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx

from tests.integration.apigateway.conftest import lambda_uri
from tests.support.server import ServerProcess

REQUEST_TEMPLATE = (
    "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
    "&MessageAttribute.1.Name=source&MessageAttribute.1.Value.DataType=String"
    "&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.requestId)"
)
RESPONSE_TEMPLATE = (
    '#set($sent = $input.path("$.SendMessageResponse.SendMessageResult"))'
    '{"messageId": "$sent.MessageId", "order": "accepted"}'
)
PRICER = """
def handler(event, context):
    if event["qty"] <= 0:
        raise ValueError("Bad quantity: " + str(event["qty"]))
    return {"total": event["qty"] * event["price"]}
"""


def test_post_orders_writes_to_a_queue_through_an_aws_integration(server: ServerProcess) -> None:
    apigw, sqs = server.client("apigateway"), server.client("sqs")
    queue_name = f"orders-{uuid.uuid4().hex[:8]}"
    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    api = apigw.create_rest_api(name=f"direct-{uuid.uuid4().hex[:6]}")
    orders = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="orders")
    apigw.put_method(
        restApiId=api["id"], resourceId=orders["id"], httpMethod="POST", authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=api["id"],
        resourceId=orders["id"],
        httpMethod="POST",
        type="AWS",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:sqs:path/000000000000/{queue_name}",
        requestParameters={
            "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'",
            "integration.request.header.Accept": "'application/json'",
        },
        requestTemplates={"application/json": REQUEST_TEMPLATE},
        passthroughBehavior="NEVER",
    )
    apigw.put_method_response(
        restApiId=api["id"], resourceId=orders["id"], httpMethod="POST", statusCode="202"
    )
    apigw.put_integration_response(
        restApiId=api["id"],
        resourceId=orders["id"],
        httpMethod="POST",
        statusCode="202",
        selectionPattern="2\\d\\d",
        responseTemplates={"application/json": RESPONSE_TEMPLATE},
        responseParameters={"method.response.header.X-Queued": "'yes'"},
    )
    apigw.put_method_response(
        restApiId=api["id"], resourceId=orders["id"], httpMethod="POST", statusCode="500"
    )
    apigw.put_integration_response(
        restApiId=api["id"],
        resourceId=orders["id"],
        httpMethod="POST",
        statusCode="500",
        responseTemplates={"application/json": '{"error": "could not queue"}'},
    )
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    url = f"{server.url}/restapis/{api['id']}/prod/_user_request_/orders"
    order = {"orderId": "o-1", "items": ["tea & cake"]}
    reply = httpx.post(url, json=order)
    assert reply.status_code == 202, reply.text
    assert reply.headers["X-Queued"] == "yes" and reply.json()["order"] == "accepted"
    [message] = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"], WaitTimeSeconds=2)[
        "Messages"
    ]
    assert json.loads(message["Body"]) == order
    assert message["MessageId"] == reply.json()["messageId"]
    assert message["MessageAttributes"]["source"]["StringValue"] == reply.headers["x-amzn-RequestId"]
    refused = httpx.post(url, content=b"x=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 415  # NEVER passes a body through without a template for its type


def test_a_lambda_non_proxy_integration_maps_payload_and_errors(
    server: ServerProcess, make_handler: Callable[..., str]
) -> None:
    apigw = server.client("apigateway")
    function_arn = make_handler(PRICER)
    api = apigw.create_rest_api(name=f"pricer-{uuid.uuid4().hex[:6]}")
    price = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{item}")
    apigw.put_method(restApiId=api["id"], resourceId=price["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api["id"],
        resourceId=price["id"],
        httpMethod="GET",
        type="AWS",
        integrationHttpMethod="POST",
        uri=lambda_uri(function_arn),
        requestTemplates={
            "application/json": '{"qty": $input.params("qty"), "price": 3, "item": "$input.params(\'item\')"}'
        },
    )
    for status, pattern in (("200", None), ("400", "Bad quantity.*")):
        apigw.put_method_response(
            restApiId=api["id"], resourceId=price["id"], httpMethod="GET", statusCode=status
        )
        extra = {"selectionPattern": pattern} if pattern else {}
        template = (
            '{"total": $input.path("$.total")}'
            if status == "200"
            else '{"problem": "$input.path(\'$.errorMessage\')"}'
        )
        apigw.put_integration_response(
            restApiId=api["id"],
            resourceId=price["id"],
            httpMethod="GET",
            statusCode=status,
            responseTemplates={"application/json": template},
            **extra,
        )
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    url = f"{server.url}/restapis/{api['id']}/prod/_user_request_/tea"
    good = httpx.get(url, params={"qty": "4"})
    assert good.status_code == 200 and good.json() == {"total": 12}
    bad = httpx.get(url, params={"qty": "0"})
    assert bad.status_code == 400 and bad.json() == {"problem": "Bad quantity: 0"}
