"""RedrivePolicy and RedriveAllowPolicy parsing, and which source may use which dead-letter queue."""

from __future__ import annotations

import json

import pytest

from millpond.services.sqs.redrive import (
    RedriveAllowPolicy,
    RedrivePolicy,
    check_dead_letter_target,
    check_redrive_allowed,
    parse_redrive_allow_policy,
    parse_redrive_policy,
)

from ._aws import aws_error

INVALID = "InvalidParameterValueException"
DLQ = "arn:aws:sqs:us-east-1:000000000000:dlq"


def test_parse_number_or_string_count() -> None:
    assert parse_redrive_policy(
        json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 5})
    ) == RedrivePolicy(DLQ, 5)
    assert parse_redrive_policy(
        json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": "10"})
    ) == RedrivePolicy(DLQ, 10)


def test_empty_string_removes_the_policy() -> None:
    assert parse_redrive_policy("") is None


def test_normalized_form() -> None:
    policy = parse_redrive_policy(json.dumps({"maxReceiveCount": "3", "deadLetterTargetArn": DLQ}, indent=2))
    assert policy is not None
    assert policy.to_json() == f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":3}}'


@pytest.mark.parametrize("raw", [" ", "4", "[]", "badjson", "null"])
def test_not_a_json_map(raw: str) -> None:
    with aws_error(
        INVALID,
        "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.",
    ):
        parse_redrive_policy(raw)


def test_missing_count_is_reported_first() -> None:
    # AWS-recorded (a user's report of real SQS): "Value {} ... mandatory attribute: maxReceiveCount."
    with aws_error(
        INVALID,
        "Value {} for parameter RedrivePolicy is invalid. "
        "Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.",
    ):
        parse_redrive_policy("{}")


def test_missing_target() -> None:
    raw = '{"maxReceiveCount":5}'
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedrivePolicy is invalid. "
        "Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
    ):
        parse_redrive_policy(raw)


def test_unknown_keys() -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 5, "dummyField": "dummy value"})
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedrivePolicy is invalid. "
        "Reason: Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].",
    ):
        parse_redrive_policy(raw)


@pytest.mark.parametrize("count", [0, -36, 1001, 4023, "x", "5.5", True, None, 2.5])
def test_count_range(count: object) -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": count})
    shown = count if isinstance(count, str) else json.dumps(count)
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
        f"maxReceiveCount: {shown}, "
        "valid values are from 1 to 1000 both inclusive.",
    ):
        parse_redrive_policy(raw)


@pytest.mark.parametrize("count", [1, 1000, "1000"])
def test_count_bounds_accepted(count: object) -> None:
    assert (
        parse_redrive_policy(json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": count})) is not None
    )


def test_target_must_be_an_arn() -> None:
    # AWS-recorded (LocalStack snapshot test_invalid_dead_letter_arn_rejected_before_lookup)
    raw = '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}'
    with aws_error(
        INVALID,
        'Value {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42} for parameter '
        "RedrivePolicy is invalid. "
        "Reason: Invalid value for deadLetterTargetArn.",
    ):
        parse_redrive_policy(raw)


def test_target_must_be_a_queue() -> None:
    raw = json.dumps(
        {"deadLetterTargetArn": "arn:aws:sns:us-east-1:123456789012:MyTopic", "maxReceiveCount": 5}
    )
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedrivePolicy is invalid. "
        "Reason: Only SQS queues are valid resources for deadLetterTargetArn.",
    ):
        parse_redrive_policy(raw)


def check_target(arn: str, *, source_fifo: bool = False, target_exists: bool = True) -> None:
    raw = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    policy = parse_redrive_policy(raw)
    assert policy is not None
    check_dead_letter_target(
        raw,
        policy,
        source_fifo=source_fifo,
        source_account_id="000000000000",
        source_region="us-east-1",
        target_exists=target_exists,
    )


def test_dead_letter_target_checks() -> None:
    check_target(DLQ)
    check_target(DLQ + ".fifo", source_fifo=True)
    with aws_error(INVALID):
        check_target("arn:aws:sqs:us-east-1:111111111111:dlq")
    with aws_error(INVALID):
        check_target("arn:aws:sqs:eu-west-1:000000000000:dlq")


def test_pairing_rule_message() -> None:
    arn = DLQ + ".fifo"
    raw = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    # AWS-recorded (Terraform log from real SQS): the reason ends with two periods.
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedrivePolicy is invalid. "
        "Reason: Dead-letter queue must be same type of queue as the source..",
    ):
        check_target(arn, source_fifo=False)
    with aws_error(INVALID):
        check_target(DLQ, source_fifo=True)


def test_missing_target_message() -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 5})
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.",
    ):
        check_target(DLQ, target_exists=False)


UNSUPPORTED = (
    "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the "
    "redrive allow policy, "
    "as it\u2019s in an unsupported format."
)


@pytest.mark.parametrize(
    "raw",
    [
        "badjson",
        "[]",
        "444",
        "{}",
        '{"redrivePermission":"dummy"}',
        '{"redrivePermission":"allowAll","dummy":"value"}',
        '{"redrivePermission":"byQueue","sourceQueueArns":"arn:aws:sqs"}',
        '{"redrivePermission":"byQueue","sourceQueueArns":[{"dummy":"value"}]}',
    ],
)
def test_allow_policy_unsupported_format(raw: str) -> None:
    with aws_error(INVALID, UNSUPPORTED):
        parse_redrive_allow_policy(raw)


@pytest.mark.parametrize(
    "raw", ['{"redrivePermission":"byQueue"}', '{"redrivePermission":"byQueue","sourceQueueArns":[]}']
)
def test_by_queue_needs_arns(raw: str) -> None:
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't "
        "create the redrive "
        "allow policy. When you specify the byQueue permission type, you must also specify one or more "
        "sourceQueueArns values.",
    ):
        parse_redrive_allow_policy(raw)


@pytest.mark.parametrize("permission", ["allowAll", "denyAll"])
def test_arns_only_with_by_queue(permission: str) -> None:
    raw = json.dumps({"redrivePermission": permission, "sourceQueueArns": [DLQ]}, separators=(",", ":"))
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't "
        "create the redrive "
        "allow policy. To specify one or more source queue ARNs, you must set redrivePermission to byQueue.",
    ):
        parse_redrive_allow_policy(raw)


def test_at_most_ten_source_arns() -> None:
    arns = [f"arn:aws:sqs:us-east-1:123456789012:x{i}" for i in range(1, 12)]
    raw = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": arns})
    with aws_error(
        INVALID,
        f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't "
        "create the redrive "
        "allow policy. The maximum number of source queue ARNs you can specify is 10.",
    ):
        parse_redrive_allow_policy(raw)
    assert parse_redrive_allow_policy(
        json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": arns[:10]})
    )


def test_allow_policy_round_trip_and_rules() -> None:
    raw = (
        '{"redrivePermission":"byQueue",'
        '"sourceQueueArns":["arn:aws:sqs:us-east-1:0:a","arn:aws:sqs:us-east-1:0:b"]}'
    )
    policy = parse_redrive_allow_policy(raw)
    assert policy is not None
    assert policy.to_json() == raw
    assert policy.allows("arn:aws:sqs:us-east-1:0:a")
    assert not policy.allows("arn:aws:sqs:us-east-1:0:c")
    assert RedriveAllowPolicy("allowAll").allows("anything")
    assert not RedriveAllowPolicy("denyAll").allows("anything")
    assert parse_redrive_allow_policy("") is None
    assert parse_redrive_allow_policy('{"redrivePermission":"denyAll"}') == RedriveAllowPolicy("denyAll")


def test_check_redrive_allowed() -> None:
    raw = json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 5})
    check_redrive_allowed(raw, None, "arn:aws:sqs:us-east-1:000000000000:src")  # default allowAll
    check_redrive_allowed(
        raw,
        RedriveAllowPolicy("byQueue", ("arn:aws:sqs:us-east-1:000000000000:src",)),
        "arn:aws:sqs:us-east-1:000000000000:src",
    )
    with aws_error(INVALID):
        check_redrive_allowed(raw, RedriveAllowPolicy("denyAll"), "arn:aws:sqs:us-east-1:000000000000:src")
