"""Lambda functions whose code is an S3 object: CreateFunction and UpdateFunctionCode with
S3Bucket/S3Key/S3ObjectVersion, and the error when the object is missing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess


@pytest.mark.slow
def test_function_from_s3_object(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(
        Bucket=bucket, Key="code/fn.zip", Body=zip_of("def handler(e, c):\n    return {'v': 1}\n")
    )["VersionId"]
    s3.put_object(Bucket=bucket, Key="code/fn.zip", Body=zip_of("def handler(e, c):\n    return {'v': 2}\n"))
    lambda_ = server.client("lambda")
    name = f"s3fn-{uuid.uuid4().hex[:8]}"
    lambda_.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"S3Bucket": bucket, "S3Key": "code/fn.zip", "S3ObjectVersion": first},
    )  # fmt: skip
    lambda_.get_waiter("function_active_v2").wait(FunctionName=name)
    assert json.loads(lambda_.invoke(FunctionName=name)["Payload"].read()) == {"v": 1}
    lambda_.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="code/fn.zip")
    lambda_.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert json.loads(lambda_.invoke(FunctionName=name)["Payload"].read()) == {"v": 2}
    with pytest.raises(ClientError) as raised:
        lambda_.create_function(
            FunctionName=f"{name}-x", Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"S3Bucket": bucket, "S3Key": "code/missing.zip"},
        )  # fmt: skip
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert "NoSuchKey" in error["Message"]
