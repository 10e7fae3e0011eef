"""Find the rest-json operation for a method and path, from each operation's `http.requestUri`.

The index is a tree of path segments built once per service model: literal segments beat `{Label}`
(one non-empty segment), which beats `{Label+}` (greedy, one or more segments). A requestUri's literal query
(`/restapis?mode=import`) must be present in the request, and such operations win over the same path
without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel

__all__ = ["literal_query", "match_operation"]


@dataclass(slots=True)
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    labels: dict[str, _Node] = field(default_factory=dict)
    greedy: dict[str, _Node] = field(default_factory=dict)
    # Operations whose path ends here, with the query pairs each requires (most demanding first).
    operations: list[tuple[tuple[tuple[str, str], ...], OperationModel]] = field(default_factory=list)


_INDEXES: dict[int, tuple[ServiceModel, dict[str, _Node]]] = {}


def literal_query(operation: OperationModel) -> tuple[tuple[str, str], ...]:
    """The `key=value` pairs fixed in an operation's requestUri (`?mode=import`)."""
    _, _, query = operation.http["requestUri"].partition("?")
    return tuple(parse_qsl(query, keep_blank_values=True))


def _index(service: ServiceModel) -> dict[str, _Node]:
    cached = _INDEXES.get(id(service))
    if cached is not None and cached[0] is service:
        return cached[1]
    roots: dict[str, _Node] = {}
    for name in service.operation_names:
        operation = service.operation_model(name)
        path = operation.http["requestUri"].partition("?")[0]
        node = roots.setdefault(operation.http.get("method", "POST").upper(), _Node())
        for segment in path.lstrip("/").split("/"):
            if segment.startswith("{") and segment.endswith("+}"):
                node = node.greedy.setdefault(segment[1:-2], _Node())
            elif segment.startswith("{") and segment.endswith("}"):
                node = node.labels.setdefault(segment[1:-1], _Node())
            else:
                node = node.literals.setdefault(segment, _Node())
        node.operations.append((literal_query(operation), operation))
        node.operations.sort(key=lambda entry: -len(entry[0]))
    _INDEXES[id(service)] = (service, roots)
    return roots


def match_operation(
    service: ServiceModel, method: str, raw_path: str, query_string: str | None = None
) -> tuple[OperationModel, dict[str, str]] | None:
    """The operation a request is for and its URI labels (percent-decoded), or None.

    `raw_path` is the path as sent (still percent-encoded); the query string may follow a `?` in it or
    come as `query_string`. A greedy label takes as few segments as lets the rest of the path match.
    """
    path, _, in_path_query = raw_path.partition("?")
    query = "&".join(part for part in (in_path_query, query_string) if part)
    root = _index(service).get(method.upper())
    if root is None:
        return None
    pairs = set(parse_qsl(query, keep_blank_values=True)) if query else set()
    segments = path.lstrip("/").split("/")
    found = _match(root, segments, 0, pairs, {})
    if found is None and len(segments) > 1 and segments[-1] == "":
        # Tolerate a trailing slash the model does not have.
        found = _match(root, segments[:-1], 0, pairs, {})
    return found


def _match(
    node: _Node, segments: list[str], index: int, pairs: set[tuple[str, str]], labels: dict[str, str]
) -> tuple[OperationModel, dict[str, str]] | None:
    if index == len(segments):
        for required, operation in node.operations:
            if all(pair in pairs for pair in required):
                return operation, dict(labels)
        return None
    raw = segments[index]
    child = node.literals.get(raw)
    if child is None and "%" in raw:
        child = node.literals.get(unquote(raw))
    if child is not None:
        found = _match(child, segments, index + 1, pairs, labels)
        if found is not None:
            return found
    if not raw:
        return None
    for name, child in node.labels.items():
        labels[name] = unquote(raw)
        found = _match(child, segments, index + 1, pairs, labels)
        del labels[name]
        if found is not None:
            return found
    for name, child in node.greedy.items():
        for end in range(index + 1, len(segments) + 1):
            labels[name] = unquote("/".join(segments[index:end]))
            found = _match(child, segments, end, pairs, labels)
            del labels[name]
            if found is not None:
                return found
    return None
