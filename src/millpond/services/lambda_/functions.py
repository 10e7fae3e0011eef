"""Function rules: names, ARNs, CreateFunction validation, configuration documents as AWS shows them."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any

from millpond.errors import AwsError

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# name, 123456789012:function:name[:qualifier] or arn:aws:lambda:region:account:function:name[:qualifier]
FUNCTION_REF = re.compile(
    r"^(?:arn:aws[\w-]*:lambda:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$"
)
# The pattern AWS quotes for a function name it cannot read (NamespacedFunctionName, botocore 1.44.8).
FUNCTION_NAME_PATTERN = (
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
    "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
ROLE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
ALIAS = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$")
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
RESERVED_VARIABLES = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}  # fmt: skip
MAX_ZIP = 50 * 1024 * 1024
MAX_UNZIPPED = 262_144_000
MAX_VARIABLES_BYTES = 4096


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def page_start(marker: str | None) -> int:
    """The offset a Marker from an earlier page holds (the Markers millpond hands out are offsets)."""
    if not marker:
        return 0
    if not (marker.isascii() and marker.isdigit()):
        raise invalid(f"Invalid marker: {marker}")
    return int(marker)


def paged(items: list[dict[str, Any]], params: dict[str, Any], key: str) -> dict[str, Any]:
    """One page of `items` by Marker/MaxItems (50 by default), with NextMarker when more follow."""
    start = page_start(params.get("Marker"))
    limit = int(params.get("MaxItems") or 50)
    result: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        result["NextMarker"] = str(start + limit)
    return result


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def not_found(region: str, account: str, name: str, qualifier: str | None = None) -> AwsError:
    return AwsError(
        "ResourceNotFoundException", f"Function not found: {function_arn(region, account, name, qualifier)}"
    )


def alias_not_found(region: str, account: str, name: str, alias: str) -> AwsError:
    # AWS's wording (GetAlias, and any call naming an unknown alias as its qualifier)
    return AwsError(
        "ResourceNotFoundException", f"Cannot find alias arn: {function_arn(region, account, name, alias)}"
    )


def parse_ref(ref: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """(name, qualifier) from a name, partial ARN or ARN, with a Qualifier parameter if one came."""
    found = FUNCTION_REF.match(ref or "")
    if found is None or len(found.group("name")) > 64:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{ref}' at 'functionName' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}",
            400,
        )
    in_ref = found.group("qualifier")
    if in_ref and qualifier and in_ref != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    return found.group("name"), in_ref or qualifier


def listed_latest(config: dict[str, Any]) -> dict[str, Any]:
    """$LATEST as ListVersionsByFunction and ListFunctions(FunctionVersion=ALL) show it: a qualified ARN."""
    return {**config, "FunctionArn": f"{config['FunctionArn']}:$LATEST"}


def timestamp(epoch: float) -> str:
    # Lambda's LastModified: 2024-05-01T12:00:00.000+0000
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def code_details(zip_bytes: bytes) -> tuple[str, int]:
    """(CodeSha256, CodeSize) after checking the archive is a zip Lambda would take."""
    if len(zip_bytes) > MAX_ZIP:
        raise AwsError(
            "RequestTooLargeException",
            "Request must be smaller than 70167211 bytes for the CreateFunction operation",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise invalid(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None
    if unzipped > MAX_UNZIPPED:
        raise invalid(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode(), len(zip_bytes)


def check_runtime(runtime: str | None) -> None:
    if runtime not in PYTHON_RUNTIMES:
        raise invalid(
            f"The runtime parameter of {runtime} is not supported by millpond, which runs Python functions "
            f"(zip packages) on its local interpreter. Supported runtimes: {', '.join(PYTHON_RUNTIMES)}."
        )


def check_settings(params: dict[str, Any]) -> None:
    if "Timeout" in params and not 1 <= int(params["Timeout"]) <= 900:
        raise invalid(f"Timeout must be between 1 and 900 seconds, not {params['Timeout']}")
    if "MemorySize" in params and not 128 <= int(params["MemorySize"]) <= 10240:
        raise invalid(
            f"1 validation error detected: Value '{params['MemorySize']}' at 'memorySize' failed to satisfy "
            "constraint: Member must have value greater than or equal to 128"
            if int(params["MemorySize"]) < 128
            else "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal "
            "to 10240"
        )
    if "Role" in params and not ROLE.match(params["Role"] or ""):
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{params['Role']}' at 'role' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
            400,
        )
    if "Runtime" in params:
        check_runtime(params["Runtime"])
    variables = (params.get("Environment") or {}).get("Variables") or {}
    reserved = sorted(k for k in variables if k in RESERVED_VARIABLES)
    if reserved:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment variables "
            f"you have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {', '.join(reserved)}"
        )
    if sum(len(k) + len(str(v)) for k, v in variables.items()) > MAX_VARIABLES_BYTES:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided exceeded the 4KB limit."
        )
    storage = (params.get("EphemeralStorage") or {}).get("Size")
    if storage is not None and not 512 <= int(storage) <= 10240:
        raise invalid(f"EphemeralStorage Size must be between 512 and 10240, not {storage}")


def _runtime_hash(runtime: str | None) -> str:
    return hashlib.sha256(str(runtime).encode()).hexdigest()


def new_configuration(
    params: dict[str, Any], region: str, account: str, sha: str, size: int, now: float
) -> dict[str, Any]:
    name = params["FunctionName"]
    config: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": function_arn(region, account, name),
        "Runtime": params.get("Runtime"),
        "Role": params["Role"],
        "Handler": params.get("Handler"),
        "CodeSize": size,
        "Description": params.get("Description", ""),
        "Timeout": int(params.get("Timeout") or 3),
        "MemorySize": int(params.get("MemorySize") or 128),
        "LastModified": timestamp(now),
        "CodeSha256": sha,
        "Version": "$LATEST",
        "TracingConfig": {"Mode": (params.get("TracingConfig") or {}).get("Mode", "PassThrough")},
        "RevisionId": str(uuid.uuid4()),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": params.get("Architectures") or ["x86_64"],
        "EphemeralStorage": {"Size": int((params.get("EphemeralStorage") or {}).get("Size") or 512)},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {
            "RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:{_runtime_hash(params.get('Runtime'))}"
        },
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    apply_settings(config, params)
    return config


def apply_settings(config: dict[str, Any], params: dict[str, Any]) -> None:
    """Copy the configurable members given in a Create/UpdateFunctionConfiguration request."""
    for key in ("Runtime", "Role", "Handler", "Description"):
        if key in params:
            config[key] = params[key]
    for key in ("Timeout", "MemorySize"):
        if key in params:
            config[key] = int(params[key])
    if "Environment" in params:
        variables = (params["Environment"] or {}).get("Variables") or {}
        if variables:
            config["Environment"] = {"Variables": dict(variables)}
        else:
            config.pop("Environment", None)
    if "DeadLetterConfig" in params:
        target = (params["DeadLetterConfig"] or {}).get("TargetArn")
        if target:
            config["DeadLetterConfig"] = {"TargetArn": target}
        else:
            config.pop("DeadLetterConfig", None)
    if "Layers" in params:  # resolved by the provider into [{Arn, CodeSize}]
        config["Layers"] = list(params["Layers"] or [])
        if not config["Layers"]:
            del config["Layers"]
    if "EphemeralStorage" in params:
        config["EphemeralStorage"] = {"Size": int(params["EphemeralStorage"]["Size"])}
    if "TracingConfig" in params:
        config["TracingConfig"] = {"Mode": params["TracingConfig"].get("Mode", "PassThrough")}
    if "VpcConfig" in params:
        vpc = params["VpcConfig"] or {}
        config["VpcConfig"] = {
            "SubnetIds": vpc.get("SubnetIds", []),
            "SecurityGroupIds": vpc.get("SecurityGroupIds", []),
            "VpcId": "",
        }
    if "LoggingConfig" in params:
        config["LoggingConfig"] = {**config.get("LoggingConfig", {}), **params["LoggingConfig"]}


def as_reported(config: dict[str, Any], *, creating: bool = False, updating: bool = False) -> dict[str, Any]:
    """The document as the call that just changed it reports: Pending or InProgress, then Active."""
    shown = dict(config)
    if creating:
        shown.update(
            State="Pending", StateReason="The function is being created.", StateReasonCode="Creating"
        )
        shown.pop("LastUpdateStatus", None)
    elif updating:
        shown.update(
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being created.",
            LastUpdateStatusReasonCode="Creating",
        )
    return shown


def published(config: dict[str, Any], version: int, description: str | None, now: float) -> dict[str, Any]:
    document = dict(config)
    document.update(
        Version=str(version),
        FunctionArn=f"{config['FunctionArn']}:{version}",
        RevisionId=str(uuid.uuid4()),
        LastModified=timestamp(now),
    )
    if description is not None:
        document["Description"] = description
    return document


def same_code_and_config(latest: dict[str, Any], version: dict[str, Any]) -> bool:
    ignored = {"Version", "FunctionArn", "RevisionId", "LastModified", "Description"}
    return {k: v for k, v in latest.items() if k not in ignored} == {
        k: v for k, v in version.items() if k not in ignored
    }
