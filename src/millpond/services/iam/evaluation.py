"""The IAM policy evaluator: a pure function from policies and a request to allowed/explicitDeny/implicitDeny.

Logic (IAM User Guide, "Policy evaluation logic", same account): an explicit Deny in any policy wins; else an
Allow in an identity policy or in a resource policy that names the principal allows; else implicit deny.
Actions match case-insensitively, resources case-sensitively, both with * and ? wildcards. Policy variables
(${aws:username}, ${aws:PrincipalTag/team}, ${key, 'default'}, ${*} ${?} ${$}) are filled from the context;
an unknown variable makes its element match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from millpond.services.iam.conditions import condition_matches, text, wildcard_match
from millpond.services.iam.policy_document import as_list

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Policy:
    """A parsed policy document (Statement always a list) and where it came from."""

    source_id: str
    document: Mapping[str, Any]
    source_type: str = "IAM Policy"
    resource_policy: bool = False


@dataclass(frozen=True)
class Request:
    action: str  # service:Action
    resource: str = "*"
    principal_arn: str | None = None  # who is asking (for Principal in resource policies)
    principal_account: str | None = None
    service_principal: str | None = None  # e.g. lambda.amazonaws.com when a service calls
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)  # lower-cased condition keys


@dataclass(frozen=True)
class Match:
    policy: Policy
    index: int  # the statement's position in the policy
    statement: Mapping[str, Any]


@dataclass
class Decision:
    decision: str
    matched: list[Match] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def context_of(entries: Mapping[str, Sequence[Any]]) -> dict[str, list[str]]:
    return {key.lower(): [text(v) for v in values] for key, values in entries.items()}


def substitute(value: str, context: Mapping[str, Sequence[str]]) -> str | None:
    """`value` with its ${...} variables filled in, or None if one is unknown and has no default."""
    if "${" not in value:
        return value
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        body = match.group(1)
        if body in _ESCAPES:
            return _ESCAPES[body]
        name, _, default = body.partition(",")
        found = context.get(name.strip().lower())
        if found and len(found) == 1:
            return found[0]
        default = default.strip()
        if len(default) >= 2 and default[0] == default[-1] == "'":
            return default[1:-1]
        missing = True
        return ""

    filled = _VARIABLE.sub(fill, value)
    return None if missing else filled


def _any_match(patterns: Any, value: str, *, ignore_case: bool, context: Mapping[str, Sequence[str]]) -> bool:
    for pattern in as_list(patterns):
        filled = substitute(pattern, context) if not ignore_case else pattern
        if filled is not None and wildcard_match(filled, value, ignore_case=ignore_case):
            return True
    return False


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for kind, values in principal.items():
        for value in as_list(values):
            if kind == "AWS":
                if value == "*" or value == request.principal_arn:
                    return True
                account = value if value.isdigit() else None
                if value.endswith(":root"):
                    account = value.split(":")[4]
                if account is not None and account == request.principal_account:
                    return True
            elif kind == "Service" and value == request.service_principal:
                return True
    return False


def statement_applies(statement: Mapping[str, Any], request: Request, *, resource_policy: bool) -> bool:
    """Action, resource and principal match (conditions not yet checked)."""
    if "Action" in statement:
        if not _any_match(statement["Action"], request.action, ignore_case=True, context=request.context):
            return False
    elif "NotAction" in statement and _any_match(
        statement["NotAction"], request.action, ignore_case=True, context=request.context
    ):
        return False
    if "Resource" in statement:
        if not _any_match(
            statement["Resource"], request.resource, ignore_case=False, context=request.context
        ):
            return False
    elif "NotResource" in statement and _any_match(
        statement["NotResource"], request.resource, ignore_case=False, context=request.context
    ):
        return False
    if resource_policy:
        if "Principal" in statement:
            return _principal_matches(statement["Principal"], request)
        if "NotPrincipal" in statement:
            return not _principal_matches(statement["NotPrincipal"], request)
    return True


def conditions_hold(statement: Mapping[str, Any], context: Mapping[str, Sequence[str]]) -> bool:
    for operator, block in (statement.get("Condition") or {}).items():
        for key, values in block.items():
            filled = [substitute(text(v), context) for v in as_list(values)]
            if not condition_matches(operator, key, [v for v in filled if v is not None], context):
                return False
    return True


def condition_keys(statement: Mapping[str, Any]) -> list[str]:
    return [key for block in (statement.get("Condition") or {}).values() for key in block]


def evaluate(policies: Sequence[Policy], request: Request) -> Decision:
    allows: list[Match] = []
    denies: list[Match] = []
    missing: list[str] = []
    for policy in policies:
        for index, statement in enumerate(as_list(policy.document.get("Statement", []))):
            if not statement_applies(statement, request, resource_policy=policy.resource_policy):
                continue
            for key in condition_keys(statement):
                if key.lower() not in request.context and key not in missing:
                    missing.append(key)
            if not conditions_hold(statement, request.context):
                continue
            match = Match(policy, index, statement)
            (denies if statement.get("Effect") == "Deny" else allows).append(match)
    if denies:
        return Decision(EXPLICIT_DENY, denies, missing)
    if allows:
        return Decision(ALLOWED, allows, missing)
    return Decision(IMPLICIT_DENY, [], missing)
