"""The AWS query protocol: form-encoded requests in, XML out (IAM, STS, CloudWatch and legacy SQS).

Requests carry `Action`, `Version` and the input members as flat keys (`Tags.member.1.Key`,
`MessageAttribute.1.Value.StringValue`, `Attributes.entry.1.key`), read here by walking the input shape
over a tree of the dotted keys. Responses are `<{Op}Response>` documents built as strings.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from millpond.errors import AwsError
from millpond.protocol.errors import resolve
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.protocol.shapes import format_scalar, parse_scalar

__all__ = ["form_pairs", "parse_request", "request_action", "serialize_error", "serialize_response"]

CONTENT_TYPE = "text/xml"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_XML_DECLARATION = '<?xml version="1.0"?>'
# AWS escapes quotes and carriage returns too (a raw CR would read back as LF).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;"})


class _Node:
    """One dotted-key component: its value (if the key ends here) and the keys that continue it."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


# ---------------------------------------------------------------------------------------------- requests


def form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    """The request's parameters: the query string, then a form-encoded body."""
    try:
        pairs = parse_qsl(request.query_string, keep_blank_values=True, errors="strict")
        if request.body and request.content_type in (FORM_CONTENT_TYPE, ""):
            pairs += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        # AWS's common errors list MalformedQueryString for an unreadable query string, with HTTP 404.
        raise AwsError("MalformedQueryString", "The query string contains a syntax error.", 404) from exc
    return pairs


def request_action(request: HttpRequest) -> tuple[str | None, str | None]:
    """The `Action` and `Version` of a query request (either may be missing)."""
    action = version = None
    for key, value in form_pairs(request):
        if key == "Action":
            action = value
        elif key == "Version":
            version = value
    return action, version


def parse_request(operation: OperationModel, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    root = _Node()
    for key, value in form_pairs(request):
        node = root
        for part in key.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node()
            node = child
        node.value = value
    return _parse_structure(shape, root, "")


def _member_key(shape: Shape, name: str) -> str:
    """The name a member goes by in keys and elements (a flattened list takes its member's name)."""
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        member_name = shape.member.serialization.get("name")
        if member_name:
            return str(member_name)
    return str(shape.serialization.get("name", name))


def _parse(shape: Shape, node: _Node, path: str) -> Any:
    if isinstance(shape, StructureShape):
        return _parse_structure(shape, node, path + ".")
    if isinstance(shape, ListShape):
        return _parse_list(shape, node, path)
    if isinstance(shape, MapShape):
        return _parse_map(shape, node, path)
    if node.value is None:
        return None
    try:
        return parse_scalar(shape, node.value)
    except ValueError as exc:
        reason = f"Must be a valid {shape.type_name}."
        raise AwsError(
            "InvalidParameterValue",
            f"Value {node.value} for parameter {path} is invalid. Reason: {reason}",
            400,
        ) from exc


def _parse_structure(shape: StructureShape, node: _Node, prefix: str) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    children = node.children
    for name, member in shape.members.items():
        key = _member_key(member, name)
        child = children.get(key)
        if child is None and member.type_name == "list":
            # botocore sends an empty flattened list under the member's own name (`AttributeNames=`).
            key = member.serialization.get("name", name)
            child = children.get(key)
        if child is not None:
            value = _parse(member, child, prefix + key)
            if value is not None:
                parsed[name] = value
    return parsed


def _indexed(node: _Node | None) -> list[_Node]:
    """The `.1`, `.2`, ... children of a node, in index order."""
    if node is None:
        return []
    found = sorted((int(key), child) for key, child in node.children.items() if key.isdecimal())
    return [child for _, child in found]


def _parse_list(shape: ListShape, node: _Node, path: str) -> list[Any] | None:
    if shape.serialization.get("flattened"):
        items, item_path = _indexed(node), path
    else:
        name = shape.member.serialization.get("name", "member")
        items, item_path = _indexed(node.children.get(name)), f"{path}.{name}"
    if not items:
        # An empty list is sent as the bare key with an empty value.
        return [] if node.value == "" else None
    parsed = []
    for index, item in enumerate(items, 1):
        value = _parse(shape.member, item, f"{item_path}.{index}")
        if value is not None:
            parsed.append(value)
    return parsed


def _parse_map(shape: MapShape, node: _Node, path: str) -> dict[str, Any] | None:
    entries = _indexed(node if shape.serialization.get("flattened") else node.children.get("entry"))
    if not entries:
        return {} if node.value == "" else None
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    parsed: dict[str, Any] = {}
    for index, entry in enumerate(entries, 1):
        key_node = entry.children.get(key_name)
        if key_node is None or key_node.value is None:
            raise AwsError(
                "MissingParameter", f"The request must contain the parameter {path}.{index}.{key_name}"
            )
        value_node = entry.children.get(value_name)
        value = _parse(shape.value, value_node, f"{path}.{index}.{value_name}") if value_node else None
        parsed[key_node.value] = value
    return parsed


# --------------------------------------------------------------------------------------------- responses


# Characters XML 1.0 cannot carry at all: dropped, so an error echoing client input stays parseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _escape_echo(text: str) -> str:
    """Escape text that may echo anything a client sent (error messages)."""
    return _NOT_XML.sub("", text).translate(_ESCAPES)


def serialize_response(operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
    name = operation.name
    namespace = operation.service_model.metadata.get("xmlNamespace", "")
    out: list[str] = [_XML_DECLARATION, f'<{name}Response xmlns="{namespace}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper")
        if wrapper:
            out.append(f"<{wrapper}>")
        _write_members(out, shape, result)
        if wrapper:
            out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
    return HttpResponse(200, _headers(request_id), "".join(out).encode("utf-8"))


def _headers(request_id: str) -> list[tuple[str, str]]:
    return [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id)]


def _write_members(out: list[str], shape: StructureShape, value: dict[str, Any]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None:
            _write(out, member, _member_key(member, name), item)


def _write(out: list[str], shape: Shape, tag: str, value: Any) -> None:
    if isinstance(shape, StructureShape):
        out.append(f"<{tag}>")
        _write_members(out, shape, value)
        out.append(f"</{tag}>")
    elif isinstance(shape, ListShape):
        member = shape.member
        if shape.serialization.get("flattened"):
            for item in value:
                _write(out, member, tag, item)
            return
        item_tag = member.serialization.get("name", "member")
        out.append(f"<{tag}>")
        for item in value:
            _write(out, member, item_tag, item)
        out.append(f"</{tag}>")
    elif isinstance(shape, MapShape):
        _write_map(out, shape, tag, value)
    elif shape.type_name == "string":
        out.append(f"<{tag}>{_escape(str(value))}</{tag}>")
    else:
        out.append(f"<{tag}>{_escape(format_scalar(shape, value))}</{tag}>")


def _write_map(out: list[str], shape: MapShape, tag: str, value: dict[str, Any]) -> None:
    key_tag = shape.key.serialization.get("name", "key")
    value_tag = shape.value.serialization.get("name", "value")
    flattened = shape.serialization.get("flattened")
    entry_tag = tag if flattened else "entry"
    if not flattened:
        out.append(f"<{tag}>")
    for key, item in value.items():
        if item is not None:
            out.append(f"<{entry_tag}>")
            _write(out, shape.key, key_tag, key)
            _write(out, shape.value, value_tag, item)
            out.append(f"</{entry_tag}>")
    if not flattened:
        out.append(f"</{tag}>")


# Where AWS words an error differently on the query protocol than on JSON (recorded against SQS).
QUERY_MESSAGES: dict[tuple[str, str, str], str] = {
    (
        "sqs",
        "QueueDoesNotExist",
        "The specified queue does not exist.",
    ): "The specified queue does not exist for this wsdl version.",
}


def serialize_error(service: ServiceModel, error: AwsError, request_id: str) -> HttpResponse:
    wire = resolve(service, error)
    message = QUERY_MESSAGES.get((service.service_name, error.code, wire.message), wire.message)
    namespace = service.metadata.get("xmlNamespace", "")
    fault = "Sender" if wire.sender_fault else "Receiver"
    out = [
        _XML_DECLARATION,
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{fault}</Type>',
        f"<Code>{_escape(wire.query_code)}</Code><Message>{_escape_echo(message)}</Message>",
    ]
    if wire.shape is not None and wire.fields:
        members = wire.shape.members
        for name, item in wire.fields.items():
            member = members.get(name)
            if member is not None and item is not None and name not in ("Code", "Message", "Type"):
                _write(out, member, _member_key(member, name), item)
    out.append(f"<Detail/></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
    return HttpResponse(wire.status, _headers(request_id), "".join(out).encode("utf-8"))
