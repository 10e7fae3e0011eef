"""Lambda actions and resources (Service Authorization Reference, "Actions defined by AWS Lambda").

Invoke is lambda:InvokeFunction; a qualified call is checked against the qualified ARN (so a policy on
`function:f` alone does not cover `f:prod`, as on AWS). Event source mappings name no resource when
created or listed; lambda:FunctionArn carries the function for conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from millpond.errors import AwsError
from millpond.services.iam.actions import ANY, Call, kinds
from millpond.services.lambda_ import functions

PREFIX = "lambda"
RESOURCES: dict[str, tuple[str, ...]] = {
    "function": (
        "AddPermission", "CreateAlias", "CreateFunction", "CreateFunctionUrlConfig", "DeleteAlias",
        "DeleteFunction", "DeleteFunctionCodeSigningConfig", "DeleteFunctionConcurrency",
        "DeleteFunctionEventInvokeConfig", "DeleteFunctionUrlConfig", "DeleteProvisionedConcurrencyConfig",
        "GetAlias", "GetFunction", "GetFunctionCodeSigningConfig", "GetFunctionConcurrency",
        "GetFunctionConfiguration", "GetFunctionEventInvokeConfig", "GetFunctionRecursionConfig",
        "GetFunctionScalingConfig", "GetFunctionUrlConfig", "GetPolicy", "GetProvisionedConcurrencyConfig",
        "GetRuntimeManagementConfig", "Invoke", "InvokeAsync", "InvokeWithResponseStream", "ListAliases",
        "ListDurableExecutionsByFunction", "ListFunctionEventInvokeConfigs", "ListFunctionUrlConfigs",
        "ListProvisionedConcurrencyConfigs", "ListVersionsByFunction", "PublishVersion",
        "PutFunctionCodeSigningConfig", "PutFunctionConcurrency", "PutFunctionEventInvokeConfig",
        "PutFunctionRecursionConfig", "PutFunctionScalingConfig", "PutProvisionedConcurrencyConfig",
        "PutRuntimeManagementConfig", "RemovePermission", "UpdateAlias", "UpdateFunctionCode",
        "UpdateFunctionConfiguration", "UpdateFunctionEventInvokeConfig", "UpdateFunctionUrlConfig",
    ),
    "mapping": ("DeleteEventSourceMapping", "GetEventSourceMapping", "UpdateEventSourceMapping"),
    "layer": (
        "AddLayerVersionPermission", "DeleteLayerVersion", "GetLayerVersion", "GetLayerVersionPolicy",
        "ListLayerVersions", "PublishLayerVersion", "RemoveLayerVersionPermission",
    ),
    "code_signing": (
        "DeleteCodeSigningConfig", "GetCodeSigningConfig", "ListFunctionsByCodeSigningConfig",
        "UpdateCodeSigningConfig",
    ),
    "arn": (
        "DeleteResourcePolicy", "GetResourcePolicy", "ListTags", "PutResourcePolicy", "TagResource",
        "UntagResource",
    ),
    ANY: (
        "CheckpointDurableExecution", "CreateCapacityProvider", "CreateCodeSigningConfig",
        "CreateEventSourceMapping", "DeleteCapacityProvider", "DeleteDurableExecution", "GetAccountSettings",
        "GetCapacityProvider", "GetDurableExecution",
        "GetDurableExecutionHistory", "GetDurableExecutionState",
        "GetLayerVersionByArn", "ListCapacityProviders", "ListCodeSigningConfigs", "ListEventSourceMappings",
        "ListFunctionVersionsByCapacityProvider", "ListFunctions", "ListLayers", "PauseDurableExecution",
        "ResumeDurableExecution",
        "SendDurableExecutionCallbackFailure", "SendDurableExecutionCallbackHeartbeat",
        "SendDurableExecutionCallbackSuccess", "StopDurableExecution", "UpdateCapacityProvider",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS = {
    "Invoke": "InvokeFunction",
    "InvokeAsync": "InvokeFunction",  # AWS checks lambda:InvokeFunction for the deprecated InvokeAsync
    "InvokeWithResponseStream": "InvokeFunction",
    "GetLayerVersionByArn": "GetLayerVersion",
}
_MAPPING_OPERATIONS = frozenset(
    {"CreateEventSourceMapping", "UpdateEventSourceMapping", "ListEventSourceMappings"}
)


def function_arn(call: Call, ref: Any, qualifier: Any = None) -> str | None:
    text = str(ref or "")
    try:
        name, qualifier = functions.parse_ref(text, qualifier)
    except AwsError:
        return None
    parts = text.split(":")
    region = parts[3] if text.startswith("arn:") and len(parts) > 4 else call.region
    account = next((p for p in parts if len(p) == 12 and p.isdigit()), call.account)
    return functions.function_arn(region, account, name, qualifier)


def arns(kind: str, call: Call) -> list[str]:
    params = call.params
    if kind == "function":
        # Publish-like operations name the unqualified function; the rest take Qualifier when given.
        found = function_arn(call, params.get("FunctionName"), params.get("Qualifier"))
        return [found] if found else []
    if kind == "mapping":
        return [f"arn:aws:lambda:{call.region}:{call.account}:event-source-mapping:{params.get('UUID', '')}"]
    if kind == "layer":
        name = str(params.get("LayerName", ""))
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{call.region}:{call.account}:layer:{name}"
        version = params.get("VersionNumber")
        return [f"{arn}:{version}" if version is not None else arn]
    if kind == "code_signing":
        return [str(params.get("CodeSigningConfigArn") or ANY)]
    if kind == "arn":
        return [str(params.get("Resource") or params.get("ResourceArn") or ANY)]
    return [ANY]


def context(call: Call) -> Mapping[str, list[str]]:
    """lambda:FunctionArn on the event source mapping operations (the key AWS defines for them)."""
    if call.operation not in _MAPPING_OPERATIONS or not call.params.get("FunctionName"):
        return {}
    found = function_arn(call, call.params["FunctionName"])
    return {"lambda:FunctionArn": [found]} if found else {}
