"""Matching an invoke path against a deployment snapshot: exact parts, {param}, greedy {proxy+}, ANY.

A literal path part beats a {param} sibling, which beats a greedy {proxy+}; a method beats ANY. When the
most specific resource lacks the method, the next candidate is tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from millpond.services.apigateway.resources import is_greedy, is_variable


@dataclass(frozen=True, slots=True)
class RouteMatch:
    resource: dict[str, Any]
    method: dict[str, Any]
    path_parameters: dict[str, str]


def _rank(resource: dict[str, Any]) -> int:
    part = resource.get("pathPart", "")
    return 2 if is_greedy(part) else 1 if is_variable(part) else 0


def _children(resources: dict[str, dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    index: dict[str | None, list[dict[str, Any]]] = {}
    for resource in resources.values():
        index.setdefault(resource.get("parentId"), []).append(resource)
    for siblings in index.values():
        siblings.sort(key=_rank)
    return index


def _method(resource: dict[str, Any], http_method: str) -> dict[str, Any] | None:
    methods = resource.get("resourceMethods") or {}
    found = methods.get(http_method) or methods.get("ANY")
    return dict(found) if found is not None else None


def match(resources: dict[str, dict[str, Any]], http_method: str, path: str) -> RouteMatch | None:
    """The resource and method serving `path` (still percent-encoded, without the stage), or None."""
    segments = [s for s in path.split("/") if s]
    children = _children(resources)
    roots = children.get(None) or []
    if not roots:
        return None

    def walk(resource: dict[str, Any], index: int, params: dict[str, str]) -> RouteMatch | None:
        if index == len(segments):
            method = _method(resource, http_method)
            return None if method is None else RouteMatch(resource, method, params)
        for child in children.get(resource["id"], []):
            part = child["pathPart"]
            if is_greedy(part):
                method = _method(child, http_method)
                if method is not None:
                    # {proxy+} takes the rest of the path (no trailing slash, as AWS reports it).
                    value = "/".join(segments[index:])
                    return RouteMatch(child, method, {**params, part[1:-2]: value})
            elif is_variable(part):
                found = walk(child, index + 1, {**params, part[1:-1]: segments[index]})
                if found is not None:
                    return found
            elif part == segments[index]:
                found = walk(child, index + 1, params)
                if found is not None:
                    return found
        return None

    return walk(roots[0], 0, {})
