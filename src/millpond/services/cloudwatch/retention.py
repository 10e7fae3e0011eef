"""Retention roll-ups, run by the minute tick on the virtual clock, as AWS ages its data:
1-second data is kept 3 hours; 60-second data 15 days, then folded into 5-minute rows kept 63 days, then
into 1-hour rows kept 455 days. Folding merges statistic sets and histograms, so every statistic and
percentile stays answerable at the coarser period; a week of steady traffic is ~10,000 rows per metric."""

from __future__ import annotations

from millpond.services.cloudwatch.repository import CloudWatchRepository

HOUR = 3600
DAY = 86400
# (source resolution, target resolution or 0 to drop, age after which source rows move)
STEPS = ((1, 0, 3 * HOUR), (60, 300, 15 * DAY), (300, 3600, 63 * DAY), (3600, 0, 455 * DAY))


class Retention:
    def __init__(self, repository: CloudWatchRepository) -> None:
        self.repository = repository
        self._last = 0.0
        self.moved = 0

    async def compact(self, now: float, every: float = 300.0) -> None:
        """Apply every step, at most once per `every` seconds of virtual time."""
        if now - self._last < every:
            return
        self._last = now
        for source, target, age in STEPS:
            self.moved += await self.repository.roll_up(source, target, now - age)
