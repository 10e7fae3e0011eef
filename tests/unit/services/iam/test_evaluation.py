"""The policy evaluator over the shared table of policy documents, plus document validation."""

from __future__ import annotations

import json

import pytest

from millpond.errors import AwsError
from millpond.services.iam.evaluation import Policy, Request, context_of, evaluate, substitute
from millpond.services.iam.policy_document import parse
from tests.unit.services.iam.policy_cases import CASES, Case, allow, doc


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_decision(case: Case) -> None:
    policies = [Policy(f"PolicyInputList.{n}", parse(json.dumps(d))) for n, d in enumerate(case.policies, 1)]
    decision = evaluate(policies, Request(case.action, case.resource, context=context_of(case.context)))
    assert decision.decision == case.expected
    assert bool(decision.matched) == (case.expected != "implicitDeny")


def test_resource_policy_principals() -> None:
    queue_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sqs:*",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "sqs:SendMessage",
                "Resource": "*",
            },
        ],
    }
    policy = Policy("queue", parse(json.dumps(queue_policy), "resource"), resource_policy=True)
    service = Request("sqs:ReceiveMessage", service_principal="lambda.amazonaws.com")
    assert evaluate([policy], service).allowed
    other = Request(
        "sqs:SendMessage", principal_arn="arn:aws:iam::111122223333:user/x", principal_account="111122223333"
    )
    assert evaluate([policy], other).allowed
    stranger = Request(
        "sqs:SendMessage", principal_arn="arn:aws:iam::999999999999:user/x", principal_account="999999999999"
    )
    assert not evaluate([policy], stranger).allowed


def test_policy_variables() -> None:
    context = context_of({"aws:username": ["alice"]})
    assert substitute("home/${aws:username}/*", context) == "home/alice/*"
    assert substitute("${aws:userid, 'nobody'}", context) == "nobody"
    assert substitute("${*}${?}${$}", context) == "*?$"
    assert substitute("${aws:userid}", context) is None


def test_missing_context_values_are_reported() -> None:
    policy = Policy(
        "p", parse(json.dumps(doc(allow("*", Condition={"StringEquals": {"aws:username": "a"}}))))
    )
    assert evaluate([policy], Request("sqs:SendMessage")).missing_context == ["aws:username"]


@pytest.mark.parametrize(
    ("document", "kind", "message"),
    [
        ("{not json", "identity", "This policy contains invalid Json"),
        (json.dumps({"Version": "2012-10-17"}), "identity", "Syntax errors in policy."),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*"}]}),
            "identity",
            "Syntax errors in policy.",
        ),
        (
            json.dumps({"Statement": [allow("sqs:*")]}),
            "identity",
            "Policy document must be version 2012-10-17 or greater.",
        ),
        (
            json.dumps(doc({"Effect": "Allow", "Resource": "*"})),
            "identity",
            "Policy statement must contain actions.",
        ),
        (
            json.dumps(doc({"Effect": "Allow", "Action": "sqs:*"})),
            "identity",
            "Policy statement must contain resources.",
        ),
        (
            json.dumps(doc(allow("SendMessage"))),
            "identity",
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            json.dumps(doc(allow("sqs:*", "orders"))),
            "identity",
            'Resource orders must be in ARN format or "*".',
        ),
        (
            json.dumps(doc(allow("sqs:*", Sid="a"), allow("sqs:*", Sid="a"))),
            "identity",
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (
            json.dumps(doc(allow("sqs:*", Condition={"StringIsh": {"a:b": "c"}}))),
            "identity",
            "Syntax errors in policy.",
        ),
        (
            json.dumps(doc(allow("sqs:*", Principal="*"))),
            "identity",
            "Policy document should not specify a principal.",
        ),
        (
            json.dumps(
                doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Resource": "*",
                    }
                )
            ),
            "trust",
            "Has prohibited field Resource",
        ),
        (
            json.dumps(doc({"Effect": "Allow", "Action": "sts:AssumeRole"})),
            "trust",
            "Missing required field Principal",
        ),
    ],
)
def test_malformed_documents(document: str, kind: str, message: str) -> None:
    with pytest.raises(AwsError) as raised:
        parse(document, kind)
    assert raised.value.code == "MalformedPolicyDocumentException"
    assert raised.value.message == message
