"""Lambda authorizers: the control plane (Create/Get/Update/DeleteAuthorizer) and what a method with
authorizationType CUSTOM does before its integration runs.

TOKEN authorizers read one header (identitySource `method.request.header.X`, checked against
identityValidationExpression); REQUEST authorizers read every identity source named (headers, query
strings, stage variables). A missing identity answers 401 Unauthorized without calling the function. The
function gets AWS's event, answers a principal, an IAM policy over execute-api:Invoke and a context;
the policy is judged against the method's ARN (wildcards allowed), an explicit Deny wins, and no Allow is
403. Results are cached per identity for authorizerResultTtlInSeconds (default 300) on the virtual clock;
the cached policy is judged against each later method, as on AWS. The context reaches the integration as
requestContext.authorizer (with principalId), strings, numbers and booleans only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import parse_qsl

from millpond.services.apigateway import patch
from millpond.services.apigateway.common import bad_request, compact, conflict, new_id, not_found
from millpond.services.apigateway.integrations import LAMBDA_URI
from millpond.services.apigateway.repository import RestApiRecord
from millpond.services.apigateway.request import ExecuteRequest

TYPES = ("TOKEN", "REQUEST", "COGNITO_USER_POOLS")
DEFAULT_TTL = 300
MAX_TTL = 3600
UPDATE_FIELDS: dict[str, patch.Kind] = {
    "name": "string",
    "authorizerUri": "string",
    "authorizerCredentials": "string",
    "identitySource": "string",
    "identityValidationExpression": "string",
    "authorizerResultTtlInSeconds": "integer",
    "type": "string",
}


def _authorizers(record: RestApiRecord) -> dict[str, dict[str, Any]]:
    return record.children.setdefault("authorizers", {})


def _check(authorizer: dict[str, Any]) -> None:
    kind = authorizer.get("type")
    if kind not in TYPES:
        raise bad_request(f"Invalid authorizer type specified. Valid options are {','.join(TYPES)}")
    if kind in ("TOKEN", "REQUEST") and not LAMBDA_URI.match(authorizer.get("authorizerUri") or ""):
        raise bad_request("Invalid Authorizer URI specified")
    ttl = int(authorizer.get("authorizerResultTtlInSeconds", DEFAULT_TTL))
    if not 0 <= ttl <= MAX_TTL:
        raise bad_request(f"Invalid authorizer result TTL: must be between 0 and {MAX_TTL} seconds")
    source = authorizer.get("identitySource") or ""
    if kind == "TOKEN" and not re.fullmatch(r"method\.request\.header\.[\w-]+", source):
        raise bad_request("Invalid identity source for a TOKEN authorizer: method.request.header.<name>")
    if kind == "REQUEST" and authorizer.get("authorizerResultTtlInSeconds", DEFAULT_TTL) and not source:
        raise bad_request("An identity source is required for a REQUEST authorizer whose results are cached")


def create(record: RestApiRecord, params: dict[str, Any]) -> dict[str, Any]:
    authorizer = compact(
        {
            "id": new_id(6),
            "name": params["name"],
            "type": params["type"],
            "providerARNs": params.get("providerARNs"),
            "authType": params.get("authType"),
            "authorizerUri": params.get("authorizerUri"),
            "authorizerCredentials": params.get("authorizerCredentials"),
            "identitySource": params.get("identitySource"),
            "identityValidationExpression": params.get("identityValidationExpression"),
            "authorizerResultTtlInSeconds": int(params.get("authorizerResultTtlInSeconds", DEFAULT_TTL)),
        }
    )
    _check(authorizer)
    _authorizers(record)[authorizer["id"]] = authorizer
    return dict(authorizer)


def get(record: RestApiRecord, authorizer_id: str) -> dict[str, Any]:
    found = _authorizers(record).get(authorizer_id)
    if found is None:
        raise not_found("Invalid Authorizer identifier specified")
    return dict(found)


def listed(record: RestApiRecord) -> list[dict[str, Any]]:
    return [dict(a) for a in _authorizers(record).values()]


def update(record: RestApiRecord, authorizer_id: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    authorizer = get(record, authorizer_id)
    patch.apply(authorizer, operations, UPDATE_FIELDS)
    _check(authorizer)
    _authorizers(record)[authorizer_id] = authorizer
    return dict(authorizer)


def delete(record: RestApiRecord, authorizer_id: str) -> None:
    get(record, authorizer_id)
    for resource in record.resources.values():
        for method in (resource.get("resourceMethods") or {}).values():
            if method.get("authorizerId") == authorizer_id:
                where = f"{method['httpMethod']}/{resource['path']}"
                raise conflict(f"Cannot delete authorizer, is referenced in method: {where}")
    del _authorizers(record)[authorizer_id]


# -- the data plane ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What an authorizer decided: the status to answer (None: go on), and the context to pass on."""

    status: int | None
    message: str = ""
    context: dict[str, Any] | None = None


InvokeAuthorizer = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Any]]


def identity_values(
    authorizer: dict[str, Any], request: ExecuteRequest, variables: dict[str, str]
) -> list[str] | None:
    """The identity source values in order, or None when one is missing."""
    query = dict(parse_qsl(request.query_string, keep_blank_values=True))
    values = []
    for source in filter(None, (s.strip() for s in (authorizer.get("identitySource") or "").split(","))):
        if source.startswith("method.request.header."):
            value = request.header(source.removeprefix("method.request.header."))
        elif source.startswith("method.request.querystring."):
            value = query.get(source.removeprefix("method.request.querystring."))
        elif source.startswith("stageVariables."):
            value = variables.get(source.removeprefix("stageVariables."))
        else:
            value = None
        if not value:
            return None
        values.append(value)
    return values


def policy_decision(document: Any, method_arn: str) -> str:
    """ "Allow", "Deny" (an explicit deny matched) or "" (nothing allows it) for execute-api:Invoke."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements or []:
        actions = statement.get("Action") or []
        resources = statement.get("Resource") or []
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatchcase("execute-api:Invoke", a) or a == "*" for a in actions):
            continue
        if not any(fnmatchcase(method_arn, r) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        allowed = allowed or statement.get("Effect") == "Allow"
    return "Allow" if allowed else ""


def flat_context(answer: dict[str, Any]) -> dict[str, Any]:
    context = {"principalId": answer.get("principalId")}
    for key, value in (answer.get("context") or {}).items():
        if isinstance(value, str | int | float | bool):  # AWS drops (refuses) nested values
            context[key] = value
    return context


class AuthorizerCache:
    """Authorizer answers by (api, authorizer, identity), each until its TTL ends on the virtual clock."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, tuple[str, ...]], tuple[float, dict[str, Any]]] = {}

    def get(self, key: tuple[str, str, tuple[str, ...]], now: float) -> dict[str, Any] | None:
        found = self._entries.get(key)
        if found is None or found[0] <= now:
            self._entries.pop(key, None)
            return None
        return found[1]

    def put(self, key: tuple[str, str, tuple[str, ...]], answer: dict[str, Any], until: float) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()  # a bound, not a policy: answers are cheap to ask again
        self._entries[key] = (until, answer)

    def flush(self, api_id: str) -> None:
        for key in [k for k in self._entries if k[0] == api_id]:
            del self._entries[key]


def event_for(
    authorizer: dict[str, Any],
    request: ExecuteRequest,
    method_arn: str,
    values: list[str],
    proxy_event: dict[str, Any],
) -> dict[str, Any]:
    if authorizer["type"] == "TOKEN":
        return {"type": "TOKEN", "methodArn": method_arn, "authorizationToken": values[0]}
    event: dict[str, Any] = {"type": "REQUEST", "methodArn": method_arn}
    event.update(
        {
            k: proxy_event.get(k)
            for k in (
                "resource",
                "path",
                "httpMethod",
                "headers",
                "multiValueHeaders",
                "queryStringParameters",
                "multiValueQueryStringParameters",
                "pathParameters",
                "stageVariables",
                "requestContext",
            )
        }
    )
    return event


def judge(answer: Any, method_arn: str) -> Verdict:
    if not isinstance(answer, dict) or "policyDocument" not in answer or "principalId" not in answer:
        return Verdict(500, "")  # AuthorizerConfigurationException: the function's answer is not a policy
    decision = policy_decision(answer["policyDocument"], method_arn)
    if decision == "Deny":
        return Verdict(403, "User is not authorized to access this resource with an explicit deny")
    if decision != "Allow":
        return Verdict(403, "User is not authorized to access this resource")
    return Verdict(None, context=flat_context(answer))


def parse_answer(payload: bytes, function_error: str | None) -> tuple[str, Any]:
    """("ok", answer) | ("unauthorized", None) (the function raised "Unauthorized") | ("error", None)."""
    try:
        answer = json.loads(payload or b"null")
    except ValueError:
        return "error", None
    if function_error:
        message = answer.get("errorMessage") if isinstance(answer, dict) else None
        return ("unauthorized", None) if message == "Unauthorized" else ("error", None)
    return "ok", answer
