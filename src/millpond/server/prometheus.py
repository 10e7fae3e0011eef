"""GET /_millpond/metrics: CloudWatch's metrics in the Prometheus text exposition format (version 0.0.4).

Each CloudWatch metric becomes a gauge family named <namespace>_<metric> in snake case (AWS/SQS
NumberOfMessagesSent -> aws_sqs_number_of_messages_sent), one sample per statistic of its newest
1-minute datapoint, labelled with the statistic, its dimensions (snake case) and its unit. Metrics idle for
3 hours drop out, as they leave ListMetrics' RecentlyActive view.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from millpond.protocol.http import HttpResponse
from millpond.services.cloudwatch.provider import CloudWatchProvider

if TYPE_CHECKING:
    from millpond.server.wiring import System

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STATISTICS = ("Sum", "SampleCount", "Average", "Minimum", "Maximum")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_INVALID = re.compile(r"[^a-zA-Z0-9_]+")


def snake(text: str) -> str:
    name = _INVALID.sub("_", _CAMEL.sub("_", text)).strip("_").lower()
    return name if name and not name[0].isdigit() else f"_{name}"


def label(dimension: str) -> str:
    name = snake(dimension)
    return f"dimension_{name}" if name in ("statistic", "unit") else name


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


async def exposition(system: System) -> HttpResponse:
    provider = system.providers.get("cloudwatch")
    families: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    if isinstance(provider, CloudWatchProvider):
        for key, _timestamp, unit, aggregate in await provider.latest(
            system.settings.account_id, system.settings.region
        ):
            family = f"{snake(key.namespace)}_{snake(key.name)}"
            helps.setdefault(family, f"CloudWatch {key.namespace} {key.name}, newest 1-minute datapoint")
            labels = [(label(name), value) for name, value in key.dimensions] + [("unit", unit)]
            for stat in STATISTICS:
                value = aggregate.statistic(stat)
                if value is None:
                    continue
                text = ",".join(f'{name}="{escape(v)}"' for name, v in [("statistic", stat), *labels])
                families.setdefault(family, []).append(f"{family}{{{text}}} {number(value)}")
    lines: list[str] = []
    for family in sorted(families):
        lines += [f"# HELP {family} {helps[family]}", f"# TYPE {family} gauge", *families[family]]
    body = ("\n".join(lines) + "\n").encode() if lines else b""
    return HttpResponse(200, [("Content-Type", CONTENT_TYPE)], body)
