"""Policy documents: parsing and the MalformedPolicyDocument checks IAM runs on every document it stores.

`parse(text, kind)` returns the document as JSON with Statement always a list. kind is "identity"
(user/role/group and managed policies: Resource required, no Principal), "trust" (a role's
AssumeRolePolicyDocument: Principal required, no Resource) or "resource" (queue/function policies).
Error texts are IAM's own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from millpond.errors import AwsError

TOP_ELEMENTS = {"Version", "Id", "Statement"}
VERSIONS = {"2008-10-17", "2012-10-17"}
STATEMENT_ELEMENTS = {
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
}
CONDITION_OPERATORS = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
}
_VENDOR = re.compile(r"^[a-zA-Z0-9\-.]+$")


def malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocumentException", message)


def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """(set qualifier, base operator, IfExists) of an operator such as ForAnyValue:StringLikeIfExists."""
    qualifier = None
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if operator.startswith(prefix):
            qualifier, operator = prefix[:-1], operator[len(prefix) :]
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    return qualifier, operator[: -len("IfExists")] if if_exists else operator, if_exists


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def parse(text: str, kind: str = "identity") -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise malformed("This policy contains invalid Json") from exc
    if not isinstance(document, dict):
        raise malformed("This policy contains invalid Json")
    statements = _check_syntax(document)
    if document.get("Version", "2008-10-17") != "2012-10-17" and kind == "identity":
        raise malformed("Policy document must be version 2012-10-17 or greater.")
    sids = [s["Sid"] for s in statements if s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise malformed("Statement IDs (SID) in a single policy must be unique.")
    for statement in statements:
        _check_statement(statement, kind)
    return {**document, "Statement": statements}


def _check_syntax(document: dict[str, Any]) -> list[dict[str, Any]]:
    syntax = malformed("Syntax errors in policy.")
    if set(document) - TOP_ELEMENTS or document.get("Version", "2012-10-17") not in VERSIONS:
        raise syntax
    if not isinstance(document.get("Id", ""), str) or "Statement" not in document:
        raise syntax
    statements = as_list(document["Statement"])
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise syntax
    for statement in statements:
        if set(statement) - STATEMENT_ELEMENTS or statement.get("Effect") not in ("Allow", "Deny"):
            raise syntax
        if ("Action" in statement and "NotAction" in statement) or (
            "Resource" in statement and "NotResource" in statement
        ):
            raise syntax
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in statement and not all(isinstance(v, str) for v in as_list(statement[key])):
                raise syntax
        if not isinstance(statement.get("Sid", ""), str):
            raise syntax
        condition = statement.get("Condition", {})
        if not isinstance(condition, dict):
            raise syntax
        for operator, block in condition.items():
            if not isinstance(block, dict) or split_operator(operator)[1] not in CONDITION_OPERATORS:
                raise syntax
            for values in block.values():
                if not all(isinstance(v, str | bool | int | float) for v in as_list(values)):
                    raise syntax
    return statements


def _check_statement(statement: dict[str, Any], kind: str) -> None:
    actions = statement.get("Action", statement.get("NotAction"))
    if actions is None or actions == []:
        raise malformed("Policy statement must contain actions.")
    has_principal = "Principal" in statement or "NotPrincipal" in statement
    if kind == "identity" and has_principal:
        raise malformed("Policy document should not specify a principal.")
    if kind in ("trust", "resource") and not has_principal:
        raise malformed("Missing required field Principal")
    resources = statement.get("Resource", statement.get("NotResource"))
    if kind == "trust" and resources is not None:
        raise malformed("Has prohibited field Resource")
    if kind != "trust":
        if resources is None or resources == []:
            raise malformed("Policy statement must contain resources.")
        for resource in as_list(resources):
            _check_resource(resource)
    for action in as_list(actions):
        _check_action(action)
    for principal in _principal_values(statement.get("Principal", statement.get("NotPrincipal"))):
        if not isinstance(principal, str):
            raise malformed("Syntax errors in policy.")


def _principal_values(principal: Any) -> list[Any]:
    if principal is None or principal == "*":
        return []
    if not isinstance(principal, dict):
        raise malformed("Syntax errors in policy.")
    return [v for values in principal.values() for v in as_list(values)]


def _check_action(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        raise malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    if len(parts) > 2:
        raise malformed("Actions/Condition can contain only one colon.")
    if not _VENDOR.match(parts[0]):
        raise malformed(f"Vendor {parts[0]} is not valid")


def _check_resource(resource: str) -> None:
    if resource == "*":
        return
    parts = resource.split(":", 5)
    if len(parts) < 2 or parts[0] != "arn":
        raise malformed(f'Resource {resource} must be in ARN format or "*".')
    if parts[1] not in ("aws", "aws-cn", "aws-us-gov", "*"):
        raise malformed(f'Partition "{parts[1]}" is not valid for resource "{resource}".')
    if len(parts) > 3 and parts[2] == "iam" and parts[3] not in ("", "*"):
        raise malformed(f"IAM resource {resource} cannot contain region information.")
