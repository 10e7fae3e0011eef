"""Helpers for API Gateway tests: Lambda functions from handler source, and REST APIs in front of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess


@dataclass(frozen=True)
class Api:
    id: str
    root_id: str
    server: ServerProcess

    def url(self, stage: str = "test") -> str:
        """The invoke URL in the path form (http://localhost:port/restapis/<id>/<stage>/_user_request_)."""
        return f"{self.server.url}/restapis/{self.id}/{stage}/_user_request_"

    def host_url(self, stage: str = "test") -> str:
        """The invoke URL in the host form (http://<id>.execute-api.localhost:port/<stage>)."""
        return f"http://{self.id}.execute-api.localhost:{self.server.port}/{stage}"


def lambda_uri(function_arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations"


@pytest.fixture
def make_handler(server: ServerProcess) -> Callable[..., str]:
    """A function from handler source on the shared server; returns its ARN."""
    client = server.client("lambda")

    def create(source: str, **settings: Any) -> str:
        name = f"fn-{uuid.uuid4().hex[:12]}"
        created = client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": zip_of(source)},
            **settings,
        )
        return str(created["FunctionArn"])

    return create


@pytest.fixture
def proxy_api(server: ServerProcess) -> Callable[..., Api]:
    """A REST API sending `paths` ({path: method}) to one function by Lambda proxy, deployed to `stage`."""
    client = server.client("apigateway")

    def build(
        function_arn: str,
        paths: dict[str, str],
        stage: str = "test",
        timeout_ms: int | None = None,
        **api_settings: Any,
    ) -> Api:
        api = client.create_rest_api(name=f"api-{uuid.uuid4().hex[:8]}", **api_settings)
        by_path = {"/": api["rootResourceId"]}
        for path, method in paths.items():
            parent = "/"
            for part in [p for p in path.split("/") if p]:
                here = parent.rstrip("/") + "/" + part
                if here not in by_path:
                    made = client.create_resource(
                        restApiId=api["id"], parentId=by_path[parent], pathPart=part
                    )
                    by_path[here] = made["id"]
                parent = here
            resource_id = by_path[path]
            client.put_method(
                restApiId=api["id"], resourceId=resource_id, httpMethod=method, authorizationType="NONE"
            )
            extra = {"timeoutInMillis": timeout_ms} if timeout_ms else {}
            client.put_integration(
                restApiId=api["id"],
                resourceId=resource_id,
                httpMethod=method,
                type="AWS_PROXY",
                integrationHttpMethod="POST",
                uri=lambda_uri(function_arn),
                **extra,
            )
        client.create_deployment(restApiId=api["id"], stageName=stage)
        return Api(api["id"], api["rootResourceId"], server)

    return build
