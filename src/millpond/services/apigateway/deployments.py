"""Deployments: an immutable snapshot of an API's resources, methods and integrations that stages serve."""

from __future__ import annotations

import copy
from typing import Any

from millpond.services.apigateway import stages
from millpond.services.apigateway.common import DEPLOYMENT_ID_LENGTH, bad_request, compact, new_id, not_found
from millpond.services.apigateway.repository import RestApiRecord


def snapshot(record: RestApiRecord) -> dict[str, Any]:
    """What a stage pointing at this deployment serves; refuses an API that cannot be deployed."""
    has_methods = False
    for resource in record.resources.values():
        for method in (resource.get("resourceMethods") or {}).values():
            has_methods = True
            if "methodIntegration" not in method:
                raise bad_request("No integration defined for method")
    if not has_methods:
        raise bad_request("The REST API doesn't contain any methods")
    return {
        "resources": copy.deepcopy(record.resources),
        "binaryMediaTypes": list(record.api.get("binaryMediaTypes") or []),
        "disableExecuteApiEndpoint": bool(record.api.get("disableExecuteApiEndpoint")),
        "authorizers": copy.deepcopy(record.children.get("authorizers", {})),
    }


def create(
    record: RestApiRecord, params: dict[str, Any], now: float
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """(Deployment, its id, its snapshot); with stageName, the stage is created or moved to it."""
    stage_name = params.get("stageName")
    if stage_name is not None:
        stages.check_name(stage_name)
        stages.check_variables(params.get("variables"))
    taken = snapshot(record)
    deployment = compact(
        {"id": new_id(DEPLOYMENT_ID_LENGTH), "description": params.get("description"), "createdDate": now}
    )
    record.deployments[deployment["id"]] = deployment
    if stage_name:
        stage = record.stages.get(stage_name)
        if stage is None:
            stage = stages.new_stage(stage_name, deployment["id"], now, params.get("stageDescription"))
            record.stages[stage_name] = stage
        else:
            stage["deploymentId"] = deployment["id"]
            stage["lastUpdatedDate"] = now
        if params.get("variables"):
            stage.setdefault("variables", {}).update(params["variables"])
        if params.get("tracingEnabled") is not None:
            stage["tracingEnabled"] = bool(params["tracingEnabled"])
    return deployment, deployment["id"], taken


def get(record: RestApiRecord, deployment_id: str) -> dict[str, Any]:
    deployment = record.deployments.get(deployment_id)
    if deployment is None:
        raise not_found("Invalid Deployment identifier specified")
    return dict(deployment)


def delete(record: RestApiRecord, deployment_id: str) -> None:
    get(record, deployment_id)
    if any(stage.get("deploymentId") == deployment_id for stage in record.stages.values()):
        raise bad_request("Active stages pointing to this deployment must be moved or deleted")
    del record.deployments[deployment_id]


def listed(record: RestApiRecord) -> list[dict[str, Any]]:
    return sorted(record.deployments.values(), key=lambda d: d["createdDate"])
