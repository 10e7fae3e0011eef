"""The Lambda control plane through the AWS CLI and boto3: functions, code, concurrency, versions, aliases."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess, run_aws


def test_aws_cli_function_lifecycle(server: ServerProcess, tmp_path: Path) -> None:
    name = f"cli-{uuid.uuid4().hex[:10]}"
    archive = tmp_path / "f.zip"
    archive.write_bytes(zip_of("def handler(event, context):\n    return {'got': event, 'v': 1}\n"))
    created = json.loads(
        run_aws(
            server, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
            "--role", ROLE, "--handler", "app.handler", "--zip-file", f"fileb://{archive}", "--timeout", "60",
        ).stdout
    )  # fmt: skip
    assert created["State"] == "Pending" and created["Timeout"] == 60 and created["Version"] == "$LATEST"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    concurrency = run_aws(
        server, "lambda", "put-function-concurrency", "--function-name", name,
        "--reserved-concurrent-executions", "5",
    )  # fmt: skip
    assert json.loads(concurrency.stdout) == {"ReservedConcurrentExecutions": 5}
    payload = tmp_path / "event.json"
    payload.write_text('{"hello": "world"}')
    out = tmp_path / "out.json"
    invoked = run_aws(
        server, "lambda", "invoke", "--function-name", name, "--payload", f"fileb://{payload}", str(out)
    )
    assert json.loads(invoked.stdout)["StatusCode"] == 200
    assert json.loads(out.read_text()) == {"got": {"hello": "world"}, "v": 1}
    got = json.loads(run_aws(server, "lambda", "get-function", "--function-name", name).stdout)
    assert got["Configuration"]["State"] == "Active" and got["Concurrency"] == {
        "ReservedConcurrentExecutions": 5
    }
    with urllib.request.urlopen(got["Code"]["Location"], timeout=5) as response:
        assert response.read() == archive.read_bytes()
    archive.write_bytes(zip_of("def handler(event, context):\n    return {'got': event, 'v': 2}\n"))
    updated = json.loads(
        run_aws(
            server,
            "lambda",
            "update-function-code",
            "--function-name",
            name,
            "--zip-file",
            f"fileb://{archive}",
        ).stdout
    )
    assert updated["LastUpdateStatus"] == "InProgress" and updated["CodeSha256"] != created["CodeSha256"]
    run_aws(server, "lambda", "invoke", "--function-name", name, "--payload", f"fileb://{payload}", str(out))
    assert json.loads(out.read_text())["v"] == 2
    run_aws(server, "lambda", "delete-function", "--function-name", name)
    missing = run_aws(server, "lambda", "get-function", "--function-name", name, check=False)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


def test_configuration_document_and_updates(server: ServerProcess, make_function: Callable[..., str]) -> None:
    name = make_function(
        "import os\ndef handler(event, context):\n    return os.environ.get('COLOUR')\n",
        Environment={"Variables": {"COLOUR": "red"}},
        Description="first",
        Tags={"team": "a"},
    )
    client = server.client("lambda")
    config = client.get_function_configuration(FunctionName=name)
    assert config["MemorySize"] == 128 and config["Timeout"] == 3 and config["PackageType"] == "Zip"
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert config["Architectures"] == ["x86_64"] and config["EphemeralStorage"] == {"Size": 512}
    assert json.loads(client.invoke(FunctionName=name)["Payload"].read()) == "red"
    updated = client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"COLOUR": "blue"}}, MemorySize=256
    )
    assert updated["LastUpdateStatus"] == "InProgress" and updated["MemorySize"] == 256
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert json.loads(client.invoke(FunctionName=name)["Payload"].read()) == "blue"
    assert client.list_tags(Resource=config["FunctionArn"])["Tags"] == {"team": "a"}
    assert name in [f["FunctionName"] for f in client.list_functions(MaxItems=1000)["Functions"]]
    with pytest.raises(ClientError) as again:
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": zip_of("")},
        )
    assert again.value.response["Error"]["Code"] == "ResourceConflictException"
    assert again.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_runtimes_that_cannot_run_here_get_a_clear_error(server: ServerProcess) -> None:
    with pytest.raises(ClientError) as raised:
        server.client("lambda").create_function(
            FunctionName=f"node-{uuid.uuid4().hex[:8]}", Runtime="nodejs22.x", Role=ROLE,
            Handler="index.handler", Code={"ZipFile": zip_of("", "index.js")},
        )  # fmt: skip
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "nodejs22.x" in raised.value.response["Error"]["Message"]


def test_versions_and_aliases(server: ServerProcess, make_function: Callable[..., str]) -> None:
    name = make_function("def handler(event, context):\n    return 'one'\n")
    client = server.client("lambda")
    v1 = client.publish_version(FunctionName=name)
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(f":{name}:1")
    assert client.publish_version(FunctionName=name)["Version"] == "1"  # nothing changed: the same version
    client.update_function_code(
        FunctionName=name, ZipFile=zip_of("def handler(event, context):\n    return 'two'\n")
    )
    assert client.publish_version(FunctionName=name)["Version"] == "2"
    versions = [v["Version"] for v in client.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    alias = client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(f":{name}:live")
    reply = client.invoke(FunctionName=name, Qualifier="live")
    assert json.loads(reply["Payload"].read()) == "one" and reply["ExecutedVersion"] == "1"
    reply = client.invoke(FunctionName=f"{name}:2")
    assert json.loads(reply["Payload"].read()) == "two" and reply["ExecutedVersion"] == "2"
    client.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "2"
    assert json.loads(client.invoke(FunctionName=name, Qualifier="live")["Payload"].read()) == "two"
    assert [a["Name"] for a in client.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    client.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(ClientError) as gone:
        client.invoke(FunctionName=name, Qualifier="live")
    assert gone.value.response["Error"]["Message"].endswith(f"function:{name}:live")


def test_permissions_event_invoke_config_and_account_settings(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function("def handler(event, context):\n    return None\n")
    client = server.client("lambda")
    added = client.add_permission(
        FunctionName=name,
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn="arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/x",
    )
    statement = json.loads(added["Statement"])
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].startswith("arn:aws:execute-api")
    policy = json.loads(client.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["apigw"]
    client.remove_permission(FunctionName=name, StatementId="apigw")
    with pytest.raises(ClientError):
        client.remove_permission(FunctionName=name, StatementId="apigw")
    queue_arn = "arn:aws:sqs:us-east-1:000000000000:failures"
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": queue_arn}}
    )
    got = client.get_function_event_invoke_config(FunctionName=name)
    assert (
        got["MaximumRetryAttempts"] == 0 and got["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn
    )
    settings = client.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
