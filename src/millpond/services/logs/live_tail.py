"""StartLiveTail: log events pushed to a session as they are ingested (PutLogEvents, or Lambda's output).

The call answers with an event stream (`{"responseStream": <async iterator>}`): one sessionStart, then
sessionUpdate events. Writers hand their events to `publish`, which queues them on every session they
match and wakes it, so nothing polls storage; a session with nothing new sends an empty update each second
of clock time, as AWS does, and ends with SessionTimeoutException after three hours.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.logs.filter_pattern import Matcher, compile_pattern
from millpond.services.signal import Signal

SESSION_SECONDS = 3 * 3600.0
UPDATE_SECONDS = 1.0  # AWS sends a sessionUpdate every second, empty when nothing was ingested
MAX_RESULTS = 500  # log events in one sessionUpdate
MAX_BUFFERED = 5000  # AWS buffers this many for a slow reader, then drops the oldest
MAX_GROUPS = 10


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def group_name(identifier: str) -> str:
    """A log group name from its name or ARN (with or without the trailing `:*`)."""
    if identifier.startswith("arn:"):
        return identifier.split(":log-group:", 1)[-1].removesuffix(":*")
    return identifier


@dataclass(eq=False)
class Session:
    id: str
    groups: dict[str, str]  # group name -> the identifier the client gave
    stream_names: frozenset[str]
    prefixes: tuple[str, ...]
    matches: Matcher
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_BUFFERED))
    closed: bool = False

    def wants(self, group: str, stream: str) -> bool:
        if group not in self.groups:
            return False
        if self.stream_names and stream not in self.stream_names:
            return False
        return not self.prefixes or stream.startswith(self.prefixes)


class LiveTail:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.signal = Signal(clock)
        self._sessions: set[Session] = set()

    def publish(self, group: str, stream: str, events: list[tuple[int, str]], ingestion: int) -> None:
        """Events just stored in a log stream: queue them on every session that follows it."""
        for session in self._sessions:
            if not session.wants(group, stream):
                continue
            identifier = session.groups[group]
            for timestamp, message in events:
                if session.matches(message):
                    session.buffer.append(
                        {
                            "logStreamName": stream,
                            "logGroupIdentifier": identifier,
                            "message": message,
                            "timestamp": timestamp,
                            "ingestionTime": ingestion,
                        }
                    )
            if session.buffer:
                self.signal.notify(session.id)

    def close(self) -> None:
        for session in self._sessions:
            session.closed = True
        self.signal.notify_all()

    def start(
        self, ctx: RequestContext, params: dict[str, Any], group_exists: Callable[[str], bool]
    ) -> dict[str, Any]:
        identifiers: list[str] = params["logGroupIdentifiers"]
        names: list[str] = params.get("logStreamNames") or []
        prefixes: list[str] = params.get("logStreamNamePrefixes") or []
        if not identifiers or len(identifiers) > MAX_GROUPS:
            raise _invalid(f"logGroupIdentifiers must hold between 1 and {MAX_GROUPS} log groups.")
        if names and prefixes:
            raise _invalid("logStreamNames and logStreamNamePrefixes are mutually exclusive.")
        if (names or prefixes) and len(identifiers) > 1:
            # AWS allows stream filters only for a session on a single log group.
            raise _invalid("logStreamNames or logStreamNamePrefixes need exactly one log group identifier.")
        groups: dict[str, str] = {}
        for identifier in identifiers:
            if identifier.endswith("*"):
                raise _invalid("A log group ARN in logGroupIdentifiers can't end with an asterisk (*).")
            name = group_name(identifier)
            if not group_exists(name):
                raise AwsError("ResourceNotFoundException", "The specified log group does not exist.")
            groups[name] = identifier
        pattern = params.get("logEventFilterPattern")
        try:
            matches = compile_pattern(pattern)
        except ValueError:
            raise _invalid("Invalid filter pattern") from None
        session = Session(str(uuid.uuid4()), groups, frozenset(names), tuple(prefixes), matches)
        start = {
            "requestId": ctx.request_id,
            "sessionId": session.id,
            "logGroupIdentifiers": identifiers,
            "logStreamNames": names or None,
            "logStreamNamePrefixes": prefixes or None,
            "logEventFilterPattern": pattern,
        }
        self._sessions.add(session)
        return {"responseStream": self._events(session, start)}

    async def _events(self, session: Session, start: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        deadline = self.clock.now() + SESSION_SECONDS
        try:
            yield {"sessionStart": start}
            last_sent = self.clock.now()
            while not session.closed:
                now = self.clock.now()
                if now >= deadline:
                    raise AwsError(
                        "SessionTimeoutException", "The Live Tail session timed out after 3 hours."
                    )
                version = self.signal.version(session.id)
                if session.buffer or now - last_sent >= UPDATE_SECONDS:
                    count = min(len(session.buffer), MAX_RESULTS)
                    results = [session.buffer.popleft() for _ in range(count)]
                    yield {
                        "sessionUpdate": {"sessionMetadata": {"sampled": False}, "sessionResults": results}
                    }
                    last_sent = now
                    continue
                await self.signal.wait(session.id, version, min(deadline, last_sent + UPDATE_SECONDS))
        finally:
            self._sessions.discard(session)
