"""Authorising one request: a principal's identity policies plus the resource's policy, AWS's logic.

`authorize(principal, action, resources, context_keys, resource_policies)` is pure: explicit Deny anywhere
wins, then an Allow in an identity policy or in a resource policy naming the principal, else implicit
deny (same account; evaluation.py holds the statement matching). The account root is allowed everything.
`denied_message` words the refusal as AWS does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from millpond.services.iam.actions import ANY, Check
from millpond.services.iam.evaluation import EXPLICIT_DENY, Policy, Request, context_of, evaluate

ROOT, USER, ASSUMED_ROLE = "root", "user", "assumed-role"


@dataclass(frozen=True)
class Principal:
    """Who signed a request, with everything IAM needs to judge it."""

    arn: str  # arn:aws:iam::<acct>:root | ...:user/<name> | arn:aws:sts::<acct>:assumed-role/<role>/<session>
    account: str
    user_id: str  # aws:userid: the account id, AIDA..., or AROA...:session
    kind: str = ROOT
    name: str | None = None  # the user name (aws:username) or role name
    policies: tuple[Policy, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    role_arn: str | None = None  # assumed roles: the role, as resource policies and aws:PrincipalArn name it
    boundary: Policy | None = None  # the user's or role's permissions boundary: the most it may be allowed

    @property
    def root(self) -> bool:
        return self.kind == ROOT

    @property
    def principal_arn(self) -> str:
        return self.role_arn or self.arn


@dataclass
class Decision:
    allowed: bool
    action: str = ""
    resource: str = ANY
    explicit: bool = False
    in_resource_policy: bool = False


def principal_context(
    principal: Principal, now: float, extra: Mapping[str, Sequence[Any]]
) -> dict[str, list[str]]:
    """The global condition keys a request carries (aws:username, aws:PrincipalTag/..., aws:CurrentTime)."""
    entries: dict[str, Sequence[Any]] = {
        "aws:PrincipalArn": [principal.principal_arn],
        "aws:PrincipalAccount": [principal.account],
        "aws:userid": [principal.user_id],
        "aws:PrincipalType": [{ROOT: "Account", USER: "User", ASSUMED_ROLE: "AssumedRole"}[principal.kind]],
        "aws:CurrentTime": [datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:EpochTime": [str(int(now))],
    }
    if principal.kind == USER and principal.name:
        entries["aws:username"] = [principal.name]
    for key, value in principal.tags.items():
        entries[f"aws:PrincipalTag/{key}"] = [value]
    entries.update(extra)
    return context_of(entries)


def authorize(
    principal: Principal,
    action: str,
    resources: Sequence[str],
    context_keys: Mapping[str, Sequence[str]],
    resource_policies: Mapping[str, Policy | None],
) -> Decision:
    """Allowed only if every resource is; the first refused resource says why."""
    if principal.root:
        return Decision(True, action)
    for resource in resources or [ANY]:
        policies = list(principal.policies)
        resource_policy = resource_policies.get(resource)
        if resource_policy is not None:
            policies.append(resource_policy)
        owner = resource.split(":")[4] if resource.count(":") >= 5 else principal.account
        request = Request(
            action,
            resource,
            principal.principal_arn,
            # In its own account an account principal in a resource policy delegates to IAM, granting no one.
            None if owner == principal.account else principal.account,
            context=context_keys,
        )
        outcome = evaluate(policies, request)
        if outcome.allowed and principal.boundary is not None:
            # A permissions boundary caps what the identity policies grant: it must allow the request too.
            outcome = evaluate([principal.boundary], request)
        if not outcome.allowed:
            explicit = outcome.decision == EXPLICIT_DENY
            in_resource = explicit and all(m.policy.resource_policy for m in outcome.matched)
            return Decision(False, action, resource, explicit, in_resource)
    return Decision(True, action)


def check_all(
    principal: Principal,
    checks: Sequence[Check],
    base_context: Mapping[str, Sequence[str]],
    resource_policies: Mapping[str, Policy | None],
) -> Decision:
    for check in checks:
        context = {**base_context, **context_of(check.context)}
        decision = authorize(principal, check.action, [check.resource], context, resource_policies)
        if not decision.allowed:
            return decision
    return Decision(True)


def denied_message(principal: Principal, decision: Decision, service: str) -> str:
    """ "User: <arn> is not authorized to perform: <action> on resource: <arn> because no identity-based
    policy allows the <action> action" (or "with an explicit deny in a ... policy")."""
    # SQS names the action in lower case in its messages (sqs:sendmessage), other services as declared.
    action = decision.action.lower() if service == "sqs" else decision.action
    where = "" if decision.resource == ANY else f" on resource: {decision.resource}"
    if decision.explicit:
        kind = "resource-based" if decision.in_resource_policy else "identity-based"
        reason = (
            f"with an explicit deny in an {kind} policy"
            if kind == "identity-based"
            else (f"with an explicit deny in a {kind} policy")
        )
    else:
        reason = f"because no identity-based policy allows the {action} action"
    return f"User: {principal.arn} is not authorized to perform: {action}{where} {reason}"


def resource_policy(source_id: str, document: Mapping[str, Any] | None) -> Policy | None:
    if not document or not document.get("Statement"):
        return None
    statements = document["Statement"]
    normalized = {**document, "Statement": statements if isinstance(statements, list) else [statements]}
    return Policy(source_id, normalized, "Resource Policy", resource_policy=True)
