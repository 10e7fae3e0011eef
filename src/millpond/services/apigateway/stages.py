"""Stages: a name pointing at a deployment, with stage variables; UpdateStage's patch paths."""

from __future__ import annotations

import re
from typing import Any

from millpond.services.apigateway import patch
from millpond.services.apigateway.common import bad_request, compact, conflict, not_found
from millpond.services.apigateway.repository import RestApiRecord

STAGE_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
VARIABLE_NAME = re.compile(r"^[a-zA-Z0-9_]{1,64}$")
VARIABLE_VALUE = re.compile(r"^[a-zA-Z0-9\-._~:/?#&=,]{0,512}$")

UPDATE_FIELDS: dict[str, patch.Kind] = {
    "description": "string",
    "deploymentId": "string",
    "variables": "map",
    "cacheClusterEnabled": "boolean",
    "cacheClusterSize": "string",
    "tracingEnabled": "boolean",
    "clientCertificateId": "string",
    "documentationVersion": "string",
    "webAclArn": "string",
}


def check_name(name: str) -> None:
    if not STAGE_NAME.match(name):
        raise bad_request("Stage name only allows a-zA-Z0-9_- and must be between 1 and 128 characters")


def check_variables(variables: dict[str, str] | None) -> None:
    for name, value in (variables or {}).items():
        if not VARIABLE_NAME.match(name):
            raise bad_request(f"Stage variable name {name} is invalid: use a-zA-Z0-9_")
        if not VARIABLE_VALUE.match(str(value)):
            raise bad_request(f"Stage variable value {value} is invalid: use a-zA-Z0-9-._~:/?#&=,")


def new_stage(name: str, deployment_id: str, now: float, description: str | None = None) -> dict[str, Any]:
    return compact(
        {
            "deploymentId": deployment_id,
            "stageName": name,
            "description": description,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": False,
            "createdDate": now,
            "lastUpdatedDate": now,
        }
    )


def create(record: RestApiRecord, params: dict[str, Any], now: float) -> dict[str, Any]:
    name = params["stageName"]
    check_name(name)
    if params["deploymentId"] not in record.deployments:
        raise not_found("Invalid Deployment identifier specified")
    if name in record.stages:
        raise conflict("Stage already exists")
    check_variables(params.get("variables"))
    stage = new_stage(name, params["deploymentId"], now, params.get("description"))
    for key in ("variables", "tags"):
        if params.get(key):
            stage[key] = dict(params[key])
    for key in ("cacheClusterEnabled", "tracingEnabled"):
        if params.get(key) is not None:
            stage[key] = bool(params[key])
    for key in ("cacheClusterSize", "documentationVersion"):
        if params.get(key):
            stage[key] = params[key]
    record.stages[name] = stage
    return stage


def get(record: RestApiRecord, name: str) -> dict[str, Any]:
    stage = record.stages.get(name)
    if stage is None:
        raise not_found("Invalid Stage identifier specified")
    return dict(stage)


def update(record: RestApiRecord, name: str, ops: list[dict[str, Any]], now: float) -> dict[str, Any]:
    get(record, name)
    stage = record.stages[name]
    patch.apply(stage, ops, UPDATE_FIELDS)
    if stage.get("deploymentId") not in record.deployments:
        raise bad_request("Invalid deployment id specified")
    check_variables(stage.get("variables"))
    stage["lastUpdatedDate"] = now
    return dict(stage)


def delete(record: RestApiRecord, name: str) -> None:
    get(record, name)
    del record.stages[name]


def listed(record: RestApiRecord, deployment_id: str | None) -> list[dict[str, Any]]:
    found = sorted(record.stages.values(), key=lambda s: s["createdDate"])
    return [s for s in found if deployment_id is None or s.get("deploymentId") == deployment_id]
