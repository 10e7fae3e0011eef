"""The console workbench beyond the lab's path: a function authored from scratch with a new basic role,
its Code tab (files, a file's text, a new .zip), environment variables, a trigger edited, disabled,
enabled and deleted, a Kinesis trigger's other settings, Attach policies, the policy editor's JSON check,
AWS's own error messages in forms, and an API's Mock method deployed twice, tested, and its CORS preflight."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from . import lab_steps as lab
from .conftest import Shots

SOURCE = "def handler(event, context):\n    return {'version': 2, 'got': event}\n"


def test_function_from_scratch_code_environment_and_triggers(
    page: Any, shots: Shots, console_server: ServerProcess
) -> None:
    sqs, lambda_, iam = (console_server.client(s) for s in ("sqs", "lambda", "iam"))
    queue = sqs.create_queue(QueueName="wb-jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    console_server.client("kinesis").create_stream(StreamName="wb-clicks", ShardCount=1)

    page.goto(lab.CONSOLE + "#/functions/new")
    page.get_by_label("Function name", exact=True).fill("bad name!")
    page.get_by_role("button", name="Create function").click()
    expect(page.get_by_role("alert")).to_contain_text("Function name must be 1 to 64 characters")
    page.get_by_label("Function name", exact=True).fill("wb-hello")
    page.get_by_label("Runtime", exact=True).select_option("python3.12")
    page.get_by_label("Create a new role with basic Lambda permissions").check()
    page.get_by_role("button", name="Create function").click()
    expect(page.get_by_test_id("function-title")).to_have_text("wb-hello")
    page.get_by_role("button", name="lambda_function.py").click()
    expect(page.get_by_test_id("code-file-content")).to_contain_text("Hello from Lambda!")
    shots("code-tab")
    role = lambda_.get_function_configuration(FunctionName="wb-hello")["Role"]
    role_name = role.rsplit("/", 1)[-1]
    assert role_name.startswith("wb-hello-role-") and ":role/service-role/" in role
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyName"].split("-")[0] for p in attached] == ["AWSLambdaBasicExecutionRole"]

    page.get_by_label("Upload a .zip file", exact=True).set_input_files(
        files=[{"name": "v2.zip", "mimeType": "application/zip", "buffer": zip_of(SOURCE)}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_test_id("code-files")).to_contain_text("app.py")
    page.get_by_role("button", name="Edit runtime settings").click()
    page.get_by_label("Handler", exact=True).fill("app.handler")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("function-handler")).to_have_text("app.handler")
    page.get_by_role("tab", name="Test").click()
    page.get_by_label("Event name").fill("ping")
    page.get_by_label("Event JSON").fill('{"ping": 1}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_test_id("invoke-payload")).to_contain_text('"version": 2', timeout=30_000)

    lab.configure(page, "General configuration")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Memory", exact=True).fill("256")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("function-memory")).to_have_text("256 MB")
    assert lambda_.get_function_configuration(FunctionName="wb-hello")["MemorySize"] == 256

    lab.configure(page, "Environment variables")
    page.get_by_role("button", name="Edit").click()
    page.get_by_role("button", name="Add environment variable").click()
    page.get_by_label("Key", exact=True).fill("STAGE")
    page.get_by_label("Value", exact=True).fill("test")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("environment-table")).to_contain_text("STAGE")
    assert lambda_.get_function_configuration(FunctionName="wb-hello")["Environment"]["Variables"] == {
        "STAGE": "test"
    }

    lab.configure(page, "Triggers")
    page.get_by_role("button", name="Add trigger").click()
    page.get_by_label("Source", exact=True).select_option("SQS")
    page.get_by_label("SQS queue", exact=True).select_option(label="wb-jobs")
    page.get_by_label("Maximum concurrency", exact=True).fill("1")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Member must have value greater than or equal to 2")
    assert lambda_.list_event_source_mappings(FunctionName="wb-hello")["EventSourceMappings"] == []
    uuid = lab.add_trigger(page, "wb-hello", "SQS", {"SQS queue": "wb-jobs", "Batch size": 4})
    card = page.get_by_role("group", name="Trigger SQS: wb-jobs")
    card.get_by_role("button", name="Edit").click()
    page.get_by_label("Batch size", exact=True).fill("7")
    page.get_by_label("Enabled", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(card.get_by_test_id("mapping-state")).to_have_text("Disabled", timeout=15_000)
    mapping = lambda_.get_event_source_mapping(UUID=uuid)
    assert (mapping["BatchSize"], mapping["State"], mapping["EventSourceArn"]) == (7, "Disabled", queue_arn)
    card.get_by_role("button", name="Enable").click()
    expect(card.get_by_test_id("mapping-state")).to_have_text("Enabled", timeout=15_000)
    shots("trigger-edited")
    card.get_by_role("button", name="Delete").click()
    lab.confirm_delete(page, "delete")
    expect(card).to_have_count(0, timeout=15_000)

    kinesis_uuid = lab.add_trigger(
        page,
        "wb-hello",
        "Kinesis",
        {
            "Kinesis stream": "wb-clicks",
            "Starting position": "Trim horizon",
            "Split batch on error": True,
            "Report batch item failures": True,
            "Tumbling window duration": 30,
            "On-failure destination": queue_arn,
        },
    )
    stream = lambda_.get_event_source_mapping(UUID=kinesis_uuid)
    assert stream["StartingPosition"] == "TRIM_HORIZON" and stream["BisectBatchOnFunctionError"] is True
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["TumblingWindowInSeconds"] == 30
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn
    page.get_by_role("tab", name="Monitor").click()
    expect(page.get_by_test_id("charts")).to_contain_text("Iterator age")
    shots("monitor")


def zip_of(source: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_iam_attach_and_policy_editor(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    iam = console_server.client("iam")
    assume = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = {"Version": "2012-10-17", "Statement": [assume]}
    iam.create_role(RoleName="wb-role", AssumeRolePolicyDocument=json.dumps(trust))
    page.goto(lab.CONSOLE + "#/iam/roles/new")
    page.get_by_role("radio", name="AWS account").check()
    page.get_by_role("radio", name="Another AWS account").check()
    page.get_by_label("Account ID").fill("1111")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid 12-digit AWS account ID.")
    page.get_by_label("Account ID").fill("111122223333")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Role name").fill("wb-cross-account")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_test_id("role-title")).to_have_text("wb-cross-account")
    statement = iam.get_role(RoleName="wb-cross-account")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}

    page.goto(lab.CONSOLE + "#/iam/roles/new")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a use case for the specified service.")
    page.get_by_role("radio", name="Custom trust policy").check()
    page.get_by_role("textbox", name="Custom trust policy").fill("{not json")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("The policy is not valid JSON")
    page.get_by_role("textbox", name="Custom trust policy").fill(json.dumps(trust))
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Role name").fill("wb-role")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("alert")).to_contain_text("Role with name wb-role already exists.")

    page.goto(lab.CONSOLE + "#/iam/role?name=wb-role")
    page.get_by_role("button", name="Add permissions").click()
    page.get_by_role("menuitem", name="Attach policies").click()
    page.get_by_label("Filter policies by property or policy name").fill("SQSRead")
    page.get_by_label("AmazonSQSReadOnlyAccess", exact=True).check()
    page.get_by_role("button", name="Add permissions").click()
    expect(page.get_by_test_id("role-policies")).to_contain_text("AmazonSQSReadOnlyAccess")
    attached = iam.list_attached_role_policies(RoleName="wb-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]

    page.get_by_role("button", name="Add permissions").click()
    page.get_by_role("menuitem", name="Create inline policy").click()
    page.get_by_label("Policy editor").fill('{"Version": "2012-10-17", "Statement": [')
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("json-status")).to_contain_text("JSON syntax error")
    expect(page.get_by_label("Policy name")).to_be_hidden()
    shots("json-error")
    page.goto(lab.CONSOLE + "#/iam/role?name=wb-role")
    page.get_by_role("tab", name="Trust relationships").click()
    expect(page.get_by_test_id("trust-policy")).to_contain_text("lambda.amazonaws.com")


def test_api_mock_method_deploys_tests_and_preflight(
    page: Any, shots: Shots, console_server: ServerProcess
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    api_id = lab.create_rest_api(page, "wb-api", "workbench")
    lab.action(page, "Create Resource")
    page.get_by_label("Resource Name", exact=True).fill("Health Check")
    expect(page.get_by_label("Resource Path", exact=True)).to_have_value("health-check")
    page.get_by_label("Enable API Gateway CORS").check()
    page.get_by_role("button", name="Create Resource").click()
    expect(page.get_by_test_id("resources-tree")).to_contain_text("/health-check")
    lab.action(page, "Create Method")
    page.get_by_label("Method", exact=True).select_option("GET")
    expect(page.get_by_test_id("integration-note")).to_be_visible()
    page.get_by_label("Use Lambda Proxy integration").check()
    expect(page.get_by_test_id("integration-note")).to_be_hidden()
    page.get_by_role("radio", name="HTTP", exact=True).check()
    page.get_by_label("Use HTTP Proxy integration").uncheck()
    page.get_by_label("Endpoint URL").fill("https://example.com/health")
    expect(page.get_by_test_id("integration-note")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("NotImplemented")
    apigw = console_server.client("apigateway")
    health = next(r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/health-check")
    assert sorted(health["resourceMethods"]) == ["OPTIONS"]  # the refused method was taken away again
    page.get_by_role("radio", name="Mock").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("method-title")).to_have_text("/health-check - GET")
    url = lab.deploy(page, "dev")
    lab.action(page, "Deploy API")
    page.get_by_label("Deployment stage", exact=True).select_option("dev")
    page.get_by_label("Deployment description", exact=True).fill("second")
    page.get_by_role("button", name="Deploy", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    deployments = console_server.client("apigateway").get_deployments(restApiId=api_id)["items"]
    assert sorted(d.get("description", "") for d in deployments) == ["", "second"]
    stage = console_server.client("apigateway").get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == next(d["id"] for d in deployments if d.get("description") == "second")

    page.get_by_role("button", name="Copy invoke URL of dev").click()
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.get_by_role("button", name="/health-check GET").click()
    page.get_by_label("Query strings").fill("probe=1")
    page.get_by_role("button", name="Test GET /health-check").click()
    expect(page.get_by_test_id("test-status")).to_have_text("200")
    expect(page.get_by_test_id("test-log")).to_contain_text("Method request query string: {probe=1}")
    shots("method-test")

    preflight = urllib.request.Request(url + "/health-check", method="OPTIONS")
    with urllib.request.urlopen(preflight, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"

    page.get_by_role("button", name="Delete method").click()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_test_id("resources-tree")).not_to_contain_text("GET")
    options = apigw.get_integration(restApiId=api_id, resourceId=health["id"], httpMethod="OPTIONS")
    allowed = options["integrationResponses"]["200"]["responseParameters"]
    assert allowed["method.response.header.Access-Control-Allow-Methods"] == "'OPTIONS'"
    lab.action(page, "Delete Resource")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_test_id("resources-tree")).not_to_contain_text("/health-check")
    assert [r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]
