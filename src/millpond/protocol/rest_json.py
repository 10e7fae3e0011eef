"""The rest-json protocol (Lambda, API Gateway): members spread over the URI, query string, headers and body.

Routing by method and path lives in rest_routing (re-exported here as `match_operation`). Input members
are read from their `location` (uri, querystring, header, headers), the `payload` member from the raw
body, and the rest from a JSON body; responses put members back the same way.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape

from millpond.errors import AwsError
from millpond.protocol import eventstream
from millpond.protocol.errors import error_shape, resolve
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.json_ import BadValue, ShapeReader, ShapeWriter
from millpond.protocol.rest_routing import literal_query, match_operation
from millpond.protocol.shapes import b64decode, b64encode, format_scalar, parse_scalar

__all__ = ["match_operation", "parse_request", "serialize_error", "serialize_response"]

CONTENT_TYPE = "application/json"
_READER = ShapeReader()
_WRITER = ShapeWriter()


def _bad_request(service: ServiceModel, message: str) -> AwsError:
    # Lambda calls unreadable input InvalidRequestContentException, API Gateway BadRequestException.
    for code in ("InvalidRequestContentException", "BadRequestException"):
        if error_shape(service, code) is not None:
            return AwsError(code, message)
    return AwsError("SerializationException", message, 400)


# ---------------------------------------------------------------------------------------------- requests


def parse_request(operation: OperationModel, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    service = operation.service_model
    params: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    query: dict[str, list[str]] | None = None
    query_map: tuple[str, MapShape] | None = None
    taken_keys = {key for key, _ in literal_query(operation)}
    has_body_members = False
    try:
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            key = member.serialization.get("name", name)
            if location == "uri":
                if key in labels:
                    params[name] = parse_scalar(member, labels[key])
            elif location == "querystring":
                if query is None:
                    query = request.query
                if isinstance(member, MapShape):
                    query_map = (name, member)
                    continue
                taken_keys.add(key)
                values = query.get(key)
                if values is None:
                    continue
                if isinstance(member, ListShape):
                    params[name] = [parse_scalar(member.member, value) for value in values]
                else:
                    params[name] = parse_scalar(member, values[0])
            elif location == "header":
                value = request.headers.get(key.lower())
                if value is not None:
                    params[name] = _parse_header(member, value)
            elif location == "headers":
                prefix = key.lower()
                found = {h[len(prefix) :]: v for h, v in request.headers.items() if h.startswith(prefix)}
                if found:
                    params[name] = found
            elif name != payload:
                has_body_members = True
        if query_map is not None and query:
            name, member = query_map
            as_list = isinstance(member.value, ListShape)
            found_map = {k: v if as_list else v[0] for k, v in query.items() if k not in taken_keys}
            if found_map:
                params[name] = found_map
    except ValueError as exc:
        raise _bad_request(service, str(exc)) from exc
    if payload is not None:
        _parse_payload(service, shape.members[payload], payload, request.body, params)
    elif has_body_members and request.body:
        body = _read(service, shape, _load_json(service, request.body))
        for name, value in body.items():
            if "location" not in shape.members[name].serialization and name != payload:
                params[name] = value
    return params


def _read(service: ServiceModel, shape: Shape, document: Any) -> Any:
    try:
        return _READER.read(shape, document)
    except BadValue as exc:
        raise _bad_request(service, f"Could not parse request body into json: {exc}") from None


def _parse_payload(
    service: ServiceModel, member: Shape, name: str, body: bytes, params: dict[str, Any]
) -> None:
    if not body:
        return
    if member.type_name == "blob":
        params[name] = body
    elif member.type_name == "string":
        try:
            params[name] = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad_request(service, "The request body is not valid UTF-8") from exc
    else:
        params[name] = _read(service, member, _load_json(service, body))


def _load_json(service: ServiceModel, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise _bad_request(service, f"Could not parse request body into json: {exc}") from exc


def _split_header_list(value: str) -> list[str]:
    """A comma-separated header list; items with commas or quotes arrive double-quoted."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return items


def _parse_header(member: Shape, value: str) -> Any:
    if isinstance(member, ListShape):
        return [parse_scalar(member.member, item) for item in _split_header_list(value)]
    if member.serialization.get("jsonvalue"):
        return json.loads(b64decode(value))
    return parse_scalar(member, value)


# --------------------------------------------------------------------------------------------- responses


def _quote_header_item(text: str) -> str:
    if "," in text or '"' in text:
        return '"' + text.replace('"', '\\"') + '"'
    return text


def _header_text(member: Shape, value: Any) -> str:
    if isinstance(member, ListShape):
        texts = [_header_text(member.member, item) for item in value]
        if member.member.type_name == "string":
            texts = [_quote_header_item(text) for text in texts]
        return ",".join(texts)
    if member.serialization.get("jsonvalue"):
        return b64encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))
    if member.type_name == "string":
        return str(value)
    return format_scalar(member, value, "rfc822")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode("utf-8")


def _event_payload(shape: Shape, value: Any) -> bytes:
    return _dumps(_WRITER.write(shape, value))


def serialize_response(operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
    shape = operation.output_shape
    status = int(operation.http.get("responseCode", 200))
    headers: list[tuple[str, str]] = []
    body = b""
    content_type = CONTENT_TYPE
    if shape is not None:
        payload = shape.serialization.get("payload")
        body_members: dict[str, Any] = {}
        has_body_members = False
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            value = result.get(name)
            if location is None and name != payload:
                has_body_members = True
                if value is not None:
                    body_members[name] = value
            if value is None:
                continue
            if location == "statusCode":
                status = int(value)
            elif location == "header":
                key = member.serialization.get("name", name)
                if key.lower() == "content-type":
                    content_type = _header_text(member, value)
                else:
                    headers.append((key, _header_text(member, value)))
            elif location == "headers":
                prefix = member.serialization.get("name", "")
                headers.extend((prefix + key, str(item)) for key, item in value.items())
        if payload is not None:
            member = shape.members[payload]
            value = result.get(payload)
            if member.serialization.get("eventstream"):
                # rest-json event streams have no initial-response: the other members went into headers.
                return eventstream.stream_response(
                    operation, result, request_id, _event_payload, CONTENT_TYPE, False, headers, status
                )
            if value is None:
                body = b""
            elif member.type_name in ("blob", "string"):
                body = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            else:
                body = _dumps(_WRITER.write(member, value))
        elif has_body_members:
            body = _dumps(_WRITER.write(shape, body_members))
    if status in (204, 304):
        body = b""
    headers[:0] = [("Content-Type", content_type), ("x-amzn-RequestId", request_id)]
    return HttpResponse(status, headers, body)


def serialize_error(service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse:
    wire = resolve(service, error)
    headers = [
        ("Content-Type", CONTENT_TYPE),
        ("x-amzn-RequestId", request_id),
        # botocore reads the rest-json error code from this header only (or a body `code`), never `__type`.
        ("x-amzn-ErrorType", wire.code),
    ]
    members = wire.shape.members if wire.shape is not None else {}
    body: dict[str, Any] = {}
    if "Type" in members and "Type" not in wire.fields:
        # Lambda's errors say who is at fault: {"Type": "User", "message": "..."}.
        body["Type"] = "User" if wire.sender_fault else "Service"
    body[wire.message_key] = wire.message
    for name, value in wire.fields.items():
        member = members.get(name)
        if value is None:
            continue
        if member is None:
            body[name] = value
        elif member.serialization.get("location") == "header":
            headers.append((member.serialization.get("name", name), _header_text(member, value)))
        else:
            body[member.serialization.get("name", name)] = _WRITER.write(member, value)
    return HttpResponse(wire.status, headers, _dumps(body))
