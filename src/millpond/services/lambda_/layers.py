"""Layer rules: names and ARNs, the layer version documents AWS shows, their permission statements, and the
check of the Layers a function names.

A layer version is immutable once published; DeleteLayerVersion hides it from the layer APIs, but functions
that reference it keep running with its content (AWS: "functions that use it continue to have access"), so
the stored row stays and only its `deleted` mark changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from millpond.errors import AwsError
from millpond.services.lambda_.functions import invalid

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,140}$")
# A layer as LayerName takes it: name, or arn:aws:lambda:region:account:layer:name.
LAYER_ARN = re.compile(
    r"^arn:aws[\w-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:(?P<name>[\w-]+)$"
)
LAYER_VERSION_ARN = re.compile(
    r"^arn:aws[\w-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:(?P<name>[\w-]+):(?P<version>\d+)$"
)
MAX_LAYERS = 5  # per function (Lambda quotas)
GET_LAYER_VERSION = "lambda:GetLayerVersion"  # the one action a layer version policy grants
PRINCIPAL = re.compile(r"^(\d{12}|\*|arn:aws[a-zA-Z-]*:iam::\d{12}:root)$")
STATEMENT_ID = re.compile(r"^[a-zA-Z0-9-_]{1,100}$")


@dataclass(slots=True)
class LayerVersion:
    name: str
    version: int
    document: dict[str, Any]  # as GetLayerVersion shows it
    policy: list[dict[str, Any]] = field(default_factory=list)
    revision: str = ""  # of the policy


class LayerRepository(Protocol):
    async def publish(self, name: str, make: Callable[[int], dict[str, Any]], code: bytes) -> dict[str, Any]:
        """Store the next version of layer `name`: `make(version number)` returns its document; `code` is
        stored under the document's Content.CodeSha256 in the same transaction. Returns the document."""
        ...

    def get(self, name: str, version: int) -> LayerVersion | None:
        """A version that is not deleted."""
        ...

    def code_sha256(self, name: str, version: int) -> str | None:
        """The content of a version, deleted or not (functions that use a deleted version still run)."""
        ...

    def list_versions(self, name: str) -> list[dict[str, Any]]:
        """The documents of a layer's versions that are not deleted, newest first."""
        ...

    def list_layer_names(self) -> list[str]:
        """Layers with at least one version that is not deleted, by name."""
        ...

    async def delete(self, name: str, version: int) -> None: ...

    async def update_policy(
        self, name: str, version: int, change: Callable[[LayerVersion], None]
    ) -> LayerVersion | None:
        """Run `change(LayerVersion)` (it edits .policy in place, or raises) in one write; a new policy
        revision is stored with it. None if the version does not exist."""
        ...


def layer_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:layer:{name}"


def layer_name(ref: str) -> str:
    """LayerName as a name: a layer ARN gives its last part."""
    found = LAYER_ARN.match(ref)
    if found is not None:
        return found.group("name")
    if not NAME.match(ref):
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{ref}' at 'layerName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
        )
    return ref


def version_not_found(arn: str) -> AwsError:
    # AWS's words for a layer version a function names that does not exist (CreateFunction,
    # UpdateFunctionConfiguration): "Layer version arn:aws:lambda:...:layer:name:1 does not exist."
    return invalid(f"Layer version {arn} does not exist.")


def resource_not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "The resource you requested does not exist.")


def new_document(
    params: dict[str, Any], arn: str, version: int, sha256: str, size: int, created: str, location: str
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "Content": {"Location": location, "CodeSha256": sha256, "CodeSize": size},
        "LayerArn": arn,
        "LayerVersionArn": f"{arn}:{version}",
        "CreatedDate": created,
        "Version": version,
    }
    # Members not given are left out (AWS-verified in moto's test_list_lambda_layers).
    for key in ("Description", "LicenseInfo"):
        if params.get(key):
            document[key] = params[key]
    for key in ("CompatibleRuntimes", "CompatibleArchitectures"):
        if params.get(key):
            document[key] = list(params[key])
    return document


def list_item(document: dict[str, Any]) -> dict[str, Any]:
    """A LayerVersionsListItem: the document without its Content and LayerArn."""
    return {k: v for k, v in document.items() if k not in ("Content", "LayerArn")}


def matches(document: dict[str, Any], runtime: str | None, architecture: str | None) -> bool:
    if runtime and runtime not in document.get("CompatibleRuntimes", []):
        return False
    return not architecture or architecture in document.get("CompatibleArchitectures", [])


def statement(params: dict[str, Any], resource: str) -> dict[str, Any]:
    """The policy statement AddLayerVersionPermission adds."""
    action, principal, sid = params["Action"], params["Principal"], params["StatementId"]
    if action != GET_LAYER_VERSION:
        raise invalid(
            f"The action {action} is not supported; a layer version policy grants {GET_LAYER_VERSION}."
        )
    if not PRINCIPAL.match(principal):
        raise invalid(
            f"The principal {principal} is not valid: give an account id, an account root ARN or *."
        )
    if not STATEMENT_ID.match(sid):
        raise invalid(f"Statement id {sid} is invalid")
    shown: str | dict[str, str] = "*"
    if principal != "*":
        account = principal if principal.isdigit() else principal.split(":")[4]
        shown = {"AWS": f"arn:aws:iam::{account}:root"}
    found: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": shown,
        "Action": action,
        "Resource": resource,
    }
    if params.get("OrganizationId"):
        found["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": params["OrganizationId"]}}
    return found
