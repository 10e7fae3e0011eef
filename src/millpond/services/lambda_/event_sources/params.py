"""Event source mapping parameters: validation, defaults per source, and the documents AWS returns.

Stored documents carry a few internal keys (prefixed "_": the function's name and qualifier, the source kind,
whether the mapping is enabled); `public` strips them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from millpond.errors import AwsError
from millpond.services.lambda_.event_sources import filtering

SQS = "sqs"
KINESIS = "kinesis"
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
STARTING_POSITIONS = ("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON")
# StateTransitionReason differs per source (aws-facts §12.11).
USER_REASON = {SQS: "USER_INITIATED", KINESIS: "User action"}
KINESIS_ONLY = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "TumblingWindowInSeconds",
)


@dataclass(frozen=True, slots=True)
class SourceArn:
    kind: str  # SQS or KINESIS
    region: str
    account_id: str
    name: str  # queue or stream name


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def _constraint(value: Any, member: str, constraint: str) -> AwsError:
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must {constraint}",
    )


def check_range(params: dict[str, Any], key: str, low: int, high: int) -> None:
    value = params.get(key)
    if value is None:
        return
    member = key[0].lower() + key[1:]
    if value < low:
        raise _constraint(value, member, f"have value greater than or equal to {low}")
    if value > high:
        raise _constraint(value, member, f"have value less than or equal to {high}")


def parse_source_arn(arn: str | None) -> SourceArn:
    parts = (arn or "").split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        if parts[2] == "sqs" and parts[5]:
            return SourceArn(SQS, parts[3], parts[4], parts[5])
        if parts[2] == "kinesis" and parts[5].startswith("stream/"):
            return SourceArn(KINESIS, parts[3], parts[4], parts[5].split("/")[1])
    raise invalid("Unrecognized event source.")


def mapping_arn(region: str, account: str, uuid: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:event-source-mapping:{uuid}"


def public(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def _response_types(params: dict[str, Any]) -> list[str]:
    types = params.get("FunctionResponseTypes")
    if types is None:
        return []
    if len(types) > 1 or any(t != REPORT_BATCH_ITEM_FAILURES for t in types):
        raise _constraint(types, "functionResponseTypes", "satisfy enum value set: [ReportBatchItemFailures]")
    return list(types)


def _check_common(params: dict[str, Any]) -> None:
    check_range(params, "BatchSize", 1, 10_000)
    check_range(params, "MaximumBatchingWindowInSeconds", 0, 300)
    if "FilterCriteria" in params:
        filtering.parse_filters(params["FilterCriteria"])


def _check_sqs(params: dict[str, Any], document: dict[str, Any], fifo: bool) -> None:
    if (params.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination") or (
        params.get("DestinationConfig") or {}
    ).get("OnSuccess", {}).get("Destination"):
        raise invalid("Unsupported DestinationConfig parameter for given event source mapping type.")
    scaling = params.get("ScalingConfig")
    if scaling and scaling.get("MaximumConcurrency") is not None:
        check_range(scaling, "MaximumConcurrency", 2, 1000)
    batch, window = document["BatchSize"], document["MaximumBatchingWindowInSeconds"]
    if fifo and batch > 10:
        # [unsure] AWS's exact words for a FIFO queue's batch size over 10.
        raise invalid("Batch size for FIFO queues must be between 1 and 10.")
    if batch > 10 and window < 1:
        raise invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        )


def _check_kinesis(params: dict[str, Any], document: dict[str, Any]) -> None:
    check_range(params, "ParallelizationFactor", 1, 10)
    check_range(params, "MaximumRetryAttempts", -1, 10_000)
    check_range(params, "TumblingWindowInSeconds", 0, 900)
    check_range(params, "MaximumRecordAgeInSeconds", -1, 604_800)
    age = params.get("MaximumRecordAgeInSeconds")
    if age is not None and 0 <= age < 60:
        # The model allows -1..604800, but AWS refuses 0-59 (aws-facts §5.1).
        raise invalid(
            "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800."  # [unsure] AWS's words
        )
    destination = (params.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
    if destination is not None and destination.split(":")[2:3] not in (["sqs"], ["sns"], ["s3"], ["kafka"]):
        raise invalid("The provided destination config DestinationConfig is invalid.")  # [unsure]


def new_document(
    params: dict[str, Any],
    source: SourceArn,
    *,
    uuid: str,
    function_name: str,
    qualifier: str | None,
    function_arn: str,
    region: str,
    account: str,
    now: float,
    fifo: bool = False,
) -> dict[str, Any]:
    """The stored document of a new mapping (State Creating), after checking every parameter."""
    _check_common(params)
    enabled = params.get("Enabled", True) is not False
    document: dict[str, Any] = {"UUID": uuid}
    if source.kind == KINESIS:
        position = params.get("StartingPosition")
        if position is None:
            raise invalid(
                "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
                "Member must not be null."
            )
        if position not in STARTING_POSITIONS:
            raise _constraint(
                position, "startingPosition", "satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
            )
        document["StartingPosition"] = position
        if position == "AT_TIMESTAMP":
            stamp = params.get("StartingPositionTimestamp")
            if stamp is None:
                raise invalid("StartingPositionTimestamp must be set for AT_TIMESTAMP.")  # [unsure]
            document["StartingPositionTimestamp"] = (
                stamp.timestamp() if isinstance(stamp, datetime) else float(stamp)
            )
    document["BatchSize"] = params.get("BatchSize") or (100 if source.kind == KINESIS else 10)
    document["MaximumBatchingWindowInSeconds"] = params.get("MaximumBatchingWindowInSeconds") or 0
    if source.kind == KINESIS:
        _check_kinesis(params, document)
        document["ParallelizationFactor"] = params.get("ParallelizationFactor") or 1
    document["EventSourceArn"] = params["EventSourceArn"]
    if params.get("FilterCriteria"):
        document["FilterCriteria"] = params["FilterCriteria"]
    document["FunctionArn"] = function_arn
    document["LastModified"] = now
    if source.kind == KINESIS:
        document["LastProcessingResult"] = "No records processed"
    document["State"] = "Creating"
    document["StateTransitionReason"] = USER_REASON[source.kind]
    if source.kind == KINESIS:
        on_failure = (params.get("DestinationConfig") or {}).get("OnFailure") or {}
        document["DestinationConfig"] = {"OnFailure": dict(on_failure)}
        document["MaximumRecordAgeInSeconds"] = params.get("MaximumRecordAgeInSeconds", -1)
        document["BisectBatchOnFunctionError"] = bool(params.get("BisectBatchOnFunctionError", False))
        document["MaximumRetryAttempts"] = params.get("MaximumRetryAttempts", -1)
        document["TumblingWindowInSeconds"] = params.get("TumblingWindowInSeconds", 0)
    document["FunctionResponseTypes"] = _response_types(params)
    if source.kind == SQS:
        _check_sqs(params, document, fifo)
        if (params.get("ScalingConfig") or {}).get("MaximumConcurrency") is not None:
            document["ScalingConfig"] = {"MaximumConcurrency": params["ScalingConfig"]["MaximumConcurrency"]}
    if params.get("MetricsConfig"):
        document["MetricsConfig"] = params["MetricsConfig"]
    document["EventSourceMappingArn"] = mapping_arn(region, account, uuid)
    document.update(_FunctionName=function_name, _Qualifier=qualifier, _Source=source.kind, _Enabled=enabled)
    return document


UPDATABLE = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FilterCriteria",
    "ScalingConfig",
    "FunctionResponseTypes",
    "MetricsConfig",
    "ParallelizationFactor",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
)


def updated_document(
    current: dict[str, Any], params: dict[str, Any], now: float, fifo: bool = False
) -> dict[str, Any]:
    """The document after UpdateEventSourceMapping's changes (State Updating, Enabling or Disabling)."""
    _check_common(params)
    kind = current["_Source"]
    document = dict(current)
    for key in UPDATABLE:
        if key not in params or (kind == SQS and key in KINESIS_ONLY):
            continue
        value = params[key]
        if key == "FilterCriteria":
            if value and value.get("Filters"):
                document[key] = value
            else:
                document.pop(key, None)  # an empty FilterCriteria removes the filters
        elif key == "ScalingConfig":
            if kind == SQS:
                if value and value.get("MaximumConcurrency") is not None:
                    document[key] = {"MaximumConcurrency": value["MaximumConcurrency"]}
                else:
                    document.pop(key, None)  # an empty ScalingConfig removes the cap
        elif key == "FunctionResponseTypes":
            document[key] = _response_types(params)
        elif key == "DestinationConfig" and kind == KINESIS:
            document[key] = {"OnFailure": dict((value or {}).get("OnFailure") or {})}
        else:
            document[key] = value
    if kind == SQS:
        _check_sqs(params, document, fifo)
    else:
        _check_kinesis(params, document)
    document["LastModified"] = now
    enabled = params.get("Enabled")
    if enabled is None or bool(enabled) == document["_Enabled"]:
        document["State"] = "Updating"
    else:
        document["State"] = "Enabling" if enabled else "Disabling"
        document["_Enabled"] = bool(enabled)
    return document


def settled_state(document: dict[str, Any]) -> str:
    return "Enabled" if document["_Enabled"] else "Disabled"
