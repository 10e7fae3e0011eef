"""Policy documents and the decision IAM reaches for each request: one table for the evaluator and for
SimulateCustomPolicy through boto3 (the same rows must give the same answers both ways)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@dataclass(frozen=True)
class Case:
    id: str
    policies: list[dict[str, Any]]
    action: str
    resource: str = "*"
    context: dict[str, list[str]] = field(default_factory=dict)
    expected: str = "allowed"


Q = "arn:aws:sqs:us-east-1:000000000000:orders"
S = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks"
NOW = "2030-01-01T00:00:00Z"

CASES: list[Case] = [
    Case("no-policy", [], "sqs:SendMessage", Q, expected="implicitDeny"),
    Case("allow-exact", [doc(allow("sqs:SendMessage", Q))], "sqs:SendMessage", Q),
    Case("action-case-insensitive", [doc(allow("SQS:sendmessage", Q))], "sqs:SendMessage", Q),
    Case(
        "resource-case-sensitive",
        [doc(allow("sqs:*", Q.replace("orders", "Orders")))],
        "sqs:SendMessage",
        Q,
        expected="implicitDeny",
    ),
    Case("action-star", [doc(allow("sqs:*"))], "sqs:DeleteQueue", Q),
    Case("action-prefix-wildcard", [doc(allow("sqs:Send*"))], "sqs:SendMessageBatch", Q),
    Case("action-question-mark", [doc(allow("sqs:?etQueueUrl"))], "sqs:GetQueueUrl", Q),
    Case("other-service", [doc(allow("sqs:*"))], "kinesis:PutRecord", S, expected="implicitDeny"),
    Case("resource-wildcard", [doc(allow("sqs:*", "arn:aws:sqs:*:*:ord*"))], "sqs:SendMessage", Q),
    Case(
        "resource-no-match",
        [doc(allow("sqs:*", "arn:aws:sqs:*:*:other"))],
        "sqs:SendMessage",
        Q,
        expected="implicitDeny",
    ),
    Case(
        "deny-wins", [doc(allow("*"), deny("sqs:DeleteQueue"))], "sqs:DeleteQueue", Q, expected="explicitDeny"
    ),
    Case("deny-other-action", [doc(allow("*"), deny("sqs:DeleteQueue"))], "sqs:SendMessage", Q),
    Case(
        "deny-across-policies",
        [doc(allow("sqs:*")), doc(deny("sqs:*", Q))],
        "sqs:SendMessage",
        Q,
        expected="explicitDeny",
    ),
    Case(
        "not-action-allows-rest",
        [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
        "sqs:SendMessage",
        Q,
    ),
    Case(
        "not-action-excludes",
        [doc({"Effect": "Allow", "NotAction": ["iam:*", "sqs:Delete*"], "Resource": "*"})],
        "sqs:DeleteQueue",
        Q,
        expected="implicitDeny",
    ),
    Case(
        "not-resource",
        [doc({"Effect": "Allow", "Action": "sqs:*", "NotResource": Q})],
        "sqs:SendMessage",
        Q,
        expected="implicitDeny",
    ),
    Case(
        "not-resource-other",
        [doc({"Effect": "Allow", "Action": "sqs:*", "NotResource": Q})],
        "sqs:SendMessage",
        Q + "2",
    ),
    Case(
        "deny-not-action",
        [doc(allow("*"), {"Effect": "Deny", "NotAction": "sqs:Get*", "Resource": "*"})],
        "sqs:SendMessage",
        Q,
        expected="explicitDeny",
    ),
    # String*
    Case(
        "string-equals",
        [doc(allow("sqs:*", Condition={"StringEquals": {"aws:username": "alice"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"]},
    ),
    Case(
        "string-equals-case",
        [doc(allow("sqs:*", Condition={"StringEquals": {"aws:username": "alice"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["Alice"]},
        "implicitDeny",
    ),
    Case(
        "string-equals-missing-key",
        [doc(allow("sqs:*", Condition={"StringEquals": {"aws:username": "alice"}}))],
        "sqs:SendMessage",
        Q,
        expected="implicitDeny",
    ),
    Case(
        "string-not-equals",
        [doc(allow("sqs:*", Condition={"StringNotEquals": {"aws:username": "bob"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"]},
    ),
    Case(
        "string-equals-ignore-case",
        [doc(allow("sqs:*", Condition={"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"]},
    ),
    Case(
        "string-like",
        [doc(allow("sqs:*", Condition={"StringLike": {"aws:PrincipalTag/team": "data-*"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:PrincipalTag/team": ["data-eng"]},
    ),
    Case(
        "string-not-like",
        [doc(allow("sqs:*", Condition={"StringNotLike": {"aws:PrincipalTag/team": "data-*"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:PrincipalTag/team": ["data-eng"]},
        "implicitDeny",
    ),
    Case(
        "string-values-are-or",
        [doc(allow("sqs:*", Condition={"StringEquals": {"aws:username": ["bob", "alice"]}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"]},
    ),
    Case(
        "string-if-exists-missing",
        [doc(allow("sqs:*", Condition={"StringEqualsIfExists": {"aws:ResourceTag/env": "dev"}}))],
        "sqs:SendMessage",
        Q,
    ),
    Case(
        "string-if-exists-present",
        [doc(allow("sqs:*", Condition={"StringEqualsIfExists": {"aws:ResourceTag/env": "dev"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:ResourceTag/env": ["prod"]},
        "implicitDeny",
    ),
    Case(
        "keys-case-insensitive",
        [doc(allow("sqs:*", Condition={"StringEquals": {"AWS:UserName": "alice"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"]},
    ),
    # Numeric*
    Case(
        "numeric-less-than",
        [doc(allow("sqs:*", Condition={"NumericLessThan": {"sqs:MaxResults": "10"}}))],
        "sqs:ListQueues",
        Q,
        {"sqs:MaxResults": ["5"]},
    ),
    Case(
        "numeric-less-than-no",
        [doc(allow("sqs:*", Condition={"NumericLessThan": {"sqs:MaxResults": "10"}}))],
        "sqs:ListQueues",
        Q,
        {"sqs:MaxResults": ["10"]},
        "implicitDeny",
    ),
    Case(
        "numeric-greater-equals",
        [doc(allow("sqs:*", Condition={"NumericGreaterThanEquals": {"sqs:MaxResults": "10"}}))],
        "sqs:ListQueues",
        Q,
        {"sqs:MaxResults": ["10"]},
    ),
    Case(
        "numeric-not-equals",
        [doc(allow("sqs:*", Condition={"NumericNotEquals": {"sqs:MaxResults": "3"}}))],
        "sqs:ListQueues",
        Q,
        {"sqs:MaxResults": ["3"]},
        "implicitDeny",
    ),
    # Date*
    Case(
        "date-less-than",
        [doc(allow("sqs:*", Condition={"DateLessThan": {"aws:CurrentTime": "2031-01-01T00:00:00Z"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:CurrentTime": [NOW]},
    ),
    Case(
        "date-greater-than",
        [doc(allow("sqs:*", Condition={"DateGreaterThan": {"aws:CurrentTime": "2031-01-01T00:00:00Z"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:CurrentTime": [NOW]},
        "implicitDeny",
    ),
    Case(
        "date-epoch",
        [doc(allow("sqs:*", Condition={"DateGreaterThanEquals": {"aws:EpochTime": "1893456000"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:EpochTime": ["1893456000"]},
    ),
    # Bool, Null
    Case(
        "bool-secure-transport",
        [doc(deny("*", Condition={"Bool": {"aws:SecureTransport": "false"}}), allow("*"))],
        "sqs:SendMessage",
        Q,
        {"aws:SecureTransport": ["false"]},
        "explicitDeny",
    ),
    Case(
        "bool-true",
        [doc(allow("*", Condition={"Bool": {"aws:SecureTransport": "true"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:SecureTransport": ["true"]},
    ),
    Case(
        "null-true-absent",
        [doc(allow("*", Condition={"Null": {"aws:TokenIssueTime": "true"}}))],
        "sqs:SendMessage",
        Q,
    ),
    Case(
        "null-true-present",
        [doc(allow("*", Condition={"Null": {"aws:TokenIssueTime": "true"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:TokenIssueTime": [NOW]},
        "implicitDeny",
    ),
    Case(
        "null-false",
        [doc(allow("*", Condition={"Null": {"aws:TokenIssueTime": "false"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:TokenIssueTime": [NOW]},
    ),
    # IpAddress
    Case(
        "ip-in-range",
        [doc(allow("*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:SourceIp": ["10.1.2.3"]},
    ),
    Case(
        "ip-out-of-range",
        [doc(allow("*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:SourceIp": ["192.168.1.1"]},
        "implicitDeny",
    ),
    Case(
        "not-ip",
        [doc(allow("*", Condition={"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.1/32"]}}))],
        "sqs:SendMessage",
        Q,
        {"aws:SourceIp": ["127.0.0.1"]},
        "implicitDeny",
    ),
    # Arn*
    Case(
        "arn-like",
        [doc(allow("*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app-*"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:PrincipalArn": ["arn:aws:iam::000000000000:role/app-worker"]},
    ),
    Case(
        "arn-equals-no",
        [doc(allow("*", Condition={"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::000000000000:role/a"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:PrincipalArn": ["arn:aws:iam::000000000000:role/b"]},
        "implicitDeny",
    ),
    Case(
        "arn-not-like",
        [doc(allow("*", Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:PrincipalArn": ["arn:aws:iam::000000000000:role/r"]},
    ),
    # Multi-valued keys
    Case(
        "for-any-value",
        [doc(allow("*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
        "sqs:TagQueue",
        Q,
        {"aws:TagKeys": ["cost", "team"]},
    ),
    Case(
        "for-all-values",
        [doc(allow("*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
        "sqs:TagQueue",
        Q,
        {"aws:TagKeys": ["cost", "team"]},
        "implicitDeny",
    ),
    Case(
        "for-all-values-subset",
        [doc(allow("*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
        "sqs:TagQueue",
        Q,
        {"aws:TagKeys": ["team"]},
    ),
    # Several conditions are ANDed
    Case(
        "conditions-and",
        [
            doc(
                allow(
                    "*",
                    Condition={
                        "StringEquals": {"aws:username": "alice"},
                        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    },
                )
            )
        ],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"], "aws:SourceIp": ["192.168.0.1"]},
        "implicitDeny",
    ),
    # Policy variables
    Case(
        "variable-in-resource",
        [doc(allow("sqs:*", "arn:aws:sqs:*:*:${aws:username}-*"))],
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:000000000000:alice-jobs",
        {"aws:username": ["alice"]},
    ),
    Case(
        "variable-other-user",
        [doc(allow("sqs:*", "arn:aws:sqs:*:*:${aws:username}-*"))],
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:000000000000:bob-jobs",
        {"aws:username": ["alice"]},
        "implicitDeny",
    ),
    Case(
        "variable-in-condition",
        [doc(allow("*", Condition={"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}))],
        "sqs:SendMessage",
        Q,
        {"aws:username": ["alice"], "aws:ResourceTag/owner": ["alice"]},
    ),
]
