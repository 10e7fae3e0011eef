"""STS actions: AssumeRole is checked against the role; GetCallerIdentity needs no permission at all
(AWS: "No permissions are required to perform this operation", even under an explicit deny)."""

from __future__ import annotations

from millpond.services.iam.actions import ANY, NONE, Call, kinds

PREFIX = "sts"
RESOURCES: dict[str, tuple[str, ...]] = {
    "role": ("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"),
    NONE: ("GetCallerIdentity",),
    ANY: (
        "AssumeRoot", "DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetDelegatedAccessToken",
        "GetFederationToken", "GetScopedCredentials", "GetSessionToken", "GetWebIdentityToken",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS: dict[str, str] = {}


def arns(kind: str, call: Call) -> list[str]:
    return [str(call.params.get("RoleArn") or ANY)] if kind == "role" else [ANY]
