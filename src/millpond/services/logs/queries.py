"""Logs Insights operations: StartQuery runs the query over the groups' events in its time range and
stores the rows (Complete at once: a local group is small), GetQueryResults pages them, StopQuery and
DescribeQueries report on them. Queries are kept in storage, so any node can answer for them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from millpond.errors import AwsError
from millpond.services.logs import insights
from millpond.services.logs.repository import LogFiltersRepository, LogsRepository, QueryRecord

SCAN_LIMIT = 1_000_000  # events read for one query at the most
MAX_GROUPS = 50
DEFAULT_ROWS = 1000  # StartQuery's limit when neither the call nor the query sets one


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _group_names(params: dict[str, Any]) -> list[str]:
    given = [params["logGroupName"]] if params.get("logGroupName") else []
    given += params.get("logGroupNames") or []
    given += params.get("logGroupIdentifiers") or []
    names = []
    for name in given:
        if name.startswith("arn:"):
            name = name.split(":log-group:", 1)[-1].removesuffix(":*")
        names.append(name)
    return names


class LogQueries:
    def __init__(
        self, events: LogsRepository, store: LogFiltersRepository, now_ms: Callable[[], int]
    ) -> None:
        self.events = events
        self.store = store
        self.now_ms = now_ms

    async def start_query(self, params: dict[str, Any]) -> dict[str, Any]:
        language = params.get("queryLanguage") or "CWLI"
        if language != "CWLI":
            raise _invalid(f"millpond runs Logs Insights QL (CWLI) queries, not {language}")
        groups = _group_names(params)
        if not groups:
            raise _invalid("At least one of logGroupName, logGroupNames or logGroupIdentifiers is required")
        if len(groups) > MAX_GROUPS:
            raise _invalid(f"A query can search at most {MAX_GROUPS} log groups")
        for group in groups:
            if self.events.get_group(group) is None:
                raise AwsError("ResourceNotFoundException", f"Log group '{group}' does not exist")
        start, end = int(params["startTime"]), int(params["endTime"])
        if end < start:
            raise _invalid("endTime must be greater than or equal to startTime")
        try:
            query = insights.parse(params["queryString"])
        except insights.QuerySyntaxError as error:
            raise AwsError("MalformedQueryException", f"Query is malformed: {error}") from None
        if query.limit is None:
            query.limit = int(params.get("limit") or DEFAULT_ROWS)
        rows: list[dict[str, Any]] = []
        scanned_bytes = 0
        for group in groups:
            # Insights takes its times in epoch seconds; events carry milliseconds (the end is inclusive).
            for event in self.events.read_events(
                group, None, start * 1000, end * 1000 + 1000, None, None, SCAN_LIMIT, False
            ):
                scanned_bytes += len(event.message.encode())
                rows.append(
                    {
                        "timestamp": event.timestamp,
                        "ingestion": event.ingestion,
                        "message": event.message,
                        "stream": event.stream,
                        "group": group,
                        "ptr": f"{group}:{event.timestamp}:{event.id}",  # what GetLogRecord reads back
                    }
                )
        results = insights.run(query, rows)
        record = QueryRecord(
            id=str(uuid.uuid4()),
            query=params["queryString"],
            groups=groups,
            start=start,
            end=end,
            limit=query.limit,
            status="Complete",
            created=self.now_ms(),
            results=results,
            statistics={
                "recordsMatched": float(len(results)),
                "recordsScanned": float(len(rows)),
                "bytesScanned": float(scanned_bytes),
                "logGroupsScanned": float(len(groups)),
            },
        )
        await self.store.save_query(record)
        return {"queryId": record.id}

    def _query(self, query_id: str) -> QueryRecord:
        record = self.store.get_query(query_id)
        if record is None:
            raise AwsError("ResourceNotFoundException", f"Query does not exist: {query_id}")
        return record

    def get_query_results(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._query(params["queryId"])
        return {
            "queryLanguage": "CWLI",
            "results": record.results,
            "statistics": record.statistics,
            "status": record.status,
        }

    async def stop_query(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._query(params["queryId"])
        if record.status not in ("Scheduled", "Running"):
            # AWS refuses to stop a query that is no longer running.
            raise _invalid(f"Query {record.id} is not running (status {record.status})")
        record.status = "Cancelled"
        await self.store.save_query(record)
        return {"success": True}

    def describe_queries(self, params: dict[str, Any]) -> dict[str, Any]:
        limit = min(int(params.get("maxResults") or 1000), 1000)
        records = self.store.list_queries(params.get("logGroupName"), params.get("status"), limit)
        return {
            "queries": [
                {
                    "queryLanguage": "CWLI",
                    "queryId": r.id,
                    "queryString": r.query,
                    "status": r.status,
                    "createTime": r.created,
                    "logGroupName": r.groups[0],
                }
                for r in records
            ]
        }
