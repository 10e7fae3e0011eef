"""Dashboards: PutDashboard (with the body validated as AWS does), GetDashboard, ListDashboards and
DeleteDashboards. Dashboards are global: one set per account, with region-less ARNs.

AWS validates the body against a JSON schema and reports each failure as {DataPath, Message} in its
ajv wording ("Should have required property 'widgets'"); the error message lists them as JSON after
"The dashboard body is invalid, there are N validation errors:".
"""

from __future__ import annotations

import json
import re
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.cloudwatch.repository import CloudWatchRepository, Dashboard

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
VIEWS = ("timeSeries", "singleValue", "gauge", "bar", "pie", "table")
MAX_WIDGETS = 500
Messages = list[dict[str, str]]


def dashboard_arn(account: str, name: str) -> str:
    return f"arn:aws:cloudwatch::{account}:dashboard/{name}"


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range(messages: Messages, path: str, value: Any, low: int, high: int | None) -> None:
    if not _integer(value):
        messages.append({"DataPath": path, "Message": "Should be integer"})
    elif value < low:
        messages.append({"DataPath": path, "Message": f"Should be >= {low}"})
    elif high is not None and value > high:
        messages.append({"DataPath": path, "Message": f"Should be <= {high}"})


def _metric_entry(messages: Messages, path: str, entry: Any) -> None:
    if not isinstance(entry, list):
        messages.append({"DataPath": path, "Message": "Should be array"})
        return
    fields = entry[:-1] if entry and isinstance(entry[-1], dict) else entry
    if not fields:
        if not entry or ("expression" not in entry[-1] and "id" not in entry[-1]):
            messages.append({"DataPath": path, "Message": "Should NOT have fewer than 1 items"})
        return
    for index, item in enumerate(fields):
        if not isinstance(item, str):
            message = "Invalid metric field type, only 'String' type is allowed"
            messages.append({"DataPath": f"{path}/{index}", "Message": message})
    if len(fields) == 1:
        messages.append({"DataPath": path, "Message": "Should NOT have fewer than 2 items"})
    elif len(fields) % 2 == 1:
        # Namespace, name, then dimension name/value pairs: a lone name without its value is refused.
        messages.append({"DataPath": path, "Message": f"Should NOT have more than {len(fields) - 1} items"})


def _metric_properties(messages: Messages, path: str, props: dict[str, Any]) -> None:
    if "metrics" not in props:
        messages.append({"DataPath": path, "Message": "Should have required property 'metrics'"})
    elif not isinstance(props["metrics"], list):
        messages.append({"DataPath": f"{path}/metrics", "Message": "Should be array"})
    else:
        for index, entry in enumerate(props["metrics"]):
            _metric_entry(messages, f"{path}/metrics/{index}", entry)
    if "region" not in props:
        messages.append({"DataPath": path, "Message": "Should have required property 'region'"})
    elif not isinstance(props["region"], str):
        messages.append({"DataPath": f"{path}/region", "Message": "Should be string"})
    if "view" in props and props["view"] not in VIEWS:
        messages.append(
            {"DataPath": f"{path}/view", "Message": "Should be equal to one of the allowed values"}
        )
    if "period" in props:
        _range(messages, f"{path}/period", props["period"], 1, None)
    if "stacked" in props and not isinstance(props["stacked"], bool):
        messages.append({"DataPath": f"{path}/stacked", "Message": "Should be boolean"})


def _widget(messages: Messages, path: str, widget: Any) -> None:
    if not isinstance(widget, dict):
        messages.append({"DataPath": path, "Message": "Should be object"})
        return
    if "type" not in widget:
        messages.append({"DataPath": path, "Message": "Should have required property 'type'"})
    elif widget["type"] not in WIDGET_TYPES:
        messages.append(
            {"DataPath": f"{path}/type", "Message": "Should be equal to one of the allowed values"}
        )
    for name, low, high in (("x", 0, 23), ("y", 0, None), ("width", 1, 24), ("height", 1, 1000)):
        if name in widget:
            _range(messages, f"{path}/{name}", widget[name], low, high)
    kind = widget.get("type")
    if kind not in WIDGET_TYPES:
        return
    props = widget.get("properties")
    if props is None:
        if kind != "explorer":
            messages.append({"DataPath": path, "Message": "Should have required property 'properties'"})
        return
    if not isinstance(props, dict):
        messages.append({"DataPath": f"{path}/properties", "Message": "Should be object"})
        return
    ppath = f"{path}/properties"
    if kind == "metric":
        _metric_properties(messages, ppath, props)
    elif kind == "text" and "markdown" not in props:
        messages.append({"DataPath": ppath, "Message": "Should have required property 'markdown'"})
    elif kind == "alarm" and "alarms" not in props:
        messages.append({"DataPath": ppath, "Message": "Should have required property 'alarms'"})
    elif kind == "log" and "query" not in props:
        messages.append({"DataPath": ppath, "Message": "Should have required property 'query'"})


def validate_body(body: str) -> Messages:
    """The validation failures of a dashboard body (empty when AWS would accept it)."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise AwsError(
            "InvalidParameterInput",
            "The field DashboardBody must be a valid JSON object",
            fields={"dashboardValidationMessages": []},
        )
    messages: Messages = []
    widgets = document.get("widgets")
    if "widgets" not in document:
        messages.append({"DataPath": "", "Message": "Should have required property 'widgets'"})
    elif not isinstance(widgets, list):
        messages.append({"DataPath": "/widgets", "Message": "Should be array"})
    else:
        if len(widgets) > MAX_WIDGETS:
            messages.append(
                {"DataPath": "/widgets", "Message": f"Should NOT have more than {MAX_WIDGETS} items"}
            )
        for index, widget in enumerate(widgets):
            _widget(messages, f"/widgets/{index}", widget)
    for name in ("start", "end"):
        if name in document and not isinstance(document[name], str):
            messages.append({"DataPath": f"/{name}", "Message": "Should be string"})
    if "periodOverride" in document and document["periodOverride"] not in ("auto", "inherit"):
        messages.append(
            {"DataPath": "/periodOverride", "Message": "Should be equal to one of the allowed values"}
        )
    return messages


def invalid_body(messages: Messages) -> AwsError:
    listed = json.dumps([{"dataPath": m["DataPath"], "message": m["Message"]} for m in messages], indent=2)
    return AwsError(
        "InvalidParameterInput",
        f"The dashboard body is invalid, there are {len(messages)} validation errors:\n{listed}",
        fields={"dashboardValidationMessages": messages},
    )


class Dashboards:
    def __init__(self, repository: CloudWatchRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock

    async def put_dashboard(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["DashboardName"]
        if not _NAME.match(name):
            raise AwsError(
                "InvalidParameterValue",
                "The value for field DashboardName contains invalid characters. It can only contain "
                "alphanumerics, dash (-) and underscore (_).",
            )
        body = params["DashboardBody"]
        messages = validate_body(body)
        if messages:
            raise invalid_body(messages)
        await self.repository.put_dashboard(ctx.account_id, Dashboard(name, body, self.clock.now()))
        return {"DashboardValidationMessages": []}

    def get_dashboard(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("DashboardName") or ""
        found = self.repository.get_dashboard(ctx.account_id, name)
        if found is None:
            raise AwsError("ResourceNotFound", "Dashboard does not exist")
        return {
            "DashboardArn": dashboard_arn(ctx.account_id, name),
            "DashboardBody": found.body,
            "DashboardName": name,
        }

    def list_dashboards(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("DashboardNamePrefix") or ""
        entries = [
            {
                "DashboardName": d.name,
                "DashboardArn": dashboard_arn(ctx.account_id, d.name),
                "LastModified": d.last_modified,
                "Size": len(d.body.encode()),
            }
            for d in self.repository.list_dashboards(ctx.account_id, prefix)
        ]
        return {"DashboardEntries": entries}

    async def delete_dashboards(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        names = list(params.get("DashboardNames") or [])
        missing = [n for n in names if self.repository.get_dashboard(ctx.account_id, n) is None]
        if missing:
            # AWS deletes none when any is missing.
            raise AwsError(
                "ResourceNotFound", f"The specified dashboard does not exist. [{', '.join(missing)}]"
            )
        await self.repository.delete_dashboards(ctx.account_id, names)
        return {}
