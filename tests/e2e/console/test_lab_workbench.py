"""Lab 4 in the console, as user3: the IAM role (Task 3), the four functions from .zip uploads (Task 4),
the SQS and Kinesis triggers (Tasks 5 and 7), both REST APIs with CORS and Lambda proxy POSTs deployed to
prod (Task 8), the lab's curl requests against the invoke URLs the console shows (Tasks 9 and 11), and the
clean-up. After each task boto3 checks that millpond holds what the lab asked for."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ServerProcess

from . import lab_steps as lab
from .conftest import Shots

USER = "user3"
ROLE = f"{USER}-messaging-lambda-role"
MANAGED = ["AWSLambdaBasicExecutionRole", "AWSLambdaKinesisExecutionRole", "AWSLambdaSQSQueueExecutionRole"]
TAGS = {"Project": "ServerlessLab"}


def queues_and_stream(server: ServerProcess) -> tuple[str, str]:
    """Tasks 1 and 2 (the queue and stream pages are tested elsewhere): made through boto3."""
    sqs, kinesis = server.client("sqs"), server.client("kinesis")
    dlq = sqs.create_queue(
        QueueName=f"{USER}-order-dlq", Attributes={"MessageRetentionPeriod": "1209600"}, tags=TAGS
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    attributes = {
        "VisibilityTimeout": "300",
        "MessageRetentionPeriod": "1209600",
        "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": redrive,
    }
    queue = sqs.create_queue(QueueName=f"{USER}-order-processing-queue", Attributes=attributes, tags=TAGS)
    kinesis.create_stream(StreamName=f"{USER}-analytics-stream", ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(
        StreamName=f"{USER}-analytics-stream", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50}
    )
    return queue["QueueUrl"], dlq


def post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The lab's `curl -X POST ... -H "Content-Type: application/json" -d '...'`."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


def check_role(server: ServerProcess) -> None:
    iam = server.client("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["Description"] == "Lambda execution role for SQS and Kinesis processing"
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"]} == TAGS
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in attached) == MANAGED
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["SQSProducerPolicy"]
    inline = iam.get_role_policy(RoleName=ROLE, PolicyName="SQSProducerPolicy")["PolicyDocument"]
    assert inline == lab.SQS_PRODUCER_POLICY


def task_3(page: Any, shots: Shots, server: ServerProcess) -> None:
    lab.create_role(page, USER, shots)
    shots("task3-role-created")
    page.get_by_role("tab", name="Tags").click()
    expect(page.get_by_test_id("role-tags")).to_contain_text("ServerlessLab")
    page.get_by_role("tab", name="Permissions").click()
    # A malformed document gets IAM's own words, and nothing is stored.
    broken = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Permit", "Action": "sqs:*", "Resource": "*"}],
    }
    lab.add_inline_policy(page, "Broken", broken)
    expect(page.get_by_role("alert")).to_contain_text("MalformedPolicyDocument")
    shots("task3-malformed-policy")
    page.goto(lab.CONSOLE + f"#/iam/role?name={ROLE}")
    lab.add_inline_policy(page, "SQSProducerPolicy", lab.SQS_PRODUCER_POLICY)
    expect(page.get_by_test_id("role-policies")).to_contain_text("SQSProducerPolicy")
    shots("task3-inline-policy")
    check_role(server)


FUNCTIONS = {
    # name: (module, timeout, description)
    "sqs-producer": ("sqs_producer", 60, "SQS message producer for order processing"),
    "sqs-processor": ("sqs_processor", 60, "SQS message processor with retry handling"),
    "kinesis-producer": ("kinesis_producer", 60, "Kinesis data producer for analytics events"),
    "kinesis-processor": ("kinesis_processor", 300, "Kinesis stream processor for real-time analytics"),
}


def task_4(page: Any, shots: Shots, server: ServerProcess, queue_url: str) -> None:
    edits = {"[your-queue-url]": queue_url, "[your-username]": USER}
    for short, (module, timeout, description) in FUNCTIONS.items():
        name = f"{USER}-{short}"
        lab.create_function(page, name, f"{module}.lambda_handler", ROLE, lab.lab_zip(module, edits))
        lab.general_configuration(page, timeout, description)
        if short == "sqs-processor":
            lab.reserve_concurrency(page, 5)
    shots("task4-functions")
    lambda_ = server.client("lambda")
    role_arn = server.client("iam").get_role(RoleName=ROLE)["Role"]["Arn"]
    for short, (module, timeout, description) in FUNCTIONS.items():
        config = lambda_.get_function_configuration(FunctionName=f"{USER}-{short}")
        assert (config["Runtime"], config["Handler"], config["Role"]) == (
            "python3.9",
            f"{module}.lambda_handler",
            role_arn,
        )
        assert (config["Timeout"], config["Description"]) == (timeout, description)
    reserved = lambda_.get_function_concurrency(FunctionName=f"{USER}-sqs-processor")
    assert reserved["ReservedConcurrentExecutions"] == 5


def task_5_and_7(page: Any, shots: Shots, server: ServerProcess) -> None:
    sqs_uuid = lab.add_trigger(
        page,
        f"{USER}-sqs-processor",
        "SQS",
        {
            "SQS queue": f"{USER}-order-processing-queue",
            "Batch size": 5,
            "Maximum batching window": 5,
            "Enabled": True,
            "Report batch item failures": True,
            "Maximum concurrency": 2,
        },
    )
    shots("task5-sqs-trigger")
    kinesis_uuid = lab.add_trigger(
        page,
        f"{USER}-kinesis-processor",
        "Kinesis",
        {
            "Kinesis stream": f"{USER}-analytics-stream",
            "Starting position": "Latest",
            "Batch size": 10,
            "Maximum batching window": 5,
            "Enabled": True,
            "Parallelization factor": 1,
            "Maximum record age": 3600,
            "Retry attempts": 3,
            "Split batch on error": False,
        },
    )
    expect(page.get_by_test_id("mapping-starting-position")).to_have_text("LATEST")
    shots("task7-kinesis-trigger")
    lambda_ = server.client("lambda")
    sqs_mapping = lambda_.get_event_source_mapping(UUID=sqs_uuid)
    assert sqs_mapping["EventSourceArn"].endswith(f":{USER}-order-processing-queue")
    assert (sqs_mapping["BatchSize"], sqs_mapping["MaximumBatchingWindowInSeconds"]) == (5, 5)
    assert sqs_mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sqs_mapping["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert sqs_mapping["State"] == "Enabled"
    stream = lambda_.get_event_source_mapping(UUID=kinesis_uuid)
    assert stream["EventSourceArn"].endswith(f"/{USER}-analytics-stream")
    assert (stream["StartingPosition"], stream["BatchSize"], stream["MaximumBatchingWindowInSeconds"]) == (
        "LATEST",
        10,
        5,
    )
    assert (stream["ParallelizationFactor"], stream["MaximumRecordAgeInSeconds"]) == (1, 3600)
    assert (stream["MaximumRetryAttempts"], stream["BisectBatchOnFunctionError"]) == (3, False)
    assert stream["State"] == "Enabled"


def check_api(server: ServerProcess, api_id: str, path: str, function: str) -> None:
    apigw, lambda_ = server.client("apigateway"), server.client("lambda")
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    resource = next(r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == path)
    assert sorted(resource["resourceMethods"]) == ["OPTIONS", "POST"]
    options = apigw.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod="OPTIONS")
    assert options["methodIntegration"]["type"] == "MOCK"
    cors = options["methodIntegration"]["integrationResponses"]["200"]["responseParameters"]
    assert cors["method.response.header.Access-Control-Allow-Origin"] == "'*'"
    assert cors["method.response.header.Access-Control-Allow-Methods"] == "'OPTIONS,POST'"
    post_ = apigw.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod="POST")[
        "methodIntegration"
    ]
    arn = lambda_.get_function_configuration(FunctionName=function)["FunctionArn"]
    assert (post_["type"], post_["httpMethod"]) == ("AWS_PROXY", "POST")
    assert post_["uri"].endswith(f"/functions/{arn}/invocations")
    statements = json.loads(lambda_.get_policy(FunctionName=function)["Policy"])["Statement"]
    assert [(s["Principal"], s["Action"]) for s in statements] == [
        ({"Service": "apigateway.amazonaws.com"}, "lambda:InvokeFunction")
    ]
    assert statements[0]["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(f":{api_id}/*/POST{path}")
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] in [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]]


def task_8(page: Any, shots: Shots, server: ServerProcess) -> dict[str, str]:
    urls = {}
    for kind, resource, description in (
        ("sqs", "messages", "API for SQS message production"),
        ("kinesis", "events", "API for Kinesis event production"),
    ):
        api_id = lab.create_rest_api(page, f"{USER}-{kind}-api", description)
        lab.resource_with_post(page, resource, f"{USER}-{kind}-producer")
        urls[kind] = lab.deploy(page, "prod") + f"/{resource}"
        shots(f"task8-{kind}-api")
        check_api(server, api_id, f"/{resource}", f"{USER}-{kind}-producer")
    # The permission the console added shows on the function's Configuration -> Permissions.
    lab.open_function(page, f"{USER}-sqs-producer")
    lab.configure(page, "Permissions")
    expect(page.get_by_test_id("function-policy")).to_contain_text("apigateway.amazonaws.com")
    expect(page.get_by_test_id("function-policy")).to_contain_text("lambda:InvokeFunction")
    shots("task8-function-permissions")
    return urls


def tasks_9_and_11(server: ServerProcess, urls: dict[str, str]) -> None:
    sent = 0
    for body in (
        {"messageType": "OrderProcessing", "batchSize": 3, "simulateFailure": False},
        {"messageType": "OrderProcessing", "batchSize": 2, "simulateFailure": True},
        {"messageType": "OrderProcessing", "batchSize": 50},
        {"messageType": "OrderProcessing", "batchSize": 5, "simulateFailure": True},
    ):
        status, reply = post(urls["sqs"], body)
        assert status == 200, reply
        assert reply["message"] == f"Successfully sent {body['batchSize']} messages to SQS"
        sent += int(str(body["batchSize"]))
    records = 0
    for kind, count in (
        ("user_activity", 15),
        ("transaction", 8),
        ("system_metric", 12),
        ("user_activity", 50),
    ):
        status, reply = post(urls["kinesis"], {"eventType": kind, "eventCount": count})
        assert status == 200, reply
        assert reply["message"] == f"Successfully sent {count} records to Kinesis"
        assert reply["streamName"] == f"{USER}-analytics-stream"
        records += count
    kinesis = server.client("kinesis")
    stored = 0
    for shard in kinesis.list_shards(StreamName=f"{USER}-analytics-stream")["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=f"{USER}-analytics-stream", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        stored += len(kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"])
    assert (sent, stored) == (60, records)


def clean_up(page: Any, shots: Shots, server: ServerProcess) -> None:
    for short in FUNCTIONS:
        lab.open_function(page, f"{USER}-{short}")
        page.get_by_role("button", name="Delete", exact=True).click()
        lab.confirm_delete(page, "delete")
        expect(page.get_by_test_id("functions-table")).not_to_contain_text(f"{USER}-{short}")
    for kind in ("sqs", "kinesis"):
        page.goto(lab.CONSOLE + "#/apis")
        page.get_by_role("button", name=f"Delete API {USER}-{kind}-api").click()
        lab.confirm_delete(page, "confirm")
        expect(page.get_by_test_id("apis-table")).not_to_contain_text(f"{USER}-{kind}-api")
    # Deleting the role with policies still attached: IAM's DeleteConflict, shown in the dialog.
    page.goto(lab.CONSOLE + f"#/iam/role?name={ROLE}")
    page.get_by_role("button", name="Delete", exact=True).click()
    lab.confirm_delete(page, ROLE)
    expect(page.get_by_role("dialog").get_by_role("alert")).to_contain_text("must detach all policies first")
    shots("cleanup-delete-conflict")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    for policy in [*MANAGED, "SQSProducerPolicy"]:
        page.get_by_role("button", name=f"Remove {policy}").click()
        page.get_by_role("dialog").get_by_role("button", name="Remove policy").click()
        expect(page.get_by_test_id("role-policies")).not_to_contain_text(policy)
    page.get_by_role("button", name="Delete", exact=True).click()
    lab.confirm_delete(page, ROLE)
    expect(page.get_by_test_id("roles-table")).not_to_contain_text(ROLE)
    shots("cleanup-done")
    assert [f["FunctionName"] for f in server.client("lambda").list_functions()["Functions"]] == []
    assert server.client("apigateway").get_rest_apis()["items"] == []
    assert ROLE not in [r["RoleName"] for r in server.client("iam").list_roles()["Roles"]]


def test_lab_in_the_console(page: Any, shots: Shots, console_server: ServerProcess) -> None:
    queue_url, _ = queues_and_stream(console_server)
    task_3(page, shots, console_server)
    task_4(page, shots, console_server, queue_url)
    task_5_and_7(page, shots, console_server)
    urls = task_8(page, shots, console_server)
    tasks_9_and_11(console_server, urls)
    clean_up(page, shots, console_server)
