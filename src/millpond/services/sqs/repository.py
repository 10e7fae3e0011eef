"""What SQS needs from storage: queues, messages, FIFO deduplication ids and message move tasks.

Every method that changes state is async and returns only after its change is committed. A receive, a batch
of sends, deletes or visibility changes is one transaction each. Where a rule needs the stored state of each
item (a receipt handle's message), the caller passes a `decide` callback that storage runs inside the
transaction; an AwsError it raises fails that item alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from millpond.errors import AwsError
from millpond.services.sqs.message_attributes import MessageAttribute


@dataclass(frozen=True, slots=True)
class QueueRecord:
    id: int
    account_id: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    created_at: float
    modified_at: float


@dataclass(frozen=True, slots=True)
class NewQueue:
    account_id: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    now: float


@dataclass(frozen=True, slots=True)
class NewMessage:
    message_id: str
    body: str
    attributes: dict[str, MessageAttribute]
    system_attributes: dict[str, str]  # SenderId, AWSTraceHeader
    size: int
    sent_at: float
    visible_at: float
    expires_at: float
    group_id: str | None = None
    dedup_id: str | None = None


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What a send stored (or, for a FIFO duplicate, what the first send stored)."""

    message_id: str
    sequence_number: str | None
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class FifoSend:
    """How storage deduplicates and numbers FIFO sends."""

    deduplication_scope: str  # "queue" | "messageGroup"
    now: float


@dataclass(frozen=True, slots=True)
class StoredMessage:
    message_id: str
    body: str
    attributes: dict[str, MessageAttribute]
    system_attributes: dict[str, str]
    size: int
    sent_at: float
    receive_count: int
    first_received_at: float | None
    group_id: str | None
    dedup_id: str | None
    sequence_number: str | None
    source_arn: str | None


@dataclass(frozen=True, slots=True)
class DeadLetterTarget:
    """Where messages over maxReceiveCount go, decided when the receive starts."""

    queue_id: int
    max_receive_count: int
    source_arn: str
    fifo: bool
    retention_seconds: int


@dataclass(frozen=True, slots=True)
class ReceiveRequest:
    queue_id: int
    now: float
    max_messages: int
    visibility_timeout: int
    fifo: bool
    dead_letter: DeadLetterTarget | None = None


@dataclass(frozen=True, slots=True)
class ReceiveOutcome:
    messages: list[StoredMessage]
    dead_lettered: int = 0
    expired: int = 0


@dataclass(frozen=True, slots=True)
class InFlightState:
    """A message found by a receipt handle's message id, as the decide callbacks see it."""

    receive_count: int
    visible_at: float
    received_at: float | None


@dataclass(frozen=True, slots=True)
class QueueCounts:
    visible: int
    not_visible: int
    delayed: int
    oldest_sent_at: float | None = None


@dataclass
class MoveTask:
    task_handle: str
    account_id: str
    region: str
    source_arn: str
    destination_arn: str | None
    max_per_second: int | None
    status: str
    moved: int
    to_move: int
    started_at: float
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class MoveStep:
    """One paced step of a move task: messages moved now, and whether the source is exhausted."""

    moved: int
    done: bool
    failure: str | None = None
    destinations: list[int] = field(default_factory=list)  # queue ids that received messages


DELETE: Literal["delete"] = "delete"
KEEP: Literal["keep"] = "keep"
# Given an item's index and its message's state (None: no such message), return the new visible_at, DELETE
# or KEEP, or raise AwsError to fail that item.
VisibilityDecision = Callable[[int, InFlightState | None], float | Literal["delete", "keep"]]


class SqsRepository(Protocol):
    # -- queues --------------------------------------------------------------------------------------------
    async def create_queue(self, queue: NewQueue, recently_deleted_window: float) -> tuple[QueueRecord, bool]:
        """Create the queue, or return the existing one (bool: created). QueueDeletedRecently if a queue of
        that name was deleted less than `recently_deleted_window` seconds ago."""
        ...

    def find_queue(self, account_id: str, region: str, name: str) -> QueueRecord | None: ...

    def list_queues(self, account_id: str, region: str, prefix: str = "") -> list[QueueRecord]: ...

    async def delete_queue(self, queue_id: int, now: float) -> None: ...

    async def update_queue(
        self, queue_id: int, now: float, attributes: dict[str, str] | None, tags: dict[str, str] | None
    ) -> None:
        """Replace the attributes and/or the tags (None leaves them)."""
        ...

    async def purge_queue(self, queue_id: int, now: float, window: float) -> bool:
        """Delete every message; False (and nothing deleted) if the last purge was under `window` s ago."""
        ...

    def queue_counts(self, queue_id: int, now: float) -> QueueCounts: ...

    # -- messages ------------------------------------------------------------------------------------------
    async def send_messages(
        self, queue_id: int, messages: Sequence[NewMessage], fifo: FifoSend | None
    ) -> list[SentMessage]: ...

    async def receive_messages(self, request: ReceiveRequest) -> ReceiveOutcome: ...

    def next_visible_at(self, queue_id: int, now: float) -> float | None:
        """The earliest future time a message of the queue becomes visible (for long polls)."""
        ...

    async def update_visibility(
        self, queue_id: int, items: Sequence[tuple[str, int]], decide: VisibilityDecision
    ) -> list[AwsError | None]:
        """For each (message id, receive count): run decide; set visible_at, delete, keep or fail."""
        ...

    # -- move tasks ----------------------------------------------------------------------------------------
    async def save_move_task(self, task: MoveTask) -> None: ...

    def list_move_tasks(self, source_arn: str) -> list[MoveTask]: ...

    def find_move_task(self, task_handle: str) -> MoveTask | None: ...

    def running_move_tasks(self) -> list[MoveTask]: ...

    async def move_messages(self, task_handle: str, source_queue_id: int, limit: int, now: float) -> MoveStep:
        """Move up to `limit` visible messages of the source to the task's destination (or each message's
        source queue) and count them on the task, in one transaction; finish the task when none are left."""
        ...
