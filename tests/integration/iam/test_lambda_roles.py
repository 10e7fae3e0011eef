"""Functions run as their execution role under --enforce-iam: the serverless lab's role built with the
AWS CLI lets a producer send to a queue until its inline policy goes; CreateFunction, event source
mappings and API Gateway check the role and the function policy as AWS does."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.apigateway.conftest import proxy_api
from tests.integration.iam.conftest import ACCOUNT, code_of
from tests.integration.lambda_.conftest import zip_of
from tests.support.server import ServerProcess, make_server, run_aws

__all__ = ["proxy_api"]  # the fixture, served here on the enforcing server

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
MANAGED = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
]
PRODUCER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            "Resource": "*",
        }
    ],
}
PRODUCER = """
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=event["queue"])["QueueUrl"]
    return sqs.send_message(QueueUrl=url, MessageBody="order")["MessageId"]
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The enforcing server, under the name the API Gateway helpers expect."""
    process = make_server(tmp_path_factory.mktemp("enforced-lambda"), "--in-memory", "--enforce-iam").start()
    yield process
    process.stop()


def make_role(server: ServerProcess, tmp_path: Path, name: str, trust: dict[str, Any] = LAMBDA_TRUST) -> str:
    trust_file = tmp_path / f"{name}-trust.json"
    trust_file.write_text(json.dumps(trust))
    created = run_aws(
        server,
        "iam",
        "create-role",
        "--role-name",
        name,
        "--assume-role-policy-document",
        f"file://{trust_file}",
    )
    return str(json.loads(created.stdout)["Role"]["Arn"])


def create_function(server: ServerProcess, role_arn: str, source: str = PRODUCER) -> str:
    name = f"fn-{uuid.uuid4().hex[:10]}"
    server.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
    )
    return name


def test_lab_role_lets_the_producer_send_until_its_policy_goes(server: ServerProcess, tmp_path: Path) -> None:
    role = f"lab-role-{uuid.uuid4().hex[:6]}"
    role_arn = make_role(server, tmp_path, role)
    for arn in MANAGED:
        run_aws(server, "iam", "attach-role-policy", "--role-name", role, "--policy-arn", arn)
    document = json.dumps(PRODUCER_POLICY)
    run_aws(
        server, "iam", "put-role-policy", "--role-name", role, "--policy-name", "producer",
        "--policy-document", document,
    )  # fmt: skip
    queue = f"orders-{uuid.uuid4().hex[:6]}"
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    function = create_function(server, role_arn)
    lambda_ = server.client("lambda")
    payload = json.dumps({"queue": queue}).encode()
    sent = lambda_.invoke(FunctionName=function, Payload=payload)
    assert "FunctionError" not in sent, sent["Payload"].read()
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "order"

    run_aws(server, "iam", "delete-role-policy", "--role-name", role, "--policy-name", "producer")
    failed = lambda_.invoke(FunctionName=function, Payload=payload, LogType="Tail")
    assert failed["FunctionError"] == "Unhandled"
    logs = base64.b64decode(failed["LogResult"]).decode()
    error = json.loads(failed["Payload"].read())
    assert "AccessDenied" in error["errorMessage"] and "AccessDenied" in logs
    assert (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{function} is not authorized to perform: "
        f"sqs:getqueueurl on resource: arn:aws:sqs:us-east-1:{ACCOUNT}:{queue}"
    ) in error["errorMessage"]


def test_create_function_needs_a_role_lambda_can_assume(server: ServerProcess, tmp_path: Path) -> None:
    ec2_trust = json.loads(json.dumps(LAMBDA_TRUST).replace("lambda.amazonaws.com", "ec2.amazonaws.com"))
    ec2_role = make_role(server, tmp_path, f"ec2-role-{uuid.uuid4().hex[:6]}", ec2_trust)
    for role in (ec2_role, f"arn:aws:iam::{ACCOUNT}:role/no-such-role"):
        code, status, message = code_of(lambda role=role: create_function(server, role))  # type: ignore[misc]
        assert (code, status) == ("InvalidParameterValueException", 400)
        assert message == "The role defined for the function cannot be assumed by Lambda."


def test_mappings_need_a_role_that_can_read_the_source(server: ServerProcess, tmp_path: Path) -> None:
    role = f"basic-{uuid.uuid4().hex[:6]}"
    role_arn = make_role(server, tmp_path, role)
    run_aws(server, "iam", "attach-role-policy", "--role-name", role, "--policy-arn", MANAGED[0])
    function = create_function(server, role_arn)
    queue_url = server.client("sqs").create_queue(QueueName=f"src-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{queue_url.rsplit('/', 1)[-1]}"
    stream = f"src-{uuid.uuid4().hex[:6]}"
    server.client("kinesis").create_stream(StreamName=stream, ShardCount=1)
    stream_arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{stream}"
    lambda_ = server.client("lambda")

    def create(source: str, **extra: Any) -> Callable[[], Any]:
        return lambda: lambda_.create_event_source_mapping(
            FunctionName=function, EventSourceArn=source, **extra
        )

    code, _, message = code_of(create(queue_arn))
    assert code == "InvalidParameterValueException"
    assert message == "The provided execution role does not have permissions to call ReceiveMessage on SQS"
    code, _, message = code_of(create(stream_arn, StartingPosition="LATEST"))
    assert code == "InvalidParameterValueException" and message.startswith(
        f"Cannot access stream {stream_arn}."
    )
    for arn in MANAGED[1:]:
        run_aws(server, "iam", "attach-role-policy", "--role-name", role, "--policy-arn", arn)
    assert create(queue_arn)()["State"] in ("Creating", "Enabled")
    assert create(stream_arn, StartingPosition="LATEST")()["State"] in ("Creating", "Enabled")


def test_api_gateway_needs_the_function_policy(
    server: ServerProcess, tmp_path: Path, proxy_api: Callable[..., Any]
) -> None:
    role_arn = make_role(server, tmp_path, f"api-{uuid.uuid4().hex[:6]}")
    source = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hello'}\n"
    function = create_function(server, role_arn, source)
    function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}"
    api = proxy_api(function_arn, {"/hello": "GET"})

    def get() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(api.url() + "/hello", timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    assert get() == (500, '{"message": "Internal server error"}')
    server.client("lambda").add_permission(
        FunctionName=function,
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api.id}/*/GET/hello",
    )
    assert get() == (200, "hello")


def test_api_gateway_checks_the_source_arn_of_the_apis_region(server: ServerProcess, tmp_path: Path) -> None:
    region = "us-west-2"
    role_arn = make_role(server, tmp_path, f"api-{uuid.uuid4().hex[:6]}")
    function = f"fn-{uuid.uuid4().hex[:10]}"
    source = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'west'}\n"
    functions = server.client("lambda", region_name=region)
    functions.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": zip_of(source)},
    )
    function_arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function}"
    client = server.client("apigateway", region_name=region)
    api = client.create_rest_api(name="west")
    resource = client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="hello")
    client.put_method(
        restApiId=api["id"], resourceId=resource["id"], httpMethod="GET", authorizationType="NONE"
    )
    client.put_integration(
        restApiId=api["id"],
        resourceId=resource["id"],
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
    )
    client.create_deployment(restApiId=api["id"], stageName="test")
    # The permission names the API's region: a policy for us-east-1 would not match it.
    functions.add_permission(
        FunctionName=function,
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{ACCOUNT}:{api['id']}/*/GET/hello",
    )
    url = f"{server.url}/restapis/{api['id']}/test/_user_request_/hello"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert (response.status, response.read().decode()) == (200, "west")


WHO_AM_I = """
import boto3

def handler(event, context):
    return boto3.client("sts").get_caller_identity()["Arn"]
"""


def test_a_warm_function_never_calls_with_an_expired_role_session(tmp_path: Path) -> None:
    # Role sessions last 12 hours of clock time; a test that moves the clock on by days must still find its
    # functions able to call AWS (the warm environment is replaced, as AWS recycles environments).
    server = make_server(tmp_path, "--in-memory", "--enforce-iam").start()
    try:
        role = f"who-{uuid.uuid4().hex[:6]}"
        function = create_function(server, make_role(server, tmp_path, role), WHO_AM_I)
        lambda_ = server.client("lambda")
        for _ in range(2):
            answer = lambda_.invoke(FunctionName=function)
            assert "FunctionError" not in answer, answer["Payload"].read()
            assert json.loads(answer["Payload"].read()).endswith(f":assumed-role/{role}/{function}")
            server.post("/_millpond/clock", {"advance": 13 * 3600})
    finally:
        server.stop()
