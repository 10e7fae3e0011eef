"""SQS: one method per operation of the current API, each delegating to the module holding its rules
(queues, send, receive, handles, move_tasks). Built by the server with a repository and the clock.
"""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.services.signal import Signal
from millpond.services.sqs.handles import HandleOperations
from millpond.services.sqs.metrics import InMemorySqsMetrics, SqsMetrics
from millpond.services.sqs.move_tasks import MoveTasks
from millpond.services.sqs.queues import Queue, QueueDirectory
from millpond.services.sqs.receive import Receiver
from millpond.services.sqs.repository import QueueCounts, SqsRepository
from millpond.services.sqs.send import Sender

Params = dict[str, Any]
Result = dict[str, Any]


class SqsProvider:
    def __init__(self, repository: SqsRepository, clock: Clock, metrics: SqsMetrics | None = None) -> None:
        self.repository = repository
        self.clock = clock
        self.metrics: SqsMetrics = metrics if metrics is not None else InMemorySqsMetrics()
        self.notifier = Signal(clock)  # long-poll wake-ups, keyed by queue id
        self.queues = QueueDirectory(repository, clock)
        self.queues.on_delete = self._queue_deleted
        self.sender = Sender(repository, self.queues, self.notifier, clock, self.metrics)
        self.receiver = Receiver(repository, self.queues, self.notifier, clock, self.metrics)
        self.handles = HandleOperations(repository, self.queues, self.notifier, clock, self.metrics)
        self.move_tasks = MoveTasks(repository, self.queues, self.notifier, clock)

    @classmethod
    async def create(
        cls, repository: SqsRepository, clock: Clock, metrics: SqsMetrics | None = None
    ) -> SqsProvider:
        """A provider with the move tasks a previous run left RUNNING resumed."""
        provider = cls(repository, clock, metrics)
        await provider.move_tasks.resume()
        return provider

    def _queue_deleted(self, queue: Queue) -> None:
        self.notifier.notify(queue.id)

    async def reset(self) -> None:
        await self.move_tasks.stop()
        self.queues.clear()
        self.receiver.reset()
        self.notifier.notify_all()
        reset_metrics = getattr(self.metrics, "reset", None)
        if reset_metrics is not None:
            reset_metrics()

    async def close(self) -> None:
        self.receiver.closing = True
        self.notifier.notify_all()
        await self.move_tasks.stop()

    def queue_gauges(self, account_id: str, region: str, name: str, at: float) -> QueueCounts | None:
        """ApproximateNumberOf* and the oldest message's sent time as of `at` (a minute's end the clock
        jumped past, or now), for the CloudWatch gauges."""
        queue = self.queues.find(account_id, region, name)
        return None if queue is None else self.repository.queue_counts(queue.id, at)

    # -- queues --------------------------------------------------------------------------------------------
    async def create_queue(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.create_queue(ctx, params)

    async def delete_queue(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.delete_queue(ctx, params)

    def get_queue_url(self, ctx: RequestContext, params: Params) -> Result:
        return self.queues.get_queue_url(ctx, params)

    def list_queues(self, ctx: RequestContext, params: Params) -> Result:
        return self.queues.list_queues(ctx, params)

    def get_queue_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return self.queues.get_queue_attributes(ctx, params)

    async def set_queue_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.set_queue_attributes(ctx, params)

    async def purge_queue(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.purge_queue(ctx, params)

    async def tag_queue(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.tag_queue(ctx, params)

    async def untag_queue(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.untag_queue(ctx, params)

    def list_queue_tags(self, ctx: RequestContext, params: Params) -> Result:
        return self.queues.list_queue_tags(ctx, params)

    async def add_permission(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.add_permission(ctx, params)

    async def remove_permission(self, ctx: RequestContext, params: Params) -> Result:
        return await self.queues.remove_permission(ctx, params)

    def list_dead_letter_source_queues(self, ctx: RequestContext, params: Params) -> Result:
        return self.queues.list_dead_letter_source_queues(ctx, params)

    # -- messages ------------------------------------------------------------------------------------------
    async def send_message(self, ctx: RequestContext, params: Params) -> Result:
        return await self.sender.send_message(ctx, params)

    async def send_message_batch(self, ctx: RequestContext, params: Params) -> Result:
        return await self.sender.send_message_batch(ctx, params)

    async def receive_message(self, ctx: RequestContext, params: Params) -> Result:
        return await self.receiver.receive_message(ctx, params)

    async def delete_message(self, ctx: RequestContext, params: Params) -> Result:
        return await self.handles.delete_message(ctx, params)

    async def delete_message_batch(self, ctx: RequestContext, params: Params) -> Result:
        return await self.handles.delete_message_batch(ctx, params)

    async def change_message_visibility(self, ctx: RequestContext, params: Params) -> Result:
        return await self.handles.change_message_visibility(ctx, params)

    async def change_message_visibility_batch(self, ctx: RequestContext, params: Params) -> Result:
        return await self.handles.change_message_visibility_batch(ctx, params)

    # -- message move tasks --------------------------------------------------------------------------------
    async def start_message_move_task(self, ctx: RequestContext, params: Params) -> Result:
        return await self.move_tasks.start_message_move_task(ctx, params)

    def list_message_move_tasks(self, ctx: RequestContext, params: Params) -> Result:
        return self.move_tasks.list_message_move_tasks(ctx, params)

    async def cancel_message_move_task(self, ctx: RequestContext, params: Params) -> Result:
        return await self.move_tasks.cancel_message_move_task(ctx, params)
