"""CloudWatch in SQLite: metrics, their statistic-set rows per (resolution, bucket, unit), dashboards, alarms,
alarm history and tags."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from millpond.services.cloudwatch.aggregation import Aggregate
from millpond.services.cloudwatch.repository import (
    AlarmRecord,
    CloudWatchRepository,
    Dashboard,
    HistoryItem,
    MetricKey,
    PointWrite,
    StoredPoint,
)
from millpond.storage.engine import Engine

_POINT_COLUMNS = "count, total, minimum, maximum, histogram, hist_count"
_ALARM = (
    "SELECT account, region, name, config, state, reason, reason_data, state_updated, config_updated, "
    "actions_enabled, extra FROM cw_alarms"
)


def _dims_json(key: MetricKey) -> str:
    return json.dumps([list(pair) for pair in key.dimensions], separators=(",", ":"))


def _metric_id(conn: sqlite3.Connection, key: MetricKey, seen: float) -> int:
    params = (key.account, key.region, key.namespace, key.name, _dims_json(key))
    row = conn.execute(
        "SELECT id FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? "
        "AND dimensions = ?",
        params,
    ).fetchone()
    if row is not None:
        conn.execute("UPDATE cw_metrics SET last_seen = MAX(last_seen, ?) WHERE id = ?", (seen, row[0]))
        return int(row[0])
    cursor = conn.execute(
        "INSERT INTO cw_metrics (account, region, namespace, name, dimensions, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (*params, seen),
    )
    return int(cursor.lastrowid or 0)


def _aggregate(row: tuple[Any, ...]) -> Aggregate:
    return Aggregate.from_row(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])


def _merge_row(
    conn: sqlite3.Connection, metric: int, resolution: int, timestamp: int, unit: str, aggregate: Aggregate
) -> None:
    found = conn.execute(
        f"SELECT {_POINT_COLUMNS} FROM cw_points "
        "WHERE metric_id = ? AND resolution = ? AND ts = ? AND unit = ?",
        (metric, resolution, timestamp, unit),
    ).fetchone()
    if found is not None:
        merged = _aggregate(found)
        merged.merge(aggregate)
        aggregate = merged
    conn.execute(
        f"INSERT OR REPLACE INTO cw_points (metric_id, resolution, ts, unit, {_POINT_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            metric,
            resolution,
            timestamp,
            unit,
            aggregate.count,
            aggregate.total,
            aggregate.minimum,
            aggregate.maximum,
            json.dumps(aggregate.histogram_json(), separators=(",", ":")),
            aggregate.hist_count,
        ),
    )


def _alarm(row: tuple[Any, ...]) -> AlarmRecord:
    return AlarmRecord(
        row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6], row[7], row[8], bool(row[9]),
        json.loads(row[10]),
    )  # fmt: skip


class SqliteCloudWatchRepository(CloudWatchRepository):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- metrics ------------------------------------------------------------------------------------------
    async def merge_points(self, points: list[PointWrite], seen: float) -> None:
        def merge(conn: sqlite3.Connection) -> None:
            ids: dict[MetricKey, int] = {}
            for point in points:
                metric = ids.get(point.key)
                if metric is None:
                    metric = ids[point.key] = _metric_id(conn, point.key, seen)
                _merge_row(conn, metric, point.resolution, point.timestamp, point.unit, point.aggregate)

        if points:
            await self._engine.write(merge)

    def read_points(
        self, key: MetricKey, resolutions: tuple[int, ...], start: float, end: float
    ) -> list[StoredPoint]:
        if not resolutions:
            return []

        def query(conn: sqlite3.Connection) -> list[Any]:
            row = conn.execute(
                "SELECT id FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? "
                "AND dimensions = ?",
                (key.account, key.region, key.namespace, key.name, _dims_json(key)),
            ).fetchone()
            if row is None:
                return []
            marks = ",".join("?" * len(resolutions))
            return conn.execute(
                f"SELECT ts, resolution, unit, {_POINT_COLUMNS} FROM cw_points WHERE metric_id = ? "
                f"AND resolution IN ({marks}) AND ts >= ? AND ts < ? ORDER BY ts",
                (row[0], *resolutions, int(start), end),
            ).fetchall()

        return [StoredPoint(r[0], r[1], r[2], _aggregate(r[3:])) for r in self._engine.read(query)]

    def list_metrics(self, account: str, region: str, namespace: str | None, since: float) -> list[MetricKey]:
        sql = (
            "SELECT namespace, name, dimensions FROM cw_metrics "
            "WHERE account = ? AND region = ? AND last_seen >= ?"
        )
        args: list[Any] = [account, region, since]
        if namespace is not None:
            sql += " AND namespace = ?"
            args.append(namespace)
        rows = self._engine.read(lambda c: c.execute(sql + " ORDER BY id", args).fetchall())
        return [
            MetricKey(account, region, ns, name, tuple((k, v) for k, v in json.loads(dims)))
            for ns, name, dims in rows
        ]

    async def roll_up(self, source: int, target: int, older_than: float) -> int:
        def roll(conn: sqlite3.Connection) -> int:
            rows = conn.execute(
                f"SELECT metric_id, ts, unit, {_POINT_COLUMNS} FROM cw_points "
                "WHERE resolution = ? AND ts < ?",
                (source, older_than),
            ).fetchall()
            if target:
                merged: dict[tuple[int, int, str], Aggregate] = {}
                for row in rows:
                    bucket = (row[0], row[1] // target * target, row[2])
                    merged.setdefault(bucket, Aggregate()).merge(_aggregate(row[3:]))
                for (metric, timestamp, unit), aggregate in merged.items():
                    _merge_row(conn, metric, target, timestamp, unit, aggregate)
            conn.execute("DELETE FROM cw_points WHERE resolution = ? AND ts < ?", (source, older_than))
            return len(rows)

        return await self._engine.write(roll)

    # -- dashboards ---------------------------------------------------------------------------------------
    async def put_dashboard(self, account: str, dashboard: Dashboard) -> None:
        await self._engine.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO cw_dashboards (account, name, body, last_modified) "
                "VALUES (?, ?, ?, ?)",
                (account, dashboard.name, dashboard.body, dashboard.last_modified),
            )
        )

    def get_dashboard(self, account: str, name: str) -> Dashboard | None:
        row = self._engine.read(
            lambda c: c.execute(
                "SELECT name, body, last_modified FROM cw_dashboards WHERE account = ? AND name = ?",
                (account, name),
            ).fetchone()
        )
        return None if row is None else Dashboard(*row)

    def list_dashboards(self, account: str, prefix: str) -> list[Dashboard]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT name, body, last_modified FROM cw_dashboards WHERE account = ? ORDER BY name",
                (account,),
            ).fetchall()
        )
        return [Dashboard(*row) for row in rows if row[0].startswith(prefix)]

    async def delete_dashboards(self, account: str, names: list[str]) -> None:
        await self._engine.write(
            lambda c: c.executemany(
                "DELETE FROM cw_dashboards WHERE account = ? AND name = ?", [(account, n) for n in names]
            )
        )

    # -- alarms -------------------------------------------------------------------------------------------
    async def put_alarm(self, alarm: AlarmRecord) -> None:
        await self._engine.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO cw_alarms (account, region, name, config, state, reason, "
                "reason_data, state_updated, config_updated, actions_enabled, extra) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alarm.account,
                    alarm.region,
                    alarm.name,
                    json.dumps(alarm.config),
                    alarm.state,
                    alarm.reason,
                    alarm.reason_data,
                    alarm.state_updated,
                    alarm.config_updated,
                    int(alarm.actions_enabled),
                    json.dumps(alarm.extra),
                ),
            )
        )

    def get_alarms(self, account: str, region: str) -> list[AlarmRecord]:
        rows = self._engine.read(
            lambda c: c.execute(
                _ALARM + " WHERE account = ? AND region = ? ORDER BY name", (account, region)
            ).fetchall()
        )
        return [_alarm(row) for row in rows]

    def all_alarms(self) -> list[AlarmRecord]:
        rows = self._engine.read(lambda c: c.execute(_ALARM + " ORDER BY account, region, name").fetchall())
        return [_alarm(row) for row in rows]

    async def delete_alarms(self, account: str, region: str, names: list[str]) -> None:
        await self._engine.write(
            lambda c: c.executemany(
                "DELETE FROM cw_alarms WHERE account = ? AND region = ? AND name = ?",
                [(account, region, n) for n in names],
            )
        )

    async def add_history(self, account: str, region: str, item: HistoryItem) -> None:
        await self._engine.write(
            lambda c: c.execute(
                "INSERT INTO cw_alarm_history (account, region, alarm_name, ts, item_type, summary, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account, region, item.alarm_name, item.timestamp, item.item_type, item.summary, item.data),
            )
        )

    def history(self, account: str, region: str, name: str | None) -> list[HistoryItem]:
        sql = (
            "SELECT alarm_name, ts, item_type, summary, data FROM cw_alarm_history "
            "WHERE account = ? AND region = ?"
        )
        args: list[Any] = [account, region]
        if name is not None:
            sql += " AND alarm_name = ?"
            args.append(name)
        rows = self._engine.read(lambda c: c.execute(sql + " ORDER BY ts DESC, id DESC", args).fetchall())
        return [HistoryItem(*row) for row in rows]

    # -- tags ---------------------------------------------------------------------------------------------
    async def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        await self._engine.write(
            lambda c: c.executemany(
                "INSERT OR REPLACE INTO cw_tags (arn, key, value) VALUES (?, ?, ?)",
                [(arn, k, v) for k, v in tags.items()],
            )
        )

    async def remove_tags(self, arn: str, keys: list[str]) -> None:
        await self._engine.write(
            lambda c: c.executemany("DELETE FROM cw_tags WHERE arn = ? AND key = ?", [(arn, k) for k in keys])
        )

    def get_tags(self, arn: str) -> dict[str, str]:
        rows = self._engine.read(
            lambda c: c.execute(
                "SELECT key, value FROM cw_tags WHERE arn = ? ORDER BY key", (arn,)
            ).fetchall()
        )
        return dict(rows)

    async def drop_tags(self, arn: str) -> None:
        await self._engine.write(lambda c: c.execute("DELETE FROM cw_tags WHERE arn = ?", (arn,)))
