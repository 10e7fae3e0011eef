"""XML documents to and from botocore shapes, as the rest-xml protocol (S3) lays them out.

Member element names come from `locationName` (else the member name); lists are wrapped (items named by
the member shape's locationName, else `member`) or `flattened` (repeated elements); maps use
`entry/key/value`; `xmlAttribute` members are attributes; `xmlNamespace` adds an xmlns. Body timestamps are
ISO 8601, blobs base64. The reader mirrors botocore's XML parser, the writer botocore's serializer.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from botocore.model import ListShape, MapShape, Shape, StructureShape

from millpond.protocol.shapes import format_scalar, parse_scalar

__all__ = ["BadXml", "parse_document", "read_element", "write_document", "write_element"]

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;"})
_NAMESPACE = re.compile(r"^\{[^}]*\}")


class BadXml(ValueError):
    """The document is not well-formed XML, or a value does not fit its shape."""


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


# ------------------------------------------------------------------------------------------------ reading


def parse_document(body: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise BadXml(str(exc)) from exc


def _tag(node: ElementTree.Element) -> str:
    return _NAMESPACE.sub("", node.tag)


def _member_key(shape: Shape, name: str) -> str:
    if isinstance(shape, ListShape) and shape.serialization.get("flattened"):
        item_name = shape.member.serialization.get("name")
        if item_name is not None:
            return str(item_name)
    return str(shape.serialization.get("name", name))


def read_element(shape: Shape, node: ElementTree.Element | list[ElementTree.Element]) -> Any:
    """The value of `node` (a list of nodes for a flattened list) as `shape` reads it."""
    if isinstance(shape, StructureShape):
        element = node[0] if isinstance(node, list) else node
        return _read_structure(shape, element)
    if isinstance(shape, ListShape):
        if shape.serialization.get("flattened"):
            nodes = node if isinstance(node, list) else [node]
            return [read_element(shape.member, item) for item in nodes]
        element = node[0] if isinstance(node, list) else node
        return [read_element(shape.member, item) for item in element]
    if isinstance(shape, MapShape):
        return _read_map(shape, node)
    element = node[-1] if isinstance(node, list) else node
    text = element.text or ""
    if shape.type_name == "string":
        return text
    try:
        return parse_scalar(shape, text.strip())
    except ValueError as exc:
        raise BadXml(f"Invalid value for {_tag(element)}: {exc}") from exc


def _read_structure(shape: StructureShape, node: ElementTree.Element) -> dict[str, Any]:
    children: dict[str, list[ElementTree.Element]] = {}
    for child in node:
        children.setdefault(_tag(child), []).append(child)
    attributes = {_NAMESPACE.sub("xsi:", key): value for key, value in node.attrib.items()}
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        if "location" in member.serialization:
            continue
        if member.serialization.get("xmlAttribute"):
            attr = member.serialization.get("name", name)
            if attr in attributes:
                out[name] = attributes[attr]
            continue
        found = children.get(_member_key(member, name))
        if found is None:
            continue
        flattened = isinstance(member, ListShape | MapShape) and member.serialization.get("flattened")
        out[name] = read_element(member, found if flattened else found[0])
    return out


def _read_map(shape: MapShape, node: ElementTree.Element | list[ElementTree.Element]) -> dict[str, Any]:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    if shape.serialization.get("flattened"):
        entries = node if isinstance(node, list) else [node]
    else:
        element = node[0] if isinstance(node, list) else node
        entries = list(element)
    out: dict[str, Any] = {}
    for entry in entries:
        key = value = None
        for child in entry:
            if _tag(child) == key_name:
                key = read_element(shape.key, child)
            elif _tag(child) == value_name:
                value = read_element(shape.value, child)
        if key is not None:
            out[key] = value
    return out


# ------------------------------------------------------------------------------------------------ writing


def _namespace_attr(shape: Shape) -> str:
    namespace = shape.serialization.get("xmlNamespace")
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape(namespace)}"'
    prefix = namespace.get("prefix")
    uri = escape(namespace.get("uri", ""))
    return f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"'


def write_document(shape: Shape, tag: str, value: Any, namespace: str | None = None) -> bytes:
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    extra = (
        f' xmlns="{escape(namespace)}"' if namespace and not shape.serialization.get("xmlNamespace") else ""
    )
    write_element(out, shape, tag, value, extra)
    return "".join(out).encode("utf-8")


def write_element(out: list[str], shape: Shape, tag: str, value: Any, extra: str = "") -> None:
    if value is None:
        return
    if isinstance(shape, StructureShape):
        attrs = extra + _namespace_attr(shape)
        inner: list[str] = []
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None or "location" in member.serialization:
                continue
            if member.serialization.get("xmlAttribute"):
                attr = member.serialization.get("name", name)
                attrs += f' {attr}="{escape(str(item))}"'
                continue
            key = member.serialization.get("name", name)
            if isinstance(member, ListShape) and member.serialization.get("flattened"):
                key = member.member.serialization.get("name", key)
            write_element(inner, member, key, item)
        out.append(f"<{tag}{attrs}>")
        out.extend(inner)
        out.append(f"</{tag}>")
    elif isinstance(shape, ListShape):
        if shape.serialization.get("flattened"):
            for item in value:
                write_element(out, shape.member, tag, item)
            return
        item_tag = shape.member.serialization.get("name", "member")
        out.append(f"<{tag}{extra}>")
        for item in value:
            write_element(out, shape.member, item_tag, item)
        out.append(f"</{tag}>")
    elif isinstance(shape, MapShape):
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        flattened = shape.serialization.get("flattened")
        if not flattened:
            out.append(f"<{tag}{extra}>")
        for key, item in value.items():
            out.append(f"<{tag}>" if flattened else "<entry>")
            write_element(out, shape.key, key_tag, key)
            write_element(out, shape.value, value_tag, item)
            out.append(f"</{tag}>" if flattened else "</entry>")
        if not flattened:
            out.append(f"</{tag}>")
    else:
        text = value if shape.type_name == "string" else format_scalar(shape, value, "iso8601")
        out.append(f"<{tag}{extra}>{escape(str(text))}</{tag}>")
