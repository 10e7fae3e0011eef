"""The model constraint check: ranges, lengths and enums of nested members, lists and maps, in AWS's words."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from millpond.errors import AwsError
from millpond.protocol.constraints import check_constraints
from millpond.validation import validation_error, violation

LAMBDA = botocore.session.get_session().get_service_model("lambda")


def _message(operation: str, params: dict[str, Any], service: str = "lambda") -> str | None:
    try:
        check_constraints(service, LAMBDA.operation_model(operation).input_shape, params)
    except AwsError as error:
        assert error.code == "ValidationException"
        return error.message
    return None


def test_valid_input_passes() -> None:
    assert _message("PutFunctionEventInvokeConfig", {"FunctionName": "f", "MaximumRetryAttempts": 2}) is None


def test_ranges_of_nested_members_are_named_by_their_camel_case_path() -> None:
    message = _message(
        "CreateFunction",
        {"FunctionName": "f", "Role": "r", "Code": {}, "MemorySize": 64, "EphemeralStorage": {"Size": 100}},
    )
    assert message == (
        "2 validation errors detected: "
        "Value '64' at 'memorySize' failed to satisfy constraint: "
        "Member must have value greater than or equal to 128; "
        "Value '100' at 'ephemeralStorage.size' failed to satisfy constraint: "
        "Member must have value greater than or equal to 512"
    )


def test_a_list_item_breaking_its_enum_names_the_list_once_with_every_item_rule() -> None:
    message = _message(
        "CreateFunction", {"FunctionName": "f", "Role": "r", "Code": {}, "Architectures": ["a", "b"]}
    )
    assert message == (
        "2 validation errors detected: "
        "Value '[a, b]' at 'architectures' failed to satisfy constraint: "
        "Member must have length less than or equal to 1; "
        "Value '[a, b]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    )


def test_patterns_are_not_enforced() -> None:
    params = {"FunctionName": "f", "StatementId": "s", "Action": "lambda:InvokeFunction", "Principal": "*"}
    assert (
        _message("AddPermission", {**params, "SourceArn": "arn:aws:lambda:us-west-2:account-id:function:f"})
        is None
    )


def test_only_the_checked_services_are_checked() -> None:
    assert (
        _message("PutFunctionEventInvokeConfig", {"FunctionName": "f", "MaximumRetryAttempts": 9}, "sqs")
        is None
    )


def test_a_map_value_too_long_names_the_map_once() -> None:
    message = _message("TagResource", {"Resource": "arn", "Tags": {"a": "v" * 300, "b": "w" * 300}})
    assert message is not None
    assert message.startswith("1 validation error detected: Value '{a=")
    assert "at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [" in message


@pytest.mark.parametrize(("found", "listed"), [(1, "1 validation error"), (12, "10 validation errors")])
def test_at_most_ten_violations_are_listed(found: int, listed: str) -> None:
    error = validation_error([violation(i, f"m{i}", "Member must not be null") for i in range(found)])
    assert error.message.startswith(f"{listed} detected: Value '0' at 'm0' failed to satisfy constraint: ")
    assert error.message.count("; ") == min(found, 10) - 1
