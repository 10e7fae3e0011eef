"""What IAM checks for each operation: the action and the resource ARN(s), per service.

Each service module holds a table (resource kind -> operations; renamed actions) built from the Service
Authorization Reference, and `arns(kind, call)` turning a request's parameters into the ARNs the action is
checked against. `checks_for(call)` is the one entry point; an operation no table names is a bug (a test
walks botocore's operation lists).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

ANY = "*"
NONE = "none"  # the kind of operations AWS authorises for anyone who signed the request


@dataclass(frozen=True)
class Call:
    """One parsed request, as the tables need it."""

    service: str
    operation: str
    params: Mapping[str, Any]
    region: str
    account: str
    caller_arn: str = ""  # IAM operations without UserName act on the calling user
    http_method: str = ""
    path: str = ""


@dataclass(frozen=True)
class Check:
    """One action on one resource that must be allowed, with the request keys it brings."""

    action: str
    resource: str = ANY
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)


def kinds(resources: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """operation -> resource kind, from a table grouped by kind."""
    return {op: kind for kind, ops in resources.items() for op in ops}


def request_tags(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """aws:RequestTag/<key> and aws:TagKeys from the tags a request carries (a map or Key/Value list)."""
    context: dict[str, list[str]] = {}
    keys: list[str] = []
    for name in ("Tags", "tags"):
        tags = params.get(name)
        pairs: list[tuple[str, str]] = []
        if isinstance(tags, Mapping):
            pairs = [(str(k), str(v)) for k, v in tags.items()]
        elif isinstance(tags, list):
            pairs = [(str(t.get("Key", "")), str(t.get("Value", ""))) for t in tags if isinstance(t, Mapping)]
        for key, value in pairs:
            context[f"aws:RequestTag/{key}"] = [value]
            keys.append(key)
    for name in ("TagKeys", "tagKeys"):
        found = params.get(name)
        if isinstance(found, list):
            keys += [str(k) for k in found]
    if keys:
        context["aws:TagKeys"] = keys
    return context


# service -> its table module (imported on first use: the modules import this one)
MODULES = {
    "sqs": "sqs",
    "kinesis": "kinesis",
    "lambda": "lambda_",
    "logs": "logs",
    "iam": "iam",
    "sts": "sts",
    "cloudwatch": "cloudwatch",
    "apigateway": "apigateway",
    "sns": "sns",
    "s3": "s3",
}


_TABLES: dict[str, ModuleType] = {}


def table(service: str) -> ModuleType:
    if service not in _TABLES:
        _TABLES[service] = importlib.import_module(f"{__name__}.{MODULES[service]}")
    return _TABLES[service]


def covered(service: str) -> frozenset[str]:
    """The operations a service's table names."""
    module = table(service)
    return frozenset(module.KIND_OF)


def checks_for(call: Call) -> list[Check]:
    """The checks AWS makes for `call`; empty when nothing is checked (sts:GetCallerIdentity)."""
    module = table(call.service)
    custom: Callable[[Call], list[Check]] | None = getattr(module, "checks", None)
    if custom is not None:
        return custom(call)
    return standard_checks(module, call)


def standard_checks(module: ModuleType, call: Call) -> list[Check]:
    kind = module.KIND_OF.get(call.operation, ANY)
    if kind == NONE:
        return []
    action = f"{module.PREFIX}:{module.ACTIONS.get(call.operation, call.operation)}"
    context = request_tags(call.params)
    extra: Callable[[Call], Mapping[str, list[str]]] | None = getattr(module, "context", None)
    if extra is not None:
        context.update(extra(call))
    resources = module.arns(kind, call) if kind != ANY else [ANY]
    return [Check(action, resource, context) for resource in resources or [ANY]]
