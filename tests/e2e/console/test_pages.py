"""Every console page renders against a real millpond without script errors: APIs (tree, stages, the
request form), logs, metrics, alarms, IAM; and the shell is keyboard reachable and switches region."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import Shots

ASSUME = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
TRUST = {"Version": "2012-10-17", "Statement": [ASSUME]}
INLINE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}


def make_api(server: ServerProcess) -> str:
    apigw = server.client("apigateway")
    api_id = apigw.create_rest_api(name="shop")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    ping = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="ping")["id"]
    apigw.put_method(restApiId=api_id, resourceId=ping, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=ping,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(restApiId=api_id, resourceId=ping, httpMethod="GET", statusCode="200")
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=ping,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"pong": true}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_pages_render(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    iam = console_server.client("iam")
    iam.create_role(RoleName="page-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="page-role", PolicyName="queues", PolicyDocument=json.dumps(INLINE))
    iam.create_user(UserName="page-user")
    logs = console_server.client("logs")
    logs.create_log_group(logGroupName="/app/pages")
    logs.create_log_stream(logGroupName="/app/pages", logStreamName="s1")
    now = int(console_server.get("/_millpond/clock")["now"] * 1000)
    events = [
        {"timestamp": now, "message": "ERROR disk full"},
        {"timestamp": now + 1, "message": "INFO all good"},
    ]
    logs.put_log_events(logGroupName="/app/pages", logStreamName="s1", logEvents=events)
    make_api(console_server)

    page.goto("/_millpond/console/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    shots("home")

    page.goto("/_millpond/console/#/apis")
    page.get_by_test_id("api-link-shop").click()
    expect(page.locator(".tree")).to_contain_text("/ping")
    expect(page.locator(".tree")).to_contain_text("MOCK")
    page.get_by_label("Path").fill("/ping")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("api-response")).to_contain_text('{"pong": true}')
    shots("api")

    page.goto("/_millpond/console/#/log-group?name=/app/pages")
    expect(page.get_by_test_id("log-events-table")).to_contain_text("INFO all good")
    page.get_by_test_id("log-filter").fill("ERROR")
    page.get_by_test_id("log-search").click()
    expect(page.get_by_test_id("log-events-table")).to_contain_text("ERROR disk full")
    expect(page.get_by_test_id("log-events-table")).not_to_contain_text("INFO all good")
    shots("logs")

    page.goto("/_millpond/console/#/iam")
    expect(page.get_by_test_id("roles-table")).to_contain_text("inline: queues")
    expect(page.get_by_test_id("users-table")).to_contain_text("page-user")
    shots("iam")

    for path in ("metrics", "alarms", "dashboards", "streams", "functions", "logs"):
        page.goto(f"/_millpond/console/#/{path}")
        expect(page.locator("main h1")).to_be_visible()
        expect(page.get_by_test_id("page-error")).to_have_count(0)
    shots("logs-list")

    console_server.client("sqs").create_queue(QueueName="page-q")
    page.goto("/_millpond/console/#/queues")
    expect(page.get_by_test_id("queue-link-page-q")).to_be_visible()
    page.locator("#region").select_option("eu-west-1")
    expect(page.get_by_test_id("queues-table")).to_have_text("No queues in this account and region.")
    page.locator("#region").select_option("us-east-1")
    expect(page.get_by_test_id("queue-link-page-q")).to_be_visible()
