"""The CloudWatch Logs operations beyond groups, streams and events: metric and subscription filters, Logs
Insights, stored policies and definitions, export tasks to S3, ListLogGroups, GetLogGroupFields and
GetLogRecord. Thin: each hands over to filters.py, queries.py, documents.py or export_tasks.py;
LogsProvider inherits them."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.logs import insights
from millpond.services.logs.documents import LogDocuments
from millpond.services.logs.export_tasks import ExportTasks
from millpond.services.logs.filters import LogFilters
from millpond.services.logs.queries import LogQueries
from millpond.services.logs.repository import LogGroup, LogsRepository

FIELD_SAMPLE = 1000  # events GetLogGroupFields looks at


class LogsOperations:
    repository: LogsRepository
    filters: LogFilters
    queries: LogQueries
    documents: LogDocuments
    exports: ExportTasks

    def _require_group(self, name: str) -> LogGroup:
        raise NotImplementedError

    def _arn(self, ctx: RequestContext, group: str) -> str:
        raise NotImplementedError

    # -- metric filters, subscription filters ----------------------------------------------------------

    async def put_metric_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self._require_group(params["logGroupName"]).name
        return await self.filters.put_metric_filter(params, group)

    def describe_metric_filters(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = params.get("logGroupName")
        if group is not None:
            self._require_group(group)
        return self.filters.describe_metric_filters(params, group)

    async def delete_metric_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self._require_group(params["logGroupName"]).name
        return await self.filters.delete_metric_filter(group, params["filterName"])

    def test_metric_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.filters.test_metric_filter(params)

    async def put_subscription_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self._require_group(params["logGroupName"]).name
        return await self.filters.put_subscription_filter(params, group)

    def describe_subscription_filters(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self._require_group(params["logGroupName"]).name
        return self.filters.describe_subscription_filters(params, group)

    async def delete_subscription_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self._require_group(params["logGroupName"]).name
        return await self.filters.delete_subscription_filter(group, params["filterName"])

    # -- Logs Insights -----------------------------------------------------------------------------------

    async def start_query(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.queries.start_query(params)

    def get_query_results(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.queries.get_query_results(params)

    async def stop_query(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.queries.stop_query(params)

    def describe_queries(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.queries.describe_queries(params)

    def get_log_group_fields(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("logGroupName") or params.get("logGroupIdentifier") or ""
        if name.startswith("arn:"):
            name = name.split(":log-group:", 1)[-1].removesuffix(":*")
        self._require_group(name)
        events = self.repository.read_events(name, None, None, None, None, None, FIELD_SAMPLE, True)
        counts: Counter[str] = Counter()
        for event in events:
            row = {
                "timestamp": event.timestamp,
                "ingestion": event.ingestion,
                "message": event.message,
                "stream": event.stream,
                "group": name,
                "ptr": "",
            }
            counts.update(
                k for k in insights.event_fields(row) if k not in ("@ptr", "@log", "@ingestionTime")
            )
        total = max(len(events), 1)
        fields = [{"name": k, "percent": round(100 * v / total)} for k, v in sorted(counts.items())]
        return {"logGroupFields": fields}

    def get_log_record(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = re.fullmatch(r"(?P<group>[^:]+):(?P<stamp>\d+):(?P<id>\d+)", params["logRecordPointer"])
        if found is None:
            raise AwsError("InvalidParameterException", "The specified logRecordPointer is invalid.")
        group, stamp = found["group"], int(found["stamp"])
        self._require_group(group)
        for event in self.repository.read_events(group, None, stamp, stamp + 1, None, None, 10_000, False):
            if event.id == int(found["id"]):
                row = {
                    "timestamp": event.timestamp,
                    "ingestion": event.ingestion,
                    "message": event.message,
                    "stream": event.stream,
                    "group": group,
                    "ptr": params["logRecordPointer"],
                }
                record = insights.event_fields(row)
                record.pop("@ptr", None)
                return {"logRecord": {k: insights.cell_text(v, k) for k, v in record.items()}}
        raise AwsError("ResourceNotFoundException", "The specified log record does not exist.")

    def list_log_groups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pattern = (params.get("logGroupNamePattern") or "").lower()
        wanted_class = params.get("logGroupClass")
        limit = min(int(params.get("limit") or 50), 1000)
        groups = [
            g
            for g in self.repository.list_groups("", params.get("nextToken") or "", 100_000)
            if pattern in g.name.lower()
        ]
        if wanted_class not in (None, "STANDARD"):
            groups = []  # every millpond group is STANDARD
        page = groups[:limit]
        result: dict[str, Any] = {
            "logGroups": [
                {"logGroupName": g.name, "logGroupArn": self._arn(ctx, g.name), "logGroupClass": "STANDARD"}
                for g in page
            ]
        }
        if len(groups) > limit:
            result["nextToken"] = page[-1].name
        return result

    # -- stored documents --------------------------------------------------------------------------------

    async def put_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.put_resource_policy(params)

    def describe_resource_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.documents.describe_resource_policies(params)

    async def delete_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.delete_resource_policy(params)

    async def put_data_protection_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.put_data_protection_policy(params)

    def get_data_protection_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.documents.get_data_protection_policy(params)

    async def delete_data_protection_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self.documents.delete_data_protection_policy(params)

    async def put_account_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.put_account_policy(ctx, params)

    def describe_account_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.documents.describe_account_policies(params)

    async def delete_account_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.delete_account_policy(params)

    async def put_query_definition(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.put_query_definition(params)

    def describe_query_definitions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.documents.describe_query_definitions(params)

    async def delete_query_definition(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.delete_query_definition(params)

    async def put_destination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.put_destination(ctx, params)

    async def put_destination_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.put_destination_policy(params)

    def describe_destinations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.documents.describe_destinations(params)

    async def delete_destination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.delete_destination(params)

    async def associate_kms_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.associate_kms_key(params)

    async def disassociate_kms_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.documents.disassociate_kms_key(params)

    # -- export tasks ------------------------------------------------------------------------------------

    async def create_export_task(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.exports.create_export_task(params)

    def describe_export_tasks(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.exports.describe_export_tasks(params)

    async def cancel_export_task(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.exports.cancel_export_task(params)
