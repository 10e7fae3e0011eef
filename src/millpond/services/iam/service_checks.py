"""The checks services make with IAM when enforcement is on, beyond authorising the caller:
Lambda may assume a function's role (CreateFunction), a mapping's role may read its source
(CreateEventSourceMapping), and a function's resource policy lets a service (API Gateway) invoke it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from millpond.errors import AwsError
from millpond.services.iam.authorization import Principal, authorize, principal_context
from millpond.services.iam.evaluation import Policy, Request, context_of, evaluate

LAMBDA = "lambda.amazonaws.com"
SQS_READ = ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
KINESIS_READ = ("GetRecords", "GetShardIterator", "DescribeStream", "ListShards")


def invalid_parameter(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message, 400, fields={"Type": "User"})


def service_may_assume(trust_document: str | None, service: str) -> bool:
    """Whether a role's trust policy lets `service` (lambda.amazonaws.com) call sts:AssumeRole."""
    if not trust_document:
        return False
    try:
        document = json.loads(trust_document)
    except ValueError:
        return False
    trust = Policy("trust", document, resource_policy=True)
    return evaluate([trust], Request("sts:AssumeRole", "*", service_principal=service)).allowed


def check_lambda_can_assume(role: Mapping[str, Any] | None) -> None:
    if role is None or not service_may_assume(role.get("AssumeRolePolicyDocument"), LAMBDA):
        # AWS's words when the role is missing or its trust policy leaves Lambda out.
        raise invalid_parameter("The role defined for the function cannot be assumed by Lambda.")


def check_source_readable(
    role: Principal, source_arn: str, resource_policy: Policy | None, now: float
) -> None:
    """What CreateEventSourceMapping verifies: the execution role may read the event source."""
    service = source_arn.split(":")[2] if source_arn.count(":") >= 5 else ""
    actions = SQS_READ if service == "sqs" else KINESIS_READ if service == "kinesis" else ()
    context = principal_context(role, now, {})
    for action in actions:
        decision = authorize(
            role, f"{service}:{action}", [source_arn], context, {source_arn: resource_policy}
        )
        if decision.allowed:
            continue
        if service == "sqs":
            raise invalid_parameter(
                f"The provided execution role does not have permissions to call {action} on SQS"
            )
        raise invalid_parameter(
            f"Cannot access stream {source_arn}. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, and ListShards Actions on your stream in IAM."
        )


def service_may_invoke(
    statements: Sequence[Mapping[str, Any]], function_arn: str, service: str, source_arn: str, account: str
) -> bool:
    """Whether a function policy lets `service` call lambda:InvokeFunction for `source_arn`."""
    if not statements:
        return False
    policy = Policy("function", {"Statement": list(statements)}, resource_policy=True)
    context = context_of({"aws:SourceArn": [source_arn], "aws:SourceAccount": [account]})
    request = Request("lambda:InvokeFunction", function_arn, service_principal=service, context=context)
    return evaluate([policy], request).allowed


def service_may_send(
    policy: Mapping[str, Any] | None, queue_arn: str, service: str, source_arn: str, account: str
) -> bool:
    """Whether a queue policy lets `service` (sns.amazonaws.com) call sqs:SendMessage for `source_arn`."""
    if not policy:
        return False
    found = Policy("queue", dict(policy), resource_policy=True)
    context = context_of({"aws:SourceArn": [source_arn], "aws:SourceAccount": [account]})
    request = Request("sqs:SendMessage", queue_arn, service_principal=service, context=context)
    return evaluate([found], request).allowed
