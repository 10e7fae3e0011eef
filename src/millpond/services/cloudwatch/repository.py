"""What CloudWatch needs from storage: metrics and their per-period statistic sets, dashboards, alarms with
their history, and tags. Times are epoch seconds; a datapoint row is the aggregate of one metric over one
bucket of `resolution` seconds starting at `timestamp`, per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from millpond.services.cloudwatch.aggregation import Aggregate

Dimensions = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class MetricKey:
    """A metric's identity: namespace, name and the complete (sorted) dimension set, in one account/region."""

    account: str
    region: str
    namespace: str
    name: str
    dimensions: Dimensions = ()

    @staticmethod
    def of(account: str, region: str, namespace: str, name: str, dims: Any) -> MetricKey:
        pairs = dims.items() if isinstance(dims, dict) else dims or ()
        return MetricKey(account, region, namespace, name, tuple(sorted((str(k), str(v)) for k, v in pairs)))


@dataclass(slots=True)
class PointWrite:
    """One aggregate to merge into the row (metric, resolution, timestamp, unit)."""

    key: MetricKey
    resolution: int
    timestamp: int
    unit: str
    aggregate: Aggregate


@dataclass(frozen=True, slots=True)
class StoredPoint:
    timestamp: int
    resolution: int
    unit: str
    aggregate: Aggregate


@dataclass(slots=True)
class Dashboard:
    name: str
    body: str
    last_modified: float


@dataclass(slots=True)
class AlarmRecord:
    """A metric alarm: its PutMetricAlarm configuration (as given) plus its evaluated state."""

    account: str
    region: str
    name: str
    config: dict[str, Any]
    state: str = "INSUFFICIENT_DATA"
    reason: str = "Unchecked: Initial alarm creation"
    reason_data: str | None = None
    state_updated: float = 0.0
    config_updated: float = 0.0
    actions_enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HistoryItem:
    alarm_name: str
    timestamp: float
    item_type: str  # ConfigurationUpdate | StateUpdate | Action
    summary: str
    data: str


class CloudWatchRepository(Protocol):
    # -- metrics ------------------------------------------------------------------------------------------
    async def merge_points(self, points: list[PointWrite], seen: float) -> None:
        """Add each aggregate into its row (creating metric and row as needed); mark the metrics seen."""
        ...

    def read_points(
        self, key: MetricKey, resolutions: tuple[int, ...], start: float, end: float
    ) -> list[StoredPoint]: ...

    def list_metrics(self, account: str, region: str, namespace: str | None, since: float) -> list[MetricKey]:
        """Metrics of the account/region (one namespace or all) seen since `since`, in a stable order."""
        ...

    async def roll_up(self, source: int, target: int, older_than: float) -> int:
        """Merge rows of resolution `source` older than the cut-off into `target` rows and delete them
        (target 0: only delete). Returns the number of source rows removed."""
        ...

    # -- dashboards (global: one namespace per account) ---------------------------------------------------
    async def put_dashboard(self, account: str, dashboard: Dashboard) -> None: ...

    def get_dashboard(self, account: str, name: str) -> Dashboard | None: ...

    def list_dashboards(self, account: str, prefix: str) -> list[Dashboard]: ...

    async def delete_dashboards(self, account: str, names: list[str]) -> None: ...

    # -- alarms -------------------------------------------------------------------------------------------
    async def put_alarm(self, alarm: AlarmRecord) -> None: ...

    def get_alarms(self, account: str, region: str) -> list[AlarmRecord]:
        """Every alarm of the account/region, by name."""
        ...

    def all_alarms(self) -> list[AlarmRecord]: ...

    async def delete_alarms(self, account: str, region: str, names: list[str]) -> None: ...

    async def add_history(self, account: str, region: str, item: HistoryItem) -> None: ...

    def history(self, account: str, region: str, name: str | None) -> list[HistoryItem]: ...

    # -- tags by ARN --------------------------------------------------------------------------------------
    async def set_tags(self, arn: str, tags: dict[str, str]) -> None: ...

    async def remove_tags(self, arn: str, keys: list[str]) -> None: ...

    def get_tags(self, arn: str) -> dict[str, str]: ...

    async def drop_tags(self, arn: str) -> None: ...
