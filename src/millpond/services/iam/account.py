"""GetAccountAuthorizationDetails: every user, group, role and customer policy with their policies."""

from __future__ import annotations

from typing import Any

from millpond.services.iam import common
from millpond.services.iam.policies import Policies, policy_shape, version_shape
from millpond.services.iam.principals import attached_details, policy_details
from millpond.services.iam.repository import IamRepository
from millpond.services.iam.roles import role_shape
from millpond.services.iam.users import group_shape, user_shape


def authorization_details(repo: IamRepository, policies: Policies, params: dict[str, Any]) -> dict[str, Any]:
    wanted = set(params.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy"])
    groups = repo.scan("group")
    result: dict[str, Any] = {"IsTruncated": False}
    if "User" in wanted:
        result["UserDetailList"] = [
            {
                **user_shape(user),
                "UserPolicyList": policy_details(user),
                "GroupList": [g["GroupName"] for g in groups if user["UserName"] in g.get("Members", [])],
                "AttachedManagedPolicies": attached_details(repo, user),
            }
            for user in repo.scan("user")
        ]
    if "Group" in wanted:
        result["GroupDetailList"] = [
            {
                **group_shape(g),
                "GroupPolicyList": policy_details(g),
                "AttachedManagedPolicies": attached_details(repo, g),
            }
            for g in groups
        ]
    if "Role" in wanted:
        result["RoleDetailList"] = [
            {
                **role_shape(role),
                "InstanceProfileList": [],
                "RolePolicyList": policy_details(role),
                "AttachedManagedPolicies": attached_details(repo, role),
            }
            for role in repo.scan("role")
        ]
    if "LocalManagedPolicy" in wanted:
        result["Policies"] = [
            {
                **policy_shape(policy, policies.attachments(policy["Arn"])),
                "PolicyVersionList": [version_shape(policy, v) for v in policy["Versions"]],
            }
            for policy in repo.scan("policy")
        ]
    common.paginate([], params, "_")
    return result
