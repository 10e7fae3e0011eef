"""What roles, users and groups share: attached managed policies and inline policies, with IAM's limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from millpond.errors import AwsError
from millpond.services.iam import common, policy_document
from millpond.services.iam.managed_policies import AWS_MANAGED
from millpond.services.iam.repository import IamRepository, Record

MAX_ATTACHED = 10  # the default quota of managed policies per role, user or group


@dataclass(frozen=True)
class Kind:
    name: str  # role, user, group
    title: str  # Role, User, Group
    inline_limit: int  # aggregate inline policy size, characters without whitespace

    @property
    def name_param(self) -> str:
        return f"{self.title}Name"

    def not_found(self, name: str) -> AwsError:
        return common.no_such_entity(f"The {self.name} with name {name} cannot be found.")


ROLE = Kind("role", "Role", 10240)
USER = Kind("user", "User", 2048)
GROUP = Kind("group", "Group", 5120)


def load(repo: IamRepository, kind: Kind, name: str) -> Record:
    found = repo.get(kind.name, name.lower())
    if found is None:
        raise kind.not_found(name)
    return found


def find_policy(repo: IamRepository, policy_arn: str) -> Record | None:
    if not policy_arn.startswith("arn:"):
        raise AwsError("InvalidInputException", f"ARN {policy_arn} is not valid.")
    return AWS_MANAGED.get(policy_arn.lower()) or repo.get("policy", policy_arn.lower())


async def attach(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> None:
    name, policy_arn = params[kind.name_param], params["PolicyArn"]
    load(repo, kind, name)
    if find_policy(repo, policy_arn) is None:
        raise common.no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")

    def change(record: Record | None) -> Record:
        if record is None:
            raise kind.not_found(name)
        attached = record.setdefault("Attached", [])
        if policy_arn not in attached:
            if len(attached) >= MAX_ATTACHED:
                raise AwsError(
                    "LimitExceededException", f"Cannot exceed quota for PoliciesPer{kind.title}: 10"
                )
            attached.append(policy_arn)
        return record

    await repo.update(kind.name, name.lower(), change)


async def detach(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> None:
    name, policy_arn = params[kind.name_param], params["PolicyArn"]

    def change(record: Record | None) -> Record:
        if record is None:
            raise kind.not_found(name)
        attached = record.get("Attached", [])
        if policy_arn not in attached:
            if find_policy(repo, policy_arn) is None:
                raise common.no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
            raise common.no_such_entity(f"Policy {policy_arn} was not found.")
        attached.remove(policy_arn)
        return record

    await repo.update(kind.name, name.lower(), change)


def list_attached(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    record = load(repo, kind, params[kind.name_param])
    attached = []
    for policy_arn in record.get("Attached", []):
        policy = find_policy(repo, policy_arn)
        if policy is not None and policy["Path"].startswith(params.get("PathPrefix") or "/"):
            attached.append({"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]})
    return common.paginate(attached, params, "AttachedPolicies")


async def put_inline(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> None:
    name = params[kind.name_param]
    policy_name = common.check_name("policyName", params.get("PolicyName"), 128)
    document = params.get("PolicyDocument", "")
    policy_document.parse(document, "identity")

    def change(record: Record | None) -> Record:
        if record is None:
            raise kind.not_found(name)
        inline = dict(record.get("Inline", {}))
        inline[policy_name] = document
        common.limit_size(
            "".join(inline.values()),
            kind.inline_limit,
            f"Maximum policy size of {kind.inline_limit} bytes exceeded for {kind.name} {name}",
        )
        record["Inline"] = inline
        return record

    await repo.update(kind.name, name.lower(), change)


def get_inline(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    name, policy_name = params[kind.name_param], params["PolicyName"]
    record = load(repo, kind, name)
    document = record.get("Inline", {}).get(policy_name)
    if document is None:
        raise common.no_such_entity(f"The {kind.name} policy with name {policy_name} cannot be found.")
    return {
        kind.name_param: record[kind.name_param],
        "PolicyName": policy_name,
        "PolicyDocument": common.url_encoded(document),
    }


def list_inline(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    record = load(repo, kind, params[kind.name_param])
    return common.paginate(sorted(record.get("Inline", {})), params, "PolicyNames")


async def delete_inline(repo: IamRepository, kind: Kind, params: dict[str, Any]) -> None:
    name, policy_name = params[kind.name_param], params["PolicyName"]

    def change(record: Record | None) -> Record:
        if record is None:
            raise kind.not_found(name)
        if policy_name not in record.get("Inline", {}):
            raise common.no_such_entity(f"The {kind.name} policy with name {policy_name} cannot be found.")
        del record["Inline"][policy_name]
        return record

    await repo.update(kind.name, name.lower(), change)


def check_deletable(kind: Kind, record: Record) -> None:
    if record.get("Attached"):
        raise AwsError("DeleteConflictException", "Cannot delete entity, must detach all policies first.")
    if record.get("Inline"):
        raise AwsError("DeleteConflictException", "Cannot delete entity, must delete policies first.")


def policy_details(record: Record) -> list[dict[str, str]]:
    """Inline policies as GetAccountAuthorizationDetails lists them."""
    return [
        {"PolicyName": name, "PolicyDocument": common.url_encoded(doc)}
        for name, doc in sorted(record.get("Inline", {}).items())
    ]


def attached_details(repo: IamRepository, record: Record) -> list[dict[str, str]]:
    found = []
    for policy_arn in record.get("Attached", []):
        policy = find_policy(repo, policy_arn)
        if policy is not None:
            found.append({"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]})
    return found
