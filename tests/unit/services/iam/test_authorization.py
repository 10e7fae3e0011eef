"""The per-service action tables (full coverage of botocore's operations, spot checks against the
Service Authorization Reference) and the authorisation decision and its wording."""

from __future__ import annotations

import pytest

from millpond.protocol import specs
from millpond.services.iam.actions import Call, Check, checks_for, covered
from millpond.services.iam.authorization import ASSUMED_ROLE, USER, Principal, authorize, denied_message
from millpond.services.iam.evaluation import Policy

ACCOUNT = "000000000000"


@pytest.mark.parametrize("service", sorted(specs.SERVED_SERVICES))
def test_every_operation_has_an_entry(service: str) -> None:
    assert covered(service) == frozenset(specs.service_model(service).operation_names)


def call(service: str, operation: str, **params: object) -> list[Check]:
    return checks_for(
        Call(service, operation, params, "us-east-1", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/me")
    )


@pytest.mark.parametrize(
    ("checks", "action", "resource"),
    [
        (call("sqs", "SendMessageBatch", QueueUrl=f"http://localhost/{ACCOUNT}/q"), "sqs:SendMessage",
         f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"),
        (call("sqs", "CreateQueue", QueueName="q"), "sqs:CreateQueue", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"),
        (call("sqs", "ListQueues"), "sqs:ListQueues", "*"),
        (call("kinesis", "PutRecords", StreamName="s"), "kinesis:PutRecords",
         f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"),
        (call("lambda", "Invoke", FunctionName="f", Qualifier="live"), "lambda:InvokeFunction",
         f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f:live"),
        (call("lambda", "GetFunction", FunctionName=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f"),
         "lambda:GetFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f"),
        (call("logs", "PutLogEvents", logGroupName="g", logStreamName="s"), "logs:PutLogEvents",
         f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:g:log-stream:s"),
        (call("iam", "AttachRolePolicy", RoleName="r", PolicyArn="arn:aws:iam::aws:policy/P"),
         "iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/r"),
        (call("iam", "ListAccessKeys"), "iam:ListAccessKeys", f"arn:aws:iam::{ACCOUNT}:user/me"),
        (call("sts", "AssumeRole", RoleArn="arn:aws:iam::1:role/r"), "sts:AssumeRole",
         "arn:aws:iam::1:role/r"),
        (call("cloudwatch", "PutDashboard", DashboardName="d"), "cloudwatch:PutDashboard",
         f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/d"),
    ],
)  # fmt: skip
def test_actions_and_resources(checks: list[Check], action: str, resource: str) -> None:
    assert [(c.action, c.resource) for c in checks] == [(action, resource)]


def test_get_caller_identity_needs_no_permission_and_tags_become_request_keys() -> None:
    assert call("sts", "GetCallerIdentity") == []
    (check,) = call("sqs", "TagQueue", QueueUrl=f"http://x/{ACCOUNT}/q", Tags={"team": "a"})
    assert check.context == {"aws:RequestTag/team": ["a"], "aws:TagKeys": ["team"]}
    (mapping,) = call("lambda", "CreateEventSourceMapping", FunctionName="f")
    assert mapping.context["lambda:FunctionArn"] == [f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"]


def policy(effect: str, action: str, resource: str) -> Policy:
    statement = {"Effect": effect, "Action": action, "Resource": resource}
    return Policy("p", {"Version": "2012-10-17", "Statement": [statement]})


USER2 = Principal(
    f"arn:aws:iam::{ACCOUNT}:user/user2", ACCOUNT, "AIDAEXAMPLE", USER, "user2",
    (policy("Allow", "sqs:*", f"arn:aws:sqs:*:{ACCOUNT}:user2-*"),),
)  # fmt: skip
QUEUE3 = f"arn:aws:sqs:us-east-1:{ACCOUNT}:user3-orders"


def test_implicit_deny_is_worded_as_aws_words_it() -> None:
    assert authorize(USER2, "sqs:SendMessage", [f"arn:aws:sqs:us-east-1:{ACCOUNT}:user2-q"], {}, {}).allowed
    decision = authorize(USER2, "sqs:SendMessage", [QUEUE3], {}, {})
    assert not decision.allowed and not decision.explicit
    assert denied_message(USER2, decision, "sqs") == (
        f"User: arn:aws:iam::{ACCOUNT}:user/user2 is not authorized to perform: sqs:sendmessage on resource: "
        f"{QUEUE3} because no identity-based policy allows the sqs:sendmessage action"
    )
    assert denied_message(USER2, decision, "kinesis").endswith("allows the sqs:SendMessage action")


def test_resource_policy_allows_and_explicit_deny_wins() -> None:
    grant = Policy(
        "queue",
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": USER2.arn}, "Action": "sqs:*", "Resource": "*"}
            ]
        },
        resource_policy=True,
    )
    assert authorize(USER2, "sqs:SendMessage", [QUEUE3], {}, {QUEUE3: grant}).allowed
    account_grant = Policy(
        "queue",
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sqs:*", "Resource": "*"}
            ]
        },
        resource_policy=True,
    )
    # Same account: naming the account delegates to IAM and grants no user by itself.
    assert not authorize(USER2, "sqs:SendMessage", [QUEUE3], {}, {QUEUE3: account_grant}).allowed
    denied = Principal(
        USER2.arn, ACCOUNT, "AIDA", USER, "user2", (*USER2.policies, policy("Deny", "sqs:*", "*"))
    )
    decision = authorize(denied, "sqs:SendMessage", [f"arn:aws:sqs:us-east-1:{ACCOUNT}:user2-q"], {}, {})
    assert decision.explicit
    assert denied_message(denied, decision, "lambda").endswith(
        "with an explicit deny in an identity-based policy"
    )


def test_assumed_roles_match_resource_policies_by_role_arn() -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/r"
    session = Principal(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/r/fn", ACCOUNT, "AROA:fn", ASSUMED_ROLE, "r", role_arn=role_arn
    )
    grant = Policy(
        "fn",
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": role_arn}, "Action": "sqs:*", "Resource": "*"}
            ]
        },
        resource_policy=True,
    )
    assert authorize(session, "sqs:SendMessage", [QUEUE3], {}, {QUEUE3: grant}).allowed
    assert not authorize(session, "sqs:SendMessage", [QUEUE3], {}, {}).allowed
