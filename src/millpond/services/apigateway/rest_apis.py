"""REST APIs: the RestApi document, its defaults as AWS reports them, and UpdateRestApi's patch paths."""

from __future__ import annotations

from typing import Any

from millpond.services.apigateway import patch
from millpond.services.apigateway.common import API_ID_LENGTH, bad_request, compact, new_id
from millpond.services.apigateway.repository import RestApiRecord

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
API_KEY_SOURCES = ("HEADER", "AUTHORIZER")

UPDATE_FIELDS: dict[str, patch.Kind] = {
    "name": "string",
    "description": "string",
    "version": "string",
    "policy": "string",
    "apiKeySource": "string",
    "minimumCompressionSize": "integer",
    "binaryMediaTypes": "strings_list",
    "disableExecuteApiEndpoint": "boolean",
}


def new_record(params: dict[str, Any], now: float) -> RestApiRecord:
    name = params.get("name") or ""
    if not name.strip():
        raise bad_request("Invalid REST API name specified")
    endpoint = dict(params.get("endpointConfiguration") or {})
    types = list(endpoint.get("types") or ["EDGE"])
    if len(types) != 1 or types[0] not in ENDPOINT_TYPES:
        raise bad_request(f"Invalid endpoint type specified: {types}. Must be one of: {list(ENDPOINT_TYPES)}")
    endpoint["types"] = types
    # AWS reports ipAddressType "ipv4" unless "dualstack" was asked for.
    endpoint.setdefault("ipAddressType", "ipv4")
    api_key_source = params.get("apiKeySource") or "HEADER"
    if api_key_source not in API_KEY_SOURCES:
        raise bad_request(f"Invalid API key source specified: {api_key_source}")
    root_id = new_id(API_ID_LENGTH)
    api = compact(
        {
            "id": new_id(API_ID_LENGTH),
            "name": name,
            "description": params.get("description"),
            "createdDate": now,
            "version": params.get("version"),
            "binaryMediaTypes": list(params["binaryMediaTypes"]) if params.get("binaryMediaTypes") else None,
            "minimumCompressionSize": params.get("minimumCompressionSize"),
            "apiKeySource": api_key_source,
            "endpointConfiguration": endpoint,
            "policy": params.get("policy"),
            "tags": dict(params["tags"]) if params.get("tags") else None,
            "disableExecuteApiEndpoint": bool(params.get("disableExecuteApiEndpoint", False)),
            "rootResourceId": root_id,
        }
    )
    root = {"id": root_id, "path": "/"}
    return RestApiRecord(api=api, resources={root_id: root})


def update(record: RestApiRecord, operations: list[dict[str, Any]]) -> dict[str, Any]:
    types_ops = [
        op for op in operations or [] if str(op.get("path", "")).startswith("/endpointConfiguration")
    ]
    others = [op for op in operations or [] if op not in types_ops]
    patch.apply(record.api, others, UPDATE_FIELDS)
    for operation in types_ops:
        # The console switches types: replace /endpointConfiguration/types/EDGE with value REGIONAL.
        value = operation.get("value")
        if operation.get("op") != "replace" or value not in ENDPOINT_TYPES:
            raise bad_request(f"Invalid patch path '{operation.get('path')}' specified")
        record.api["endpointConfiguration"]["types"] = [value]
    if not str(record.api.get("name") or "").strip():
        raise bad_request("Invalid REST API name specified")
    return record.api
