"""CORS as S3 applies a bucket's rules: preflight (OPTIONS) answers and the headers added to actual
requests that carry an Origin. A rule matches when its AllowedOrigins (with one `*` wildcard each) holds
the origin, its AllowedMethods the method, and its AllowedHeaders every requested header."""

from __future__ import annotations

import fnmatch
from typing import Any

from millpond.errors import AwsError

Headers = list[tuple[str, str]]


def _allows(patterns: list[str], value: str, lower: bool = False) -> bool:
    if lower:
        value = value.lower()
    return any(fnmatch.fnmatchcase(value, p.lower() if lower else p) for p in patterns)


def find_rule(
    rules: list[dict[str, Any]], origin: str, method: str, headers: list[str]
) -> dict[str, Any] | None:
    for rule in rules:
        if not _allows(rule.get("AllowedOrigins") or [], origin):
            continue
        if method.upper() not in [m.upper() for m in rule.get("AllowedMethods") or []]:
            continue
        allowed = rule.get("AllowedHeaders") or []
        if all(_allows(allowed, header, lower=True) for header in headers):
            return rule
    return None


def response_headers(rule: dict[str, Any], origin: str, preflight: bool, headers: list[str]) -> Headers:
    wildcard = "*" in (rule.get("AllowedOrigins") or [])
    out: Headers = [("Access-Control-Allow-Origin", "*" if wildcard else origin)]
    if not wildcard:
        out.append(("Access-Control-Allow-Credentials", "true"))
    out.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
    out.append(("Access-Control-Allow-Methods", ", ".join(rule.get("AllowedMethods") or [])))
    if preflight:
        if headers:
            out.append(("Access-Control-Allow-Headers", ", ".join(headers)))
        if rule.get("MaxAgeSeconds") is not None:
            out.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    if rule.get("ExposeHeaders"):
        out.append(("Access-Control-Expose-Headers", ", ".join(rule["ExposeHeaders"])))
    return out


def preflight(config: Any, origin: str | None, method: str | None, headers: list[str]) -> Headers:
    """The headers of a successful preflight, or the 403 S3 answers."""
    if not origin or not method:
        raise AwsError("BadRequest", "Insufficient information. Origin request header needed.", 400)
    if not config or not config.get("CORSRules"):
        raise AwsError("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", 403,
                       fields={"Method": method, "ResourceType": "BUCKET"})  # fmt: skip
    rule = find_rule(config["CORSRules"], origin, method, headers)
    if rule is None:
        raise AwsError("AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually "
                       "because the evalution of Origin, request method / Access-Control-Request-Method or "
                       "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", 403,
                       fields={"Method": method, "ResourceType": "OBJECT"})  # fmt: skip
    return response_headers(rule, origin, True, headers)


def actual(config: Any, origin: str, method: str) -> Headers:
    """Headers for a request with an Origin (none when no rule matches)."""
    if not config or not config.get("CORSRules"):
        return []
    rule = find_rule(config["CORSRules"], origin, method, [])
    return response_headers(rule, origin, False, []) if rule is not None else []
