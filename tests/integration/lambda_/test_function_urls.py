"""Lambda function URLs against a real server: the control plane through boto3 and the AWS CLI, and the URL
itself through http.client, in its host form (Host: <url-id>.lambda-url.<region>.localhost) and path form."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess, aws_cli_path, run_aws

ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
"""

URL = re.compile(r"^http://(?P<id>[a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:(?P<port>\d+)/$")


def request(
    server: ServerProcess,
    url: str,
    method: str = "GET",
    path: str = "/",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    path_form: bool = False,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Call a function URL at 127.0.0.1, by its Host header or by the /_millpond/lambda-url/ path form."""
    host = urlsplit(url).netloc
    url_id = host.split(".", 1)[0]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    sent = dict(headers or {})
    if path_form:
        target = f"/_millpond/lambda-url/{url_id}{path}"
    else:
        target = path
        sent["Host"] = host
    try:
        connection.request(method, target, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture
def url_of(server: ServerProcess, make_function: Callable[..., str]) -> Callable[..., str]:
    client = server.client("lambda")

    def make(source: str, **settings: Any) -> str:
        name = make_function(source)
        return str(
            client.create_function_url_config(FunctionName=name, AuthType="NONE", **settings)["FunctionUrl"]
        )

    return make


def test_crud_and_errors(server: ServerProcess, make_function: Callable[..., str]) -> None:
    client = server.client("lambda")
    name = make_function(ECHO)
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    created = client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert URL.match(created["FunctionUrl"])
    assert created["FunctionArn"] == arn
    assert created["AuthType"] == "AWS_IAM"
    assert created["InvokeMode"] == "BUFFERED"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$", created["CreationTime"])
    assert "LastModifiedTime" not in created

    with pytest.raises(ClientError) as twice:
        client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert twice.value.response["Error"]["Code"] == "ResourceConflictException"
    assert twice.value.response["Error"]["Message"] == (
        f"Failed to create function url config for [functionArn = {arn}]. "
        "Error message:  FunctionUrlConfig exists for this Lambda function"
    )

    got = client.get_function_url_config(FunctionName=arn)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["LastModifiedTime"] == got["CreationTime"]

    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
    updated = client.update_function_url_config(FunctionName=name, AuthType="NONE", Cors=cors)
    assert updated["AuthType"] == "NONE"
    assert updated["Cors"] == cors
    assert updated["FunctionUrl"] == created["FunctionUrl"]

    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    aliased = client.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")
    assert aliased["FunctionArn"] == f"{arn}:live"
    assert aliased["FunctionUrl"] != created["FunctionUrl"]
    listed = client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [arn, f"{arn}:live"]

    with pytest.raises(ClientError) as version_url:
        client.get_function_url_config(FunctionName=name, Qualifier=version)
    assert version_url.value.response["Error"]["Code"] == "ValidationException"

    client.delete_function_url_config(FunctionName=name)
    for call in (client.get_function_url_config, client.delete_function_url_config):
        with pytest.raises(ClientError) as gone:
            call(FunctionName=name)
        assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert gone.value.response["Error"]["Message"] == "The resource you requested does not exist."
    with pytest.raises(ClientError) as update_gone:
        client.update_function_url_config(FunctionName=name, AuthType="NONE")
    assert update_gone.value.response["Error"]["Code"] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as unknown:
        client.get_function_url_config(FunctionName="no-such-function")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"

    client.delete_function(FunctionName=name)  # takes its URLs with it
    status, _, _ = request(server, aliased["FunctionUrl"])
    assert status == 404


def test_get_with_query_and_headers_reaches_the_handler(
    server: ServerProcess, url_of: Callable[..., str]
) -> None:
    url = url_of(ECHO)
    url_id = URL.match(url).group("id")  # type: ignore[union-attr]
    status, headers, body = request(
        server,
        url,
        path="/items/7?color=red&color=blue&size=2",
        headers={"X-Custom": "one", "Cookie": "a=1; b=2", "User-Agent": "test-agent"},
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/7"
    assert event["rawQueryString"] == "color=red&color=blue&size=2"
    assert event["queryStringParameters"] == {"color": "red,blue", "size": "2"}
    assert event["headers"]["x-custom"] == "one"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["apiId"] == url_id
    assert context["domainPrefix"] == url_id
    assert context["domainName"] == f"{url_id}.lambda-url.us-east-1.localhost"
    assert context["stage"] == "$default"
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/items/7"
    assert context["http"]["userAgent"] == "test-agent"
    assert context["http"]["protocol"] == "HTTP/1.1"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["timeEpoch"], int)


def test_post_with_body_in_path_form(server: ServerProcess, url_of: Callable[..., str]) -> None:
    url = url_of(ECHO)
    status, _, body = request(
        server,
        url,
        method="POST",
        path="/orders",
        body=b'{"order": 1}',
        headers={"Content-Type": "application/json"},
        path_form=True,
    )
    assert status == 200
    event = json.loads(body)
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["rawPath"] == "/orders"
    assert event["body"] == '{"order": 1}'
    assert event["isBase64Encoded"] is False

    status, _, body = request(
        server, url, method="POST", body=b"\x00\x01", headers={"Content-Type": "application/octet-stream"}
    )
    event = json.loads(body)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01"


def test_plain_dict_is_a_json_200(server: ServerProcess, url_of: Callable[..., str]) -> None:
    url = url_of("def handler(event, context):\n    return {'hello': 'world'}\n")
    status, headers, body = request(server, url)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"hello": "world"}


def test_status_headers_and_cookies(server: ServerProcess, url_of: Callable[..., str]) -> None:
    url = url_of(
        "def handler(event, context):\n"
        "    return {'statusCode': 201, 'headers': {'Content-Type': 'text/plain', 'X-Made': 'yes'},\n"
        "            'cookies': ['s=1; Path=/', 't=2'], 'body': 'created'}\n"
    )
    status, headers, body = request(server, url, method="PUT", body=b"x")
    assert status == 201
    assert headers["Content-Type"] == "text/plain"
    assert headers["X-Made"] == "yes"
    assert headers.get_all("Set-Cookie") == ["s=1; Path=/", "t=2"]
    assert body == b"created"


def test_function_error_is_502(server: ServerProcess, url_of: Callable[..., str]) -> None:
    url = url_of("def handler(event, context):\n    raise ValueError('boom')\n")
    status, _, body = request(server, url)
    assert status == 502
    assert body == b"Internal Server Error"


def test_aws_iam_needs_a_signature(server: ServerProcess, make_function: Callable[..., str]) -> None:
    client = server.client("lambda")
    name = make_function(ECHO)
    url = client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    status, _, body = request(server, url)
    assert status == 403
    assert json.loads(body) == {"Message": "Forbidden"}
    signed = (
        "AWS4-HMAC-SHA256 Credential=test/20261203/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host, Signature=x"
    )
    status, _, body = request(server, url, headers={"Authorization": signed})
    assert status == 200
    assert json.loads(body)["requestContext"]["accountId"] != "anonymous"


def test_cors_preflight_and_response_headers(server: ServerProcess, url_of: Callable[..., str]) -> None:
    cors = {
        "AllowOrigins": ["https://app.example"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["x-custom"],
        "ExposeHeaders": ["x-made"],
        "AllowCredentials": True,
        "MaxAge": 300,
    }
    url = url_of("def handler(event, context):\n    return {'called': True}\n", Cors=cors)
    status, headers, body = request(
        server,
        url,
        method="OPTIONS",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert body == b""
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert headers["Access-Control-Allow-Headers"] == "x-custom"
    assert headers["Access-Control-Max-Age"] == "300"
    assert headers["Access-Control-Allow-Credentials"] == "true"

    status, headers, _ = request(server, url, headers={"Origin": "https://app.example"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert headers["Access-Control-Expose-Headers"] == "x-made"
    status, headers, _ = request(server, url, headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_unknown_url_id_is_404(server: ServerProcess) -> None:
    status, _, body = request(server, f"http://{'0' * 32}.lambda-url.us-east-1.localhost:{server.port}/")
    assert status == 404
    assert json.loads(body) == {"Message": None}


@pytest.mark.skipif(not os.path.exists(aws_cli_path()), reason="the AWS CLI is not installed")
def test_create_through_the_aws_cli(server: ServerProcess, make_function: Callable[..., str]) -> None:
    name = make_function("def handler(event, context):\n    return 'hi'\n")
    created = json.loads(
        run_aws(
            server, "lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE"
        ).stdout
    )
    assert URL.match(created["FunctionUrl"])
    status, _, body = request(server, created["FunctionUrl"])
    assert status == 200
    assert json.loads(body) == "hi"
