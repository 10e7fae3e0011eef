"""Tags on REST APIs and stages, by ARN: arn:aws:apigateway:<region>::/restapis/<id>[/stages/<name>]."""

from __future__ import annotations

import re
from typing import Any

from millpond.context import RequestContext
from millpond.services.apigateway import stages
from millpond.services.apigateway.common import bad_request
from millpond.services.apigateway.repository import RestApiRecord

ARN = re.compile(r"^arn:[^:]+:apigateway:[^:]*::/restapis/(?P<api>[^/]+)(?:/stages/(?P<stage>[^/]+))?$")


def parse_arn(ctx: RequestContext, arn: str) -> tuple[str, str | None]:
    found = ARN.match(arn)
    if found is None:
        raise bad_request(f"Invalid ARN specified in the request: {arn}")
    return found.group("api"), found.group("stage")


def _owner(record: RestApiRecord, stage: str | None) -> dict[str, Any]:
    if stage is None:
        return record.api
    stages.get(record, stage)
    return record.stages[stage]


def tag(record: RestApiRecord, stage: str | None, new: dict[str, str]) -> None:
    owner = _owner(record, stage)
    current = dict(owner.get("tags") or {})
    current.update(new)
    owner["tags"] = current


def untag(record: RestApiRecord, stage: str | None, keys: list[str]) -> None:
    owner = _owner(record, stage)
    current = {k: v for k, v in dict(owner.get("tags") or {}).items() if k not in keys}
    if current:
        owner["tags"] = current
    else:
        owner.pop("tags", None)


def listed(record: RestApiRecord, stage: str | None) -> dict[str, str]:
    return dict(_owner(record, stage).get("tags") or {})
