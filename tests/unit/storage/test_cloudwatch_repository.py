"""The CloudWatch repository on every backend: merging statistic sets, reading them back, retention
roll-ups, and what a week of steady traffic costs."""

from __future__ import annotations

from millpond.services.cloudwatch.aggregation import Aggregate
from millpond.services.cloudwatch.repository import MetricKey, PointWrite
from millpond.services.cloudwatch.retention import DAY, Retention
from millpond.storage.cloudwatch import SqliteCloudWatchRepository
from tests.unit.storage.conftest import Backend

KEY = MetricKey("000000000000", "us-east-1", "App", "Req", (("Svc", "a"),))
START = 1_700_000_000 // 3600 * 3600


def point(value: float, timestamp: int, resolution: int = 60) -> PointWrite:
    aggregate = Aggregate()
    aggregate.add(value)
    return PointWrite(KEY, resolution, timestamp, "Count", aggregate)


async def test_merge_and_read(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteCloudWatchRepository(engine)
        await repo.merge_points([point(1, START), point(3, START), point(5, START + 60)], START)
        await repo.merge_points([point(7, START)], START + 1)
        rows = repo.read_points(KEY, (60,), START, START + 120)
        assert [(r.timestamp, r.aggregate.count, r.aggregate.total) for r in rows] == [
            (START, 3, 11),
            (START + 60, 1, 5),
        ]
        assert rows[0].aggregate.statistic("p50") == 3
        assert repo.list_metrics(KEY.account, KEY.region, "App", START) == [KEY]
        assert repo.list_metrics(KEY.account, KEY.region, "Other", START) == []


async def test_a_week_of_traffic_rolls_up(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteCloudWatchRepository(engine)
        minutes = 7 * 24 * 60
        await repo.merge_points([point(1, START + 60 * m) for m in range(minutes)], START)
        await repo.merge_points([point(1, START + s, resolution=1) for s in range(600)], START)
        now = START + 80 * DAY  # everything is older than 63 days now
        retention = Retention(repo)
        await retention.compact(now)
        assert repo.read_points(KEY, (1,), START, now) == []
        assert repo.read_points(KEY, (60, 300), START, now) == []
        hourly = repo.read_points(KEY, (3600,), START, now)
        assert len(hourly) == 7 * 24
        assert sum(r.aggregate.count for r in hourly) == minutes
        assert all(r.aggregate.statistic("Sum") == 60 for r in hourly)
