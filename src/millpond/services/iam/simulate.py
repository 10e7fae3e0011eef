"""SimulateCustomPolicy and SimulatePrincipalPolicy: the evaluator run over actions x resources."""

from __future__ import annotations

import json
from typing import Any

from millpond.errors import AwsError
from millpond.services.iam import common, policy_document
from millpond.services.iam.evaluation import Decision, Policy, Request, context_of, evaluate
from millpond.services.iam.principals import GROUP, ROLE, USER, find_policy, load
from millpond.services.iam.repository import IamRepository, Record


def _context(params: dict[str, Any]) -> dict[str, list[str]]:
    entries: dict[str, list[Any]] = {}
    for entry in params.get("ContextEntries") or []:
        entries[entry["ContextKeyName"]] = list(entry.get("ContextKeyValues") or [])
    return context_of(entries)


def _parse_inputs(texts: list[str], label: str, kind: str = "identity") -> list[Policy]:
    return [
        Policy(f"{label}.{n}", policy_document.parse(doc, kind), resource_policy=kind == "resource")
        for n, doc in enumerate(texts, 1)
    ]


def _result(action: str, resource: str, decision: Decision) -> dict[str, Any]:
    matched = [
        {"SourcePolicyId": m.policy.source_id, "SourcePolicyType": m.policy.source_type}
        for m in decision.matched
    ]
    return {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.decision,
        "MatchedStatements": matched,
        "MissingContextValues": decision.missing_context,
    }


def run(policies: list[Policy], params: dict[str, Any], caller_arn: str | None) -> dict[str, Any]:
    actions = params.get("ActionNames") or []
    if not actions:
        raise AwsError("InvalidInputException", "No action names specified.")
    resources = params.get("ResourceArns") or ["*"]
    context = _context(params)
    account = caller_arn.split(":")[4] if caller_arn and caller_arn.count(":") >= 5 else None
    if params.get("ResourcePolicy"):
        policies = policies + _parse_inputs([params["ResourcePolicy"]], "ResourcePolicy", "resource")
    results = []
    for action in actions:
        for resource in resources:
            request = Request(action, resource, caller_arn, account, context=context)
            results.append(_result(action, resource, evaluate(policies, request)))
    return common.paginate(results, params, "EvaluationResults")


def simulate_custom(params: dict[str, Any]) -> dict[str, Any]:
    policies = _parse_inputs(list(params.get("PolicyInputList") or []), "PolicyInputList")
    return run(policies, params, params.get("CallerArn"))


def principal_policies(repo: IamRepository, record: Record, kind_name: str) -> list[Policy]:
    """Every identity policy of a user (with its groups'), role or group: inline and attached."""
    owners: list[tuple[str, Record]] = [(kind_name, record)]
    if kind_name == "user":
        owners += [("group", g) for g in repo.scan("group") if record["UserName"] in g.get("Members", [])]
    policies: list[Policy] = []
    for kind, owner in owners:
        for name, doc in sorted(owner.get("Inline", {}).items()):
            policies.append(Policy(name, policy_document.parse(doc), kind))
        for policy_arn in owner.get("Attached", []):
            policy = find_policy(repo, policy_arn)
            if policy is None:
                continue
            version = next(v for v in policy["Versions"] if v["VersionId"] == policy["DefaultVersionId"])
            source = "aws-managed" if policy.get("AwsManaged") else "user-managed"
            policies.append(Policy(policy["PolicyName"], json.loads(version["Document"]), source))
    return policies


def boundary_policy(repo: IamRepository, record: Record | None) -> Policy | None:
    """The permissions boundary of a user or role, as a policy; None when it has none."""
    arn = ((record or {}).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    policy = find_policy(repo, arn) if arn else None
    if policy is None:
        return None
    version = next(v for v in policy["Versions"] if v["VersionId"] == policy["DefaultVersionId"])
    return Policy(policy["PolicyName"], json.loads(version["Document"]), "boundary")


def simulate_principal(repo: IamRepository, params: dict[str, Any]) -> dict[str, Any]:
    source_arn = params.get("PolicySourceArn", "")
    parts = source_arn.split(":", 5)
    kind_path = parts[5] if len(parts) == 6 else ""
    kind_name = kind_path.split("/", 1)[0]
    kinds = {"user": USER, "role": ROLE, "group": GROUP}
    if kind_name not in kinds:
        raise AwsError("InvalidInputException", f"Invalid ARN: {source_arn}")
    record = load(repo, kinds[kind_name], kind_path.rsplit("/", 1)[-1])
    policies = principal_policies(repo, record, kind_name)
    policies += _parse_inputs(list(params.get("PolicyInputList") or []), "PolicyInputList")
    return run(policies, params, params.get("CallerArn") or (source_arn if kind_name != "group" else None))
