"""PATCH operations (UpdateRestApi, UpdateStage, UpdateMethod, ...): JSON-Pointer paths on a document.

Each update operation names which paths it takes: plain members ("/description"), map entries
("/variables/{name}") and set-like string lists ("/binaryMediaTypes/{type}"). `~1` stands for `/` and
`~0` for `~` in a path segment, as in JSON Pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from millpond.services.apigateway.common import bad_request

Kind = Literal["string", "boolean", "integer", "map", "list", "strings_list"]

OPS = ("add", "remove", "replace", "move", "copy", "test")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def _convert(kind: Kind, value: Any, path: str) -> Any:
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text not in ("true", "false"):
            raise bad_request(f"Invalid value '{value}' for boolean at {path}")
        return text == "true"
    if kind == "integer":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"Invalid value '{value}' for integer at {path}") from None
    return value


def apply(document: dict[str, Any], operations: list[dict[str, Any]], fields: Mapping[str, Kind]) -> None:
    """Apply `operations` to `document` in place; `fields` maps member names to their kind."""
    for operation in operations or []:
        op = operation.get("op")
        path = operation.get("path") or ""
        value = operation.get("value")
        if op not in OPS:
            raise bad_request(f"Invalid patch operation specified. Must be one of: {list(OPS)}")
        parts = [_unescape(p) for p in path.split("/")[1:]] if path.startswith("/") else []
        if not parts or parts[0] not in fields:
            raise bad_request(
                f"Invalid patch path '{path}' specified for op '{op}'. Must be one of: "
                f"{['/' + name for name in fields]}"
            )
        name, rest = parts[0], parts[1:]
        kind = fields[name]
        if op in ("move", "copy", "test"):
            raise bad_request(
                f"Invalid patch operation specified. Must be 'add'|'remove'|'replace' for {path}"
            )
        if kind in ("map", "strings_list") and rest:
            key = "/".join(rest)
            if kind == "map":
                entries = document.setdefault(name, {})
                if op == "remove":
                    entries.pop(key, None)
                else:
                    entries[key] = value
                if not entries:
                    document.pop(name, None)
            else:
                items = document.setdefault(name, [])
                if op == "remove":
                    if key in items:
                        items.remove(key)
                elif key not in items:
                    items.append(key)
                if not items:
                    document.pop(name, None)
            continue
        if rest:
            raise bad_request(f"Invalid patch path '{path}' specified for op '{op}'")
        if op == "remove":
            document.pop(name, None)
        else:
            document[name] = _convert(kind, value, path)
