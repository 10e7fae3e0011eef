"""Methods of a resource and their method responses (PutMethod, UpdateMethod, PutMethodResponse, ...)."""

from __future__ import annotations

from typing import Any

from millpond.services.apigateway import patch, resources
from millpond.services.apigateway.common import bad_request, compact, conflict, not_found
from millpond.services.apigateway.repository import RestApiRecord

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")

UPDATE_FIELDS: dict[str, patch.Kind] = {
    "authorizationType": "string",
    "authorizerId": "string",
    "apiKeyRequired": "boolean",
    "operationName": "string",
    "requestValidatorId": "string",
    "requestParameters": "map",
    "requestModels": "map",
    "authorizationScopes": "strings_list",
}


def check_http_method(http_method: str) -> str:
    if http_method not in HTTP_METHODS:
        raise bad_request("Invalid HttpMethod specified. Valid options are " + ",".join(HTTP_METHODS))
    return http_method


def get(record: RestApiRecord, resource_id: str, http_method: str) -> dict[str, Any]:
    method = (resources.get(record, resource_id).get("resourceMethods") or {}).get(http_method)
    if method is None:
        raise not_found("Invalid Method identifier specified")
    return dict(method)


def put(record: RestApiRecord, params: dict[str, Any]) -> dict[str, Any]:
    resource = resources.get(record, params["resourceId"])
    http_method = check_http_method(params["httpMethod"])
    methods = resource.setdefault("resourceMethods", {})
    if http_method in methods:
        raise conflict("Method already exists for this resource")
    authorization = params.get("authorizationType")
    if authorization not in AUTHORIZATION_TYPES:
        raise bad_request(
            f"Invalid authorization type specified. Valid options are {','.join(AUTHORIZATION_TYPES)}"
        )
    if authorization == "CUSTOM" and params.get("authorizerId") not in record.children.get("authorizers", {}):
        raise bad_request(
            "Invalid authorizer ID specified. Setting the authorization type to CUSTOM requires a valid "
            "authorizer."
        )
    method = compact(
        {
            "httpMethod": http_method,
            "authorizationType": authorization,
            "authorizerId": params.get("authorizerId"),
            "apiKeyRequired": bool(params.get("apiKeyRequired", False)),
            "requestValidatorId": params.get("requestValidatorId"),
            "operationName": params.get("operationName"),
            "requestParameters": params.get("requestParameters") or None,
            "requestModels": params.get("requestModels") or None,
            "authorizationScopes": params.get("authorizationScopes") or None,
        }
    )
    methods[http_method] = method
    return method


def update(
    record: RestApiRecord, resource_id: str, http_method: str, ops: list[dict[str, Any]]
) -> dict[str, Any]:
    get(record, resource_id, http_method)
    method = record.resources[resource_id]["resourceMethods"][http_method]
    patch.apply(method, ops, UPDATE_FIELDS)
    if method.get("authorizationType") not in AUTHORIZATION_TYPES:
        raise bad_request("Invalid authorization type specified")
    return dict(method)


def delete(record: RestApiRecord, resource_id: str, http_method: str) -> None:
    get(record, resource_id, http_method)
    methods = record.resources[resource_id]["resourceMethods"]
    del methods[http_method]
    if not methods:
        del record.resources[resource_id]["resourceMethods"]


def _stored(record: RestApiRecord, resource_id: str, http_method: str) -> dict[str, Any]:
    get(record, resource_id, http_method)
    return dict(record.resources[resource_id]["resourceMethods"][http_method])


def check_status_code(status_code: str) -> str:
    if not (len(status_code) == 3 and status_code.isdecimal() and 100 <= int(status_code) <= 599):
        raise bad_request("Invalid status code specified")
    return status_code


def put_response(record: RestApiRecord, params: dict[str, Any]) -> dict[str, Any]:
    _stored(record, params["resourceId"], params["httpMethod"])
    method = record.resources[params["resourceId"]]["resourceMethods"][params["httpMethod"]]
    status = check_status_code(params["statusCode"])
    response = compact(
        {
            "statusCode": status,
            "responseParameters": params.get("responseParameters") or None,
            "responseModels": params.get("responseModels") or None,
        }
    )
    method.setdefault("methodResponses", {})[status] = response
    return response


def get_response(record: RestApiRecord, resource_id: str, http_method: str, status: str) -> dict[str, Any]:
    response = (_stored(record, resource_id, http_method).get("methodResponses") or {}).get(status)
    if response is None:
        raise not_found("Invalid Response status code specified")
    return dict(response)


def delete_response(record: RestApiRecord, resource_id: str, http_method: str, status: str) -> None:
    get_response(record, resource_id, http_method, status)
    method = record.resources[resource_id]["resourceMethods"][http_method]
    del method["methodResponses"][status]
    if not method["methodResponses"]:
        del method["methodResponses"]
