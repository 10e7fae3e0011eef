"""What CloudWatch Logs needs from storage: groups, streams and their events (epoch-millisecond times);
metric and subscription filters; Logs Insights queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from millpond.services.logs.metric_filters import MetricFilter
from millpond.services.logs.subscriptions import SubscriptionFilter


@dataclass(slots=True)
class LogGroup:
    name: str
    created: int
    retention_days: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    stored_bytes: int = 0


@dataclass(frozen=True, slots=True)
class LogStream:
    group: str
    name: str
    created: int
    first_event: int | None
    last_event: int | None
    last_ingestion: int | None
    stored_bytes: int


@dataclass(frozen=True, slots=True)
class LogEvent:
    id: int
    stream: str
    timestamp: int
    ingestion: int
    message: str


# A position in (timestamp, id) order: events after (or before) it are the next page.
Position = tuple[int, int]


class LogsRepository(Protocol):
    async def create_group(self, group: LogGroup) -> bool:
        """False if the group exists already."""
        ...

    def get_group(self, name: str) -> LogGroup | None: ...

    def list_groups(self, prefix: str, after: str, limit: int) -> list[LogGroup]: ...

    async def delete_group(self, name: str) -> bool: ...

    async def set_retention(self, name: str, days: int | None) -> bool: ...

    def retention_policies(self) -> list[tuple[str, int]]:
        """(group name, retention days) of every group that has a retention policy."""
        ...

    async def expire_events(self, group: str, cutoff: int) -> int:
        """Delete the group's events with timestamps before `cutoff` (in bounded transactions), taking
        their bytes off storedBytes; return how many went."""
        ...

    async def set_group_tags(self, name: str, tags: dict[str, str]) -> bool: ...

    async def create_stream(self, group: str, name: str, created: int) -> str:
        """ "created", "exists" or "no-group"."""
        ...

    def list_streams(self, group: str, prefix: str) -> list[LogStream]: ...

    def get_stream(self, group: str, name: str) -> LogStream | None: ...

    async def delete_stream(self, group: str, name: str) -> bool: ...

    async def put_events(
        self, group: str, stream: str, events: list[tuple[int, str]], ingestion: int, *, create: bool
    ) -> bool:
        """Append events; with `create`, make the group and stream first if needed. False if missing."""
        ...

    def read_events(
        self,
        group: str,
        streams: list[str] | None,
        start: int | None,
        end: int | None,
        after: Position | None,
        before: Position | None,
        limit: int,
        newest_first: bool,
    ) -> list[LogEvent]: ...


def events_in_order(
    repository: LogsRepository,
    group: str,
    streams: list[str] | None,
    start: int | None,
    end: int | None,
    after: Position | None = None,
    page: int = 1000,
) -> Iterator[LogEvent]:
    """The events of a group (or of some streams) between start and end, oldest first, a page at a time."""
    while True:
        batch = repository.read_events(group, streams, start, end, after, None, page, False)
        yield from batch
        if len(batch) < page:
            return
        after = (batch[-1].timestamp, batch[-1].id)


class LogFiltersRepository(Protocol):
    """Metric filters, subscription filters and Logs Insights queries (stored: they outlive a node)."""

    async def put_metric_filter(self, metric_filter: MetricFilter) -> None:
        """Create or replace (same group and name)."""
        ...

    def metric_filters(self, group: str | None = None) -> list[MetricFilter]:
        """The filters of `group`, or of every group; by group, then name."""
        ...

    async def delete_metric_filter(self, group: str, name: str) -> bool: ...

    async def put_subscription_filter(self, subscription: SubscriptionFilter) -> None: ...

    def subscription_filters(self, group: str | None = None) -> list[SubscriptionFilter]: ...

    async def delete_subscription_filter(self, group: str, name: str) -> bool: ...

    async def save_query(self, query: QueryRecord) -> None:
        """Create or replace a query (its status and results change as it runs)."""
        ...

    def get_query(self, query_id: str) -> QueryRecord | None: ...

    def list_queries(self, group: str | None, status: str | None, limit: int) -> list[QueryRecord]:
        """Newest first."""
        ...

    async def put_document(self, kind: str, name: str, body: dict[str, Any], updated: int) -> None: ...

    def get_document(self, kind: str, name: str) -> dict[str, Any] | None: ...

    def documents(self, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        """The documents of `kind` whose names start with `prefix`, by name."""
        ...

    async def delete_document(self, kind: str, name: str) -> bool: ...


@dataclass(slots=True)
class QueryRecord:
    """A Logs Insights query: what was asked and, once it has run, the rows and statistics."""

    id: str
    query: str
    groups: list[str]
    start: int  # epoch seconds, as StartQuery takes them
    end: int
    limit: int | None
    status: str
    created: int  # epoch ms
    results: list[list[dict[str, str]]] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)
