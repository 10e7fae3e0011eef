"""CloudWatch Logs (json 1.1): groups, streams, PutLogEvents, GetLogEvents and FilterLogEvents; metric
and subscription filters (filters.py) and Logs Insights queries (queries.py), entered from here.

Tokens: GetLogEvents pages with f/<56 digits> and b/<56 digits> (a position in (timestamp, id) order); at
the end of a stream nextForwardToken repeats the token sent, which is how clients know to stop.
"""

from __future__ import annotations

import re
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.housekeeping import Housekeeping
from millpond.services.logs.documents import LogDocuments
from millpond.services.logs.export_tasks import ExportTasks
from millpond.services.logs.filter_pattern import compile_pattern
from millpond.services.logs.filters import LogFilters
from millpond.services.logs.live_tail import LiveTail
from millpond.services.logs.operations import LogsOperations
from millpond.services.logs.queries import LogQueries
from millpond.services.logs.repository import (
    LogEvent,
    LogFiltersRepository,
    LogGroup,
    LogsRepository,
    LogStream,
    Position,
    events_in_order,
)
from millpond.services.logs.retention import DAY_MS, EXPIRY_INTERVAL, RETENTION_DAYS, expiry_cutoff

GROUP_NAME = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
PAGE = 10_000


def _not_found(what: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"The specified {what} does not exist.")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _token(prefix: str, event: LogEvent) -> str:
    return f"{prefix}/{event.timestamp:019d}{event.id:037d}"


def _position(token: str | None) -> tuple[str, Position] | None:
    if not token:
        return None
    if not re.match(r"^[fb]/\d{56}$", token):
        raise _invalid("The specified nextToken is invalid.")
    return token[0], (int(token[2:21]), int(token[21:]))


def _group_name(params: dict[str, Any]) -> str:
    name = params.get("logGroupName") or params.get("logGroupIdentifier") or ""
    if name.startswith("arn:"):
        name = name.split(":log-group:", 1)[-1].removesuffix(":*")
    return str(name)


class LogsProvider(LogsOperations):
    def __init__(
        self, repository: LogsRepository, clock: Clock, filters: LogFiltersRepository, owner: str
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.live_tail = LiveTail(clock)
        self.expiry = Housekeeping("log events past retention", EXPIRY_INTERVAL, self._expire)
        self.filters = LogFilters(filters, self._now_ms, owner)
        self.queries = LogQueries(repository, filters, self._now_ms)
        self.exports = ExportTasks(repository, filters, self._now_ms)
        self.documents = LogDocuments(
            filters, self._now_ms, lambda name: repository.get_group(name) is not None
        )

    async def close(self) -> None:
        self.live_tail.close()
        await self.expiry.close()
        await self.filters.close()

    async def reset(self) -> None:
        self.expiry.reset()
        self.filters.forget()

    async def _expire(self, now: float) -> int:
        removed = 0
        for group, days in self.repository.retention_policies():
            cutoff = expiry_cutoff(days, int(now * 1000))
            if cutoff is not None:
                removed += await self.repository.expire_events(group, cutoff)
        return removed

    def _now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _arn(self, ctx: RequestContext, group: str) -> str:
        return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"

    def _require_group(self, name: str) -> LogGroup:
        group = self.repository.get_group(name)
        if group is None:
            raise _not_found("log group")
        return group

    # -- for other services (Lambda writes its functions' output here) ------------------------------------

    async def write_events(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        now = self._now_ms()
        await self.repository.put_events(group, stream, events, now, create=True)
        self._written(group, stream, events, now)

    def _written(self, group: str, stream: str, events: list[tuple[int, str]], now: int) -> None:
        """What follows a committed write: live tails, metric and subscription filters, retention."""
        self.live_tail.publish(group, stream, events, now)
        self.filters.on_events(group, stream, events)
        self.expiry.poke(now / 1000)

    # -- groups --------------------------------------------------------------------------------------------

    async def create_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["logGroupName"]
        if not GROUP_NAME.match(name):
            raise _invalid(
                f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
            )
        group = LogGroup(name, self._now_ms(), None, dict(params.get("tags") or {}))
        if not await self.repository.create_group(group):
            raise AwsError("ResourceAlreadyExistsException", "The specified log group already exists")
        return {}

    def _describe_group(self, ctx: RequestContext, group: LogGroup) -> dict[str, Any]:
        arn = self._arn(ctx, group.name)
        described: dict[str, Any] = {
            "logGroupName": group.name,
            "creationTime": group.created,
            "metricFilterCount": self.filters.metric_filter_count(group.name),
            **({"kmsKeyId": key} if (key := self.documents.kms_key(group.name)) else {}),
            "arn": arn + ":*",
            "storedBytes": group.stored_bytes,
            "logGroupClass": "STANDARD",
            "logGroupArn": arn,
        }
        if group.retention_days is not None:
            described["retentionInDays"] = group.retention_days
        return described

    def describe_log_groups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = int(params.get("limit") or 50)
        pattern = params.get("logGroupNamePattern")
        after = params.get("nextToken") or ""
        groups = self.repository.list_groups(params.get("logGroupNamePrefix") or "", after, 100_000)
        if pattern:
            groups = [g for g in groups if pattern.lower() in g.name.lower()]
        page = groups[:limit]
        result: dict[str, Any] = {"logGroups": [self._describe_group(ctx, g) for g in page]}
        if len(groups) > limit:
            result["nextToken"] = page[-1].name
        return result

    async def delete_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if not await self.repository.delete_group(params["logGroupName"]):
            raise _not_found("log group")
        self.filters.forget(params["logGroupName"])
        return {}

    async def put_retention_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        days = int(params["retentionInDays"])
        if days not in RETENTION_DAYS:
            raise _invalid(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
                f"constraint: Member must satisfy enum value set: {sorted(RETENTION_DAYS)}"
            )
        if not await self.repository.set_retention(params["logGroupName"], days):
            raise _not_found("log group")
        self.expiry.run_now(self.clock.now())
        return {}

    async def delete_retention_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if not await self.repository.set_retention(params["logGroupName"], None):
            raise _not_found("log group")
        return {}

    # -- tags (both the old per-group calls and the ARN-based ones) ---------------------------------------

    async def _retag(self, name: str, add: dict[str, str], remove: list[str]) -> None:
        group = self._require_group(name)
        tags = {k: v for k, v in {**group.tags, **add}.items() if k not in remove}
        await self.repository.set_group_tags(name, tags)

    async def tag_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._retag(params["logGroupName"], params.get("tags") or {}, [])
        return {}

    async def untag_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._retag(params["logGroupName"], {}, params.get("tags") or [])
        return {}

    def list_tags_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"tags": self._require_group(params["logGroupName"]).tags}

    async def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._retag(_group_name({"logGroupName": params["resourceArn"]}), params.get("tags") or {}, [])
        return {}

    async def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._retag(
            _group_name({"logGroupName": params["resourceArn"]}), {}, params.get("tagKeys") or []
        )
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"tags": self._require_group(_group_name({"logGroupName": params["resourceArn"]})).tags}

    # -- streams -------------------------------------------------------------------------------------------

    async def create_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["logStreamName"]
        if ":" in name or "*" in name:
            raise _invalid("Log stream name must not contain ':' or '*'")
        outcome = await self.repository.create_stream(params["logGroupName"], name, self._now_ms())
        if outcome == "no-group":
            raise _not_found("log group")
        if outcome == "exists":
            raise AwsError("ResourceAlreadyExistsException", "The specified log stream already exists")
        return {}

    def _describe_stream(self, ctx: RequestContext, stream: LogStream) -> dict[str, Any]:
        described: dict[str, Any] = {
            "logStreamName": stream.name,
            "creationTime": stream.created,
            "arn": f"{self._arn(ctx, stream.group)}:log-stream:{stream.name}",
            "storedBytes": 0,  # AWS reports 0 here since 2019
        }
        if stream.first_event is not None:
            described["firstEventTimestamp"] = stream.first_event
            described["lastEventTimestamp"] = stream.last_event
            described["lastIngestionTime"] = stream.last_ingestion
        return described

    def describe_log_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = _group_name(params)
        self._require_group(group)
        prefix = params.get("logStreamNamePrefix") or ""
        order_by = params.get("orderBy") or "LogStreamName"
        if prefix and order_by == "LastEventTime":
            raise _invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        streams = self.repository.list_streams(group, prefix)
        if order_by == "LastEventTime":
            streams.sort(key=lambda s: (s.last_event or 0, s.name))
        if params.get("descending"):
            streams.reverse()
        token = params.get("nextToken") or "0"
        if not (token.isascii() and token.isdigit()):
            raise _invalid("The specified nextToken is invalid.")
        start = int(token)
        limit = int(params.get("limit") or 50)
        page = streams[start : start + limit]
        result: dict[str, Any] = {"logStreams": [self._describe_stream(ctx, s) for s in page]}
        if start + limit < len(streams):
            result["nextToken"] = str(start + limit)
        return result

    async def delete_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = params["logGroupName"]
        self._require_group(group)
        if not await self.repository.delete_stream(group, params["logStreamName"]):
            raise _not_found("log stream")
        return {}

    # -- events --------------------------------------------------------------------------------------------

    async def put_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        events = params.get("logEvents") or []
        if len(events) > MAX_BATCH_EVENTS:
            raise _invalid(f"The batch of log events exceeds the maximum of {MAX_BATCH_EVENTS} events.")
        size = sum(len(e["message"].encode("utf-8")) + 26 for e in events)
        if size > MAX_BATCH_BYTES:
            raise _invalid(f"Log event batch too large: {size} bytes (maximum {MAX_BATCH_BYTES}).")
        stamps = [int(e["timestamp"]) for e in events]
        if stamps != sorted(stamps):
            raise _invalid("Log events in a single PutLogEvents request must be in chronological order.")
        now = self._now_ms()
        group, stream = params["logGroupName"], params["logStreamName"]
        expired_before = None
        if stamps and stamps[0] < now - DAY_MS:  # only then can the group's retention refuse any
            known = self.repository.get_group(group)
            expired_before = expiry_cutoff(known.retention_days if known else None, now)
        too_new = too_old = expired = -1
        kept: list[tuple[int, str]] = []
        for index, stamp in enumerate(stamps):
            if stamp > now + 2 * 3600_000:
                too_new = index if too_new < 0 else too_new
            elif stamp < now - 14 * DAY_MS:
                too_old = index
            elif expired_before is not None and stamp < expired_before:
                expired = index
            else:
                kept.append((stamp, events[index]["message"]))
        if not await self.repository.put_events(group, stream, kept, now, create=False):
            if self.repository.get_group(group) is None:
                raise _not_found("log group")
            raise _not_found("log stream")
        self._written(group, stream, kept, now)
        result: dict[str, Any] = {"nextSequenceToken": f"{now:056d}"}
        rejected: dict[str, int] = {}
        if too_new >= 0:
            rejected["tooNewLogEventStartIndex"] = too_new
        if too_old >= 0:
            rejected["tooOldLogEventEndIndex"] = too_old
        if expired >= 0:
            rejected["expiredLogEventEndIndex"] = expired
        if rejected:
            result["rejectedLogEventsInfo"] = rejected
        return result

    def get_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group, stream = _group_name(params), params["logStreamName"]
        self._require_group(group)
        if self.repository.get_stream(group, stream) is None:
            raise _not_found("log stream")
        limit = min(int(params.get("limit") or PAGE), PAGE)
        token = params.get("nextToken")
        position = _position(token)
        start, end = params.get("startTime"), params.get("endTime")
        if position is not None:
            direction, at = position
            forward = direction == "f"
        else:
            at = None
            forward = bool(params.get("startFromHead"))
        if forward:
            after = at
            events = self.repository.read_events(group, [stream], start, end, after, None, limit, False)
        else:
            events = self.repository.read_events(group, [stream], start, end, None, at, limit, True)
            events.reverse()
        result: dict[str, Any] = {
            "events": [
                {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion} for e in events
            ]
        }
        if events:
            result["nextForwardToken"] = _token("f", events[-1])
            result["nextBackwardToken"] = _token("b", events[0])
        else:
            # At the end (or start) of the stream the token sent comes back, so clients stop.
            here = token or f"f/{0:056d}"
            result["nextForwardToken"] = here if here.startswith("f") else "f" + here[1:]
            result["nextBackwardToken"] = here if here.startswith("b") else "b" + here[1:]
        return result

    def filter_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = _group_name(params)
        self._require_group(group)
        try:
            matches = compile_pattern(params.get("filterPattern"))
        except ValueError:
            raise _invalid("Invalid filter pattern") from None
        names: list[str] | None = params.get("logStreamNames")
        prefix = params.get("logStreamNamePrefix")
        if names and prefix:
            raise _invalid("logStreamNames and logStreamNamePrefix are mutually exclusive")
        if prefix:
            names = [s.name for s in self.repository.list_streams(group, prefix)]
        limit = min(int(params.get("limit") or PAGE), PAGE)
        position = _position(params.get("nextToken"))
        after = position[1] if position else None
        found: list[LogEvent] = []
        more = False
        for event in events_in_order(
            self.repository, group, names, params.get("startTime"), params.get("endTime"), after
        ):
            if matches(event.message):
                if len(found) == limit:
                    more = True
                    break
                found.append(event)
        result: dict[str, Any] = {
            "events": [
                {
                    "logStreamName": e.stream,
                    "timestamp": e.timestamp,
                    "message": e.message,
                    "ingestionTime": e.ingestion,
                    "eventId": f"{e.timestamp:019d}{e.id:037d}",
                }
                for e in found
            ],
            "searchedLogStreams": [],
        }
        if more:
            result["nextToken"] = _token("f", found[-1])
        return result

    def start_live_tail(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.live_tail.start(ctx, params, lambda name: self.repository.get_group(name) is not None)
