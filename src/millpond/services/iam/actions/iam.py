"""IAM actions and resources (Service Authorization Reference, "Actions defined by AWS Identity and Access
Management"). Attach/Detach*Policy are checked against the user, role or group (the policy is a condition
key, iam:PolicyARN); operations whose UserName is optional act on the calling user. Paths other than "/"
are not reflected in the ARNs checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from millpond.services.iam.actions import ANY, Call, kinds

PREFIX = "iam"
RESOURCES: dict[str, tuple[str, ...]] = {
    "role": (
        "AddRoleToInstanceProfile", "AttachRolePolicy", "CreateRole", "DeleteRole",
        "DeleteRolePermissionsBoundary", "DeleteRolePolicy", "DeleteServiceLinkedRole", "DetachRolePolicy",
        "GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListInstanceProfilesForRole",
        "ListRolePolicies", "ListRoleTags", "PutRolePermissionsBoundary", "PutRolePolicy",
        "RemoveRoleFromInstanceProfile", "TagRole", "UntagRole", "UpdateAssumeRolePolicy", "UpdateRole",
        "UpdateRoleDescription",
    ),
    "group": (
        "AddUserToGroup", "AttachGroupPolicy", "CreateGroup", "DeleteGroup", "DeleteGroupPolicy",
        "DetachGroupPolicy", "GetGroup", "GetGroupPolicy", "ListAttachedGroupPolicies", "ListGroupPolicies",
        "PutGroupPolicy", "RemoveUserFromGroup", "UpdateGroup",
    ),
    "user": (
        "AttachUserPolicy", "CreateAccessKey", "CreateLoginProfile", "CreateServiceSpecificCredential",
        "CreateUser", "DeactivateMFADevice", "DeleteAccessKey", "DeleteLoginProfile", "DeleteSSHPublicKey",
        "DeleteServiceSpecificCredential", "DeleteSigningCertificate", "DeleteUser",
        "DeleteUserPermissionsBoundary", "DeleteUserPolicy", "DetachUserPolicy", "EnableMFADevice",
        "GetLoginProfile", "GetMFADevice", "GetSSHPublicKey", "GetUser", "GetUserPolicy", "ListAccessKeys",
        "ListAttachedUserPolicies", "ListGroupsForUser", "ListMFADevices", "ListSSHPublicKeys",
        "ListServiceSpecificCredentials", "ListSigningCertificates", "ListUserPolicies", "ListUserTags",
        "PutUserPermissionsBoundary", "PutUserPolicy", "ResetServiceSpecificCredential", "ResyncMFADevice",
        "TagUser", "UntagUser", "UpdateAccessKey", "UpdateLoginProfile", "UpdateSSHPublicKey",
        "UpdateServiceSpecificCredential", "UpdateSigningCertificate", "UpdateUser", "UploadSSHPublicKey",
        "UploadSigningCertificate",
    ),
    "instance_profile": (
        "CreateInstanceProfile", "DeleteInstanceProfile", "GetInstanceProfile", "ListInstanceProfileTags",
        "TagInstanceProfile", "UntagInstanceProfile",
    ),
    "policy": (
        "CreatePolicy", "CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "GetPolicy",
        "GetPolicyVersion", "ListEntitiesForPolicy", "ListPolicyTags", "ListPolicyVersions",
        "SetDefaultPolicyVersion", "TagPolicy", "UntagPolicy",
    ),
    "arn": (
        "AddClientIDToOpenIDConnectProvider", "DeleteOpenIDConnectProvider", "DeleteSAMLProvider",
        "GetContextKeysForPrincipalPolicy", "GetOpenIDConnectProvider", "GetSAMLProvider",
        "ListOpenIDConnectProviderTags", "ListSAMLProviderTags", "RemoveClientIDFromOpenIDConnectProvider",
        "SimulatePrincipalPolicy", "TagOpenIDConnectProvider", "TagSAMLProvider",
        "UntagOpenIDConnectProvider", "UntagSAMLProvider", "UpdateOpenIDConnectProvider",
        "UpdateOpenIDConnectProviderThumbprint", "UpdateSAMLProvider",
    ),
    ANY: (
        "AcceptDelegationRequest", "AcquireRole", "AssociateDelegationRequest", "ChangePassword",
        "CreateAccountAlias", "CreateDelegationRequest", "CreateOpenIDConnectProvider", "CreateSAMLProvider",
        "CreateServiceLinkedRole", "CreateVirtualMFADevice", "DeleteAccountAlias",
        "DeleteAccountPasswordPolicy", "DeleteServerCertificate", "DeleteVirtualMFADevice",
        "DisableOrganizationsRootCredentialsManagement", "DisableOrganizationsRootSessions",
        "DisableOutboundWebIdentityFederation", "EnableOrganizationsRootCredentialsManagement",
        "EnableOrganizationsRootSessions", "EnableOutboundWebIdentityFederation", "GenerateCredentialReport",
        "GenerateOrganizationsAccessReport", "GenerateServiceLastAccessedDetails", "GetAccessKeyLastUsed",
        "GetAccountAuthorizationDetails", "GetAccountPasswordPolicy", "GetAccountProperties",
        "GetAccountSummary", "GetContextKeysForCustomPolicy", "GetCredentialReport", "GetDelegationRequest",
        "GetHumanReadableSummary", "GetOrganizationsAccessReport", "GetOutboundWebIdentityFederationInfo",
        "GetRoleTemplateVersion", "GetServerCertificate", "GetServiceLastAccessedDetails",
        "GetServiceLastAccessedDetailsWithEntities", "GetServiceLinkedRoleDeletionStatus",
        "ListAccountAliases", "ListDelegationRequests", "ListGroups", "ListInstanceProfiles",
        "ListMFADeviceTags", "ListOpenIDConnectProviders", "ListOrganizationsFeatures", "ListPolicies",
        "ListPoliciesGrantingServiceAccess", "ListRoles", "ListSAMLProviders", "ListServerCertificateTags",
        "ListServerCertificates", "ListUsers", "ListVirtualMFADevices", "PutAccountProperties",
        "RejectDelegationRequest", "SendDelegationToken", "SetSecurityTokenServicePreferences",
        "SimulateCustomPolicy", "TagMFADevice", "TagServerCertificate", "UntagMFADevice",
        "UntagServerCertificate", "UpdateAccountPasswordPolicy", "UpdateDelegationRequest",
        "UpdateServerCertificate", "UploadServerCertificate",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS: dict[str, str] = {}
_ARN_PARAMS = ("OpenIDConnectProviderArn", "SAMLProviderArn", "PolicySourceArn")


def arns(kind: str, call: Call) -> list[str]:
    params, prefix = call.params, f"arn:aws:iam::{call.account}"
    if kind == "role":
        return [f"{prefix}:role/{params.get('RoleName', '')}"]
    if kind == "group":
        return [f"{prefix}:group/{params.get('GroupName', '')}"]
    if kind == "user":
        if params.get("UserName"):
            return [f"{prefix}:user/{params['UserName']}"]
        return [call.caller_arn] if ":user/" in call.caller_arn else [ANY]
    if kind == "instance_profile":
        return [f"{prefix}:instance-profile/{params.get('InstanceProfileName', '')}"]
    if kind == "policy":
        if params.get("PolicyArn"):
            return [str(params["PolicyArn"])]
        return [f"{prefix}:policy{params.get('Path') or '/'}{params.get('PolicyName', '')}"]
    if kind == "arn":
        return [next((str(params[p]) for p in _ARN_PARAMS if params.get(p)), ANY)]
    return [ANY]


def context(call: Call) -> Mapping[str, list[str]]:
    """iam:PolicyARN on attach and detach, the key AWS defines for them."""
    if call.operation.startswith(("Attach", "Detach")) and call.params.get("PolicyArn"):
        return {"iam:PolicyARN": [str(call.params["PolicyArn"])]}
    return {}
