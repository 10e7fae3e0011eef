"""CloudWatch Logs' metric filters, subscription filters, Logs Insights queries and stored documents
(policies, query definitions, destinations) in SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from millpond.services.logs.metric_filters import MetricFilter, parse_transformations
from millpond.services.logs.repository import LogFiltersRepository, QueryRecord
from millpond.services.logs.subscriptions import SubscriptionFilter
from millpond.storage.engine import Engine

_METRIC = "SELECT log_group, name, pattern, transformations, created FROM log_metric_filters"
_SUBSCRIPTION = (
    "SELECT log_group, name, pattern, destination, role_arn, distribution, created "
    "FROM log_subscription_filters"
)
_QUERY = (
    "SELECT id, query, groups, start_time, end_time, max_rows, status, created, results, statistics "
    "FROM log_queries"
)


def _metric(row: tuple[Any, ...]) -> MetricFilter:
    return MetricFilter(row[0], row[1], row[2], parse_transformations(json.loads(row[3])), row[4])


def _query(row: tuple[Any, ...]) -> QueryRecord:
    return QueryRecord(
        row[0],
        row[1],
        json.loads(row[2]),
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        json.loads(row[8]),
        json.loads(row[9]),
    )


class SqliteLogFiltersRepository(LogFiltersRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _all(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        return self._engine.read(lambda conn: conn.execute(sql, args).fetchall())

    # -- metric filters ------------------------------------------------------------------------------------

    async def put_metric_filter(self, metric_filter: MetricFilter) -> None:
        transformations = json.dumps([t.describe() for t in metric_filter.transformations])

        def put(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO log_metric_filters (log_group, name, pattern, transformations, created) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (log_group, name) DO UPDATE SET "
                "pattern = excluded.pattern, transformations = excluded.transformations",
                (
                    metric_filter.group,
                    metric_filter.name,
                    metric_filter.pattern,
                    transformations,
                    metric_filter.created,
                ),
            )

        await self._engine.write(put)

    def metric_filters(self, group: str | None = None) -> list[MetricFilter]:
        if group is None:
            return [_metric(r) for r in self._all(_METRIC + " ORDER BY log_group, name", ())]
        return [_metric(r) for r in self._all(_METRIC + " WHERE log_group = ? ORDER BY name", (group,))]

    async def delete_metric_filter(self, group: str, name: str) -> bool:
        sql = "DELETE FROM log_metric_filters WHERE log_group = ? AND name = ?"
        return await self._engine.write(lambda conn: conn.execute(sql, (group, name)).rowcount > 0)

    # -- subscription filters ------------------------------------------------------------------------------

    async def put_subscription_filter(self, subscription: SubscriptionFilter) -> None:
        s = subscription

        def put(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO log_subscription_filters "
                "(log_group, name, pattern, destination, role_arn, distribution, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (log_group, name) DO UPDATE SET "
                "pattern = excluded.pattern, destination = excluded.destination, "
                "role_arn = excluded.role_arn, distribution = excluded.distribution",
                (s.group, s.name, s.pattern, s.destination_arn, s.role_arn, s.distribution, s.created),
            )

        await self._engine.write(put)

    def subscription_filters(self, group: str | None = None) -> list[SubscriptionFilter]:
        if group is None:
            rows = self._all(_SUBSCRIPTION + " ORDER BY log_group, name", ())
        else:
            rows = self._all(_SUBSCRIPTION + " WHERE log_group = ? ORDER BY name", (group,))
        return [SubscriptionFilter(*row) for row in rows]

    async def delete_subscription_filter(self, group: str, name: str) -> bool:
        sql = "DELETE FROM log_subscription_filters WHERE log_group = ? AND name = ?"
        return await self._engine.write(lambda conn: conn.execute(sql, (group, name)).rowcount > 0)

    # -- queries -------------------------------------------------------------------------------------------

    async def save_query(self, query: QueryRecord) -> None:
        q = query

        def save(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO log_queries (id, query, groups, start_time, end_time, max_rows, "
                "status, created, results, statistics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    q.id,
                    q.query,
                    json.dumps(q.groups),
                    q.start,
                    q.end,
                    q.limit,
                    q.status,
                    q.created,
                    json.dumps(q.results),
                    json.dumps(q.statistics),
                ),
            )

        await self._engine.write(save)

    def get_query(self, query_id: str) -> QueryRecord | None:
        rows = self._all(_QUERY + " WHERE id = ?", (query_id,))
        return _query(rows[0]) if rows else None

    def list_queries(self, group: str | None, status: str | None, limit: int) -> list[QueryRecord]:
        rows = self._all(
            _QUERY + " WHERE (? IS NULL OR status = ?) ORDER BY created DESC, id", (status, status)
        )
        queries = [_query(row) for row in rows]
        if group is not None:
            queries = [q for q in queries if group in q.groups]
        return queries[:limit]

    # -- stored documents ----------------------------------------------------------------------------------

    async def put_document(self, kind: str, name: str, body: dict[str, Any], updated: int) -> None:
        sql = "INSERT OR REPLACE INTO log_documents (kind, name, body, updated) VALUES (?, ?, ?, ?)"
        await self._engine.write(lambda conn: conn.execute(sql, (kind, name, json.dumps(body), updated)))

    def get_document(self, kind: str, name: str) -> dict[str, Any] | None:
        rows = self._all("SELECT body FROM log_documents WHERE kind = ? AND name = ?", (kind, name))
        return json.loads(rows[0][0]) if rows else None

    def documents(self, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        rows = self._all("SELECT name, body FROM log_documents WHERE kind = ? ORDER BY name", (kind,))
        return [json.loads(body) for name, body in rows if name.startswith(prefix)]

    async def delete_document(self, kind: str, name: str) -> bool:
        sql = "DELETE FROM log_documents WHERE kind = ? AND name = ?"
        return await self._engine.write(lambda conn: conn.execute(sql, (kind, name)).rowcount > 0)
