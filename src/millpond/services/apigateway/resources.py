"""Resources: the path tree of a REST API (path parts, {param} and greedy {proxy+} variables)."""

from __future__ import annotations

import re
from typing import Any

from millpond.services.apigateway.common import RESOURCE_ID_LENGTH, bad_request, conflict, new_id, not_found
from millpond.services.apigateway.repository import RestApiRecord

PATH_PART = re.compile(r"^(?:[a-zA-Z0-9._:@~!$&'()*,;=-]+|\{[a-zA-Z0-9._-]+\+?\})$")


def is_variable(path_part: str) -> bool:
    return path_part.startswith("{") and path_part.endswith("}")


def is_greedy(path_part: str) -> bool:
    return path_part.startswith("{") and path_part.endswith("+}")


def get(record: RestApiRecord, resource_id: str) -> dict[str, Any]:
    resource = record.resources.get(resource_id)
    if resource is None:
        raise not_found("Invalid Resource identifier specified")
    return resource


def create(record: RestApiRecord, parent_id: str, path_part: str) -> dict[str, Any]:
    parent = record.resources.get(parent_id)
    if parent is None:
        raise not_found("Invalid Resource identifier specified")
    if not PATH_PART.match(path_part or ""):
        raise bad_request(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
            "and an optional plus sign before the closing brace."
        )
    if is_greedy(parent.get("pathPart", "")):
        raise bad_request(
            f"Cannot create a child of a resource with a greedy path variable: {parent['pathPart']}"
        )
    for sibling in record.resources.values():
        if sibling.get("parentId") != parent_id:
            continue
        if sibling["pathPart"] == path_part:
            raise conflict(f"Another resource with the same parent already has this name: {path_part}")
        if is_variable(path_part) and is_variable(sibling["pathPart"]):
            raise bad_request(
                f"A sibling ({sibling['pathPart']}) of this resource already has a variable path part "
                "-- only one is allowed"
            )
    resource = {
        "id": new_id(RESOURCE_ID_LENGTH),
        "parentId": parent_id,
        "pathPart": path_part,
        "path": parent["path"].rstrip("/") + "/" + path_part,
    }
    record.resources[resource["id"]] = resource
    return resource


def delete(record: RestApiRecord, resource_id: str) -> None:
    resource = get(record, resource_id)
    if "parentId" not in resource:
        raise bad_request("Cannot delete the root resource")
    doomed = {resource_id}
    grew = True
    while grew:
        children = {r["id"] for r in record.resources.values() if r.get("parentId") in doomed}
        grew = not children <= doomed
        doomed |= children
    for rid in doomed:
        record.resources.pop(rid, None)


def reported(resource: dict[str, Any], embed_methods: bool = True) -> dict[str, Any]:
    """A Resource as AWS answers it; without `embed_methods`, methods are listed by name only."""
    result = {k: v for k, v in resource.items() if k != "resourceMethods"}
    methods = resource.get("resourceMethods") or {}
    if methods:
        if embed_methods:
            result["resourceMethods"] = {name: method for name, method in methods.items()}
        else:
            # GetResources without ?embed=methods names each method with an empty object.
            result["resourceMethods"] = {name: {} for name in methods}
    return result


def ordered(record: RestApiRecord) -> list[dict[str, Any]]:
    return sorted(record.resources.values(), key=lambda r: r["path"])
