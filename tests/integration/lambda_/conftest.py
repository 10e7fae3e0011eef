"""Helpers for Lambda tests: zip archives of handler source, and functions created on the shared server."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.server import ServerProcess

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_of(source: str, name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


@pytest.fixture
def make_function(server: ServerProcess) -> Callable[..., str]:
    """Create a function from handler source on the shared server; a unique name per call."""
    client = server.client("lambda")

    def create(source: str, **settings: Any) -> str:
        name = f"fn-{uuid.uuid4().hex[:12]}"
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": zip_of(source)},
            **settings,
        )
        return name

    return create
