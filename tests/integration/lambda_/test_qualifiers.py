"""What each qualifier names, through boto3: the ARNs reported, when PublishVersion makes a new version, the
policy of each version and alias, and the words AWS uses when a qualifier does not exist."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess

SOURCE = "def handler(event, context):\n    return 'ok'\n"


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_create_with_publish_reports_the_unqualified_arn_and_get_function_the_qualified(
    server: ServerProcess,
) -> None:
    client = server.client("lambda")
    name = f"fn-{uuid.uuid4().hex[:12]}"
    created = client.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": zip_of(SOURCE)}, Publish=True,
    )  # fmt: skip
    unqualified = created["FunctionArn"]
    assert created["Version"] == "1" and unqualified.endswith(f":function:{name}")
    assert client.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == unqualified
    latest = client.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]
    assert latest["FunctionArn"] == f"{unqualified}:$LATEST" and latest["Version"] == "$LATEST"
    first = client.get_function_configuration(FunctionName=f"{name}:1")
    assert first["FunctionArn"] == f"{unqualified}:1" and first["Version"] == "1"
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    through_alias = client.get_function(FunctionName=name, Qualifier="live")["Configuration"]
    assert through_alias["FunctionArn"] == f"{unqualified}:live" and through_alias["Version"] == "1"


def test_an_update_makes_the_next_publish_a_new_version_even_with_the_same_code(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function(SOURCE)
    client = server.client("lambda")
    assert client.publish_version(FunctionName=name)["Version"] == "1"
    assert client.publish_version(FunctionName=name)["Version"] == "1"
    client.update_function_code(FunctionName=name, ZipFile=zip_of(SOURCE))
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert client.publish_version(FunctionName=name)["Version"] == "2"
    published = client.update_function_code(FunctionName=name, ZipFile=zip_of(SOURCE), Publish=True)
    assert published["Version"] == "3"
    assert client.publish_version(FunctionName=name)["Version"] == "3"


def test_each_version_and_alias_has_its_own_policy(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function(SOURCE)
    client = server.client("lambda")
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    grant = {"Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}
    client.add_permission(FunctionName=name, StatementId="on-function", **grant)
    client.add_permission(FunctionName=name, Qualifier="live", StatementId="on-alias", **grant)
    client.add_permission(FunctionName=f"{name}:1", StatementId="on-function", **grant)  # same id, elsewhere

    def sids(**where: str) -> list[str]:
        policy = json.loads(client.get_policy(FunctionName=name, **where)["Policy"])
        return [statement["Sid"] for statement in policy["Statement"]]

    assert sids() == ["on-function"]
    assert sids(Qualifier="live") == ["on-alias"]
    assert sids(Qualifier="1") == ["on-function"]
    client.remove_permission(FunctionName=name, Qualifier="1", StatementId="on-function")
    with pytest.raises(ClientError) as no_policy:
        client.remove_permission(FunctionName=name, Qualifier="1", StatementId="on-function")
    assert _error(no_policy) == (
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
    )
    with pytest.raises(ClientError) as no_statement:
        client.remove_permission(FunctionName=name, StatementId="on-alias")
    assert _error(no_statement) == (
        "ResourceNotFoundException",
        "Statement on-alias is not found in resource policy.",
    )
    assert sids() == ["on-function"]


def test_unknown_qualifiers_are_named_as_aws_names_them(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    name = make_function(SOURCE)
    client = server.client("lambda")
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    with pytest.raises(ClientError) as no_alias:
        client.get_alias(FunctionName=name, Name="missing")
    assert _error(no_alias) == ("ResourceNotFoundException", f"Cannot find alias arn: {arn}:missing")
    with pytest.raises(ClientError) as invoked:
        client.invoke(FunctionName=name, Qualifier="missing")
    assert _error(invoked) == ("ResourceNotFoundException", f"Cannot find alias arn: {arn}:missing")
    with pytest.raises(ClientError) as no_version:
        client.add_permission(
            FunctionName=name, Qualifier="7", StatementId="s",
            Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
        )  # fmt: skip
    assert _error(no_version) == ("ResourceNotFoundException", f"Function not found: {arn}:7")


def test_model_constraints_are_one_validation_exception(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    client = server.client("lambda")
    with pytest.raises(ClientError) as bad_create:
        client.create_function(
            FunctionName=f"fn-{uuid.uuid4().hex[:12]}", Runtime="python3.12", Role=ROLE,
            Handler="app.handler", Code={"ZipFile": zip_of(SOURCE)}, PackageType="ZIP",
            Architectures=["sparc"], MemorySize=40000,
        )  # fmt: skip
    code, message = _error(bad_create)
    assert code == "ValidationException"
    assert message.startswith("3 validation errors detected: ")
    for found in (
        "Value '40000' at 'memorySize' failed to satisfy constraint: "
        "Member must have value less than or equal to 32768",
        "Value 'ZIP' at 'packageType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Zip, Image]",
    ):
        assert found in message
    assert (
        "Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    ) in message
    name = make_function(SOURCE)
    with pytest.raises(ClientError) as bad_config:
        client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=5)
    assert _error(bad_config) == (
        "ValidationException",
        "1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: "
        "Member must have value less than or equal to 2",
    )
    # Patterns are not enforced: a placeholder SourceArn is stored as given.
    client.add_permission(
        FunctionName=name, StatementId="s", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
        SourceArn="arn:aws:lambda:us-west-2:account-id:function:helloworld",
    )  # fmt: skip
