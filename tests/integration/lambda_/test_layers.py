"""Lambda layers through boto3 and the AWS CLI: versions and their documents, listing, the version policy,
and functions that really import what their layers hold."""

from __future__ import annotations

import io
import json
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import zip_of
from tests.support.server import ServerProcess, run_aws

HANDLER = """
import greeting
import shout

def handler(event, context):
    return {"greeting": greeting.TEXT, "shout": shout.shout("hi")}
"""


def _archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _layer_name() -> str:
    return f"layer-{uuid.uuid4().hex[:10]}"


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_function_imports_from_its_layers_in_order(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    client = server.client("lambda")
    base, override = _layer_name(), _layer_name()
    first = client.publish_layer_version(
        LayerName=base,
        Content={"ZipFile": _archive({
            "python/greeting.py": "TEXT = 'from the first layer'\n",
            "python/lib/python3.12/site-packages/shout/__init__.py": "def shout(s):\n    return s.upper()\n",
        })},
        CompatibleRuntimes=["python3.12"],
    )  # fmt: skip
    second = client.publish_layer_version(
        LayerName=override,
        Content={"ZipFile": _archive({"python/greeting.py": "TEXT = 'from the second'\n"})},
    )
    name = make_function(HANDLER, Layers=[first["LayerVersionArn"]])
    config = client.get_function_configuration(FunctionName=name)
    assert config["Layers"] == [{"Arn": first["LayerVersionArn"], "CodeSize": first["Content"]["CodeSize"]}]
    reply = json.loads(client.invoke(FunctionName=name)["Payload"].read())
    assert reply == {"greeting": "from the first layer", "shout": "HI"}

    updated = client.update_function_configuration(
        FunctionName=name, Layers=[first["LayerVersionArn"], second["LayerVersionArn"]]
    )
    assert [layer["Arn"] for layer in updated["Layers"]] == [
        first["LayerVersionArn"],
        second["LayerVersionArn"],
    ]
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    reply = json.loads(client.invoke(FunctionName=name)["Payload"].read())
    assert reply == {"greeting": "from the second", "shout": "HI"}  # the later layer's file wins

    # A deleted version is gone from the layer APIs, but the function that uses it still runs with it.
    client.delete_layer_version(LayerName=override, VersionNumber=1)
    client.delete_layer_version(LayerName=override, VersionNumber=1)  # deleting again succeeds
    assert client.list_layer_versions(LayerName=override)["LayerVersions"] == []
    with pytest.raises(ClientError) as gone:
        client.get_layer_version(LayerName=override, VersionNumber=1)
    assert _error(gone) == ("ResourceNotFoundException", "The resource you requested does not exist.")
    client.update_function_configuration(FunctionName=name, Environment={"Variables": {"AGAIN": "1"}})
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert json.loads(client.invoke(FunctionName=name)["Payload"].read())["greeting"] == "from the second"


def test_layer_versions_are_numbered_listed_and_downloadable(server: ServerProcess) -> None:
    client = server.client("lambda")
    name = _layer_name()
    archive = _archive({"python/x.py": "X = 1\n"})
    v1 = client.publish_layer_version(
        LayerName=name, Content={"ZipFile": archive}, CompatibleRuntimes=["python3.12"], LicenseInfo="MIT"
    )
    arn = v1["LayerArn"]
    assert arn.endswith(f":layer:{name}") and v1["LayerVersionArn"] == f"{arn}:1" and v1["Version"] == 1
    assert "Description" not in v1 and "CompatibleArchitectures" not in v1
    with urllib.request.urlopen(v1["Content"]["Location"]) as download:
        assert download.read() == archive
    v2 = client.publish_layer_version(
        LayerName=arn, Content={"ZipFile": archive}, CompatibleArchitectures=["arm64"], Description="two"
    )
    assert v2["Version"] == 2
    assert client.get_layer_version_by_arn(Arn=v2["LayerVersionArn"])["Description"] == "two"
    listed = client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [item["Version"] for item in listed] == [2, 1] and "Content" not in listed[0]
    assert [i["Version"] for i in client.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")[
        "LayerVersions"]] == [1]  # fmt: skip
    layers = {layer["LayerName"]: layer for layer in client.list_layers()["Layers"]}
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2 and layers[name]["LayerArn"] == arn
    arm = {layer["LayerName"] for layer in client.list_layers(CompatibleArchitecture="arm64")["Layers"]}
    assert name in arm
    for version in (1, 2):
        client.delete_layer_version(LayerName=name, VersionNumber=version)
    assert name not in {layer["LayerName"] for layer in client.list_layers()["Layers"]}
    v3 = client.publish_layer_version(LayerName=name, Content={"ZipFile": archive})
    assert v3["Version"] == 3  # numbers are not reused
    assert client.list_layer_versions(LayerName=_layer_name())["LayerVersions"] == []
    with pytest.raises(ClientError) as empty:
        client.publish_layer_version(LayerName=name, Content={})
    assert _error(empty) == ("InvalidParameterValueException", "Missing Content")


def test_layer_version_policy(server: ServerProcess) -> None:
    client = server.client("lambda")
    name = _layer_name()
    version = client.publish_layer_version(LayerName=name, Content={"ZipFile": zip_of("")})
    added = client.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="xaccount", Action="lambda:GetLayerVersion",
        Principal="111122223333", OrganizationId="o-123456",
    )  # fmt: skip
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "xaccount",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "lambda:GetLayerVersion",
        "Resource": version["LayerVersionArn"],
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123456"}},
    }
    got = client.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert got["RevisionId"] == added["RevisionId"]
    assert json.loads(got["Policy"])["Statement"] == [statement]
    with pytest.raises(ClientError) as twice:
        client.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="xaccount", Action="lambda:GetLayerVersion",
            Principal="*",
        )  # fmt: skip
    assert _error(twice)[0] == "ResourceConflictException"
    with pytest.raises(ClientError) as stale:
        client.remove_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="xaccount", RevisionId="not-the-revision"
        )
    assert _error(stale)[0] == "PreconditionFailedException"
    client.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="xaccount")
    with pytest.raises(ClientError) as none:
        client.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert _error(none) == ("ResourceNotFoundException", "The resource you requested does not exist.")
    with pytest.raises(ClientError) as missing:
        client.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="xaccount")
    assert _error(missing) == (
        "ResourceNotFoundException",
        "Statement xaccount is not found in resource policy.",
    )


def test_a_function_naming_a_layer_that_does_not_exist_is_refused(
    server: ServerProcess, make_function: Callable[..., str]
) -> None:
    client = server.client("lambda")
    unknown = f"arn:aws:lambda:us-east-1:000000000000:layer:{_layer_name()}:1"
    with pytest.raises(ClientError) as refused:
        make_function("def handler(event, context):\n    return 1\n", Layers=[unknown])
    assert _error(refused) == ("InvalidParameterValueException", f"Layer version {unknown} does not exist.")
    name = _layer_name()
    v1 = client.publish_layer_version(LayerName=name, Content={"ZipFile": zip_of("")})["LayerVersionArn"]
    v2 = client.publish_layer_version(LayerName=name, Content={"ZipFile": zip_of("")})["LayerVersionArn"]
    with pytest.raises(ClientError) as same_layer:
        make_function("def handler(event, context):\n    return 1\n", Layers=[v1, v2])
    assert _error(same_layer)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as too_many:
        make_function("def handler(event, context):\n    return 1\n", Layers=[v1] * 6)
    assert _error(too_many) == ("InvalidParameterValueException", "Cannot reference more than 5 layers.")


def test_aws_cli_publishes_and_lists_layers(server: ServerProcess, tmp_path: Path) -> None:
    archive = tmp_path / "layer.zip"
    archive.write_bytes(_archive({"python/helpers.py": "VALUE = 42\n"}))
    name = _layer_name()
    published = json.loads(
        run_aws(
            server,
            "lambda",
            "publish-layer-version",
            "--layer-name",
            name,
            "--zip-file",
            f"fileb://{archive}",
            "--compatible-runtimes",
            "python3.12",
        ).stdout
    )
    assert published["Version"] == 1 and published["CompatibleRuntimes"] == ["python3.12"]
    listed = json.loads(run_aws(server, "lambda", "list-layer-versions", "--layer-name", name).stdout)
    assert [v["LayerVersionArn"] for v in listed["LayerVersions"]] == [published["LayerVersionArn"]]
