"""Message move tasks (DLQ redrive): StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.

A task moves the dead-letter queue's messages back to each message's source queue (or to DestinationArn),
at MaxNumberOfMessagesPerSecond paced by the clock, as an asyncio task of this node; its progress is durable
and tasks still RUNNING are resumed when the server starts.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import uuid
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.signal import Signal
from millpond.services.sqs.queues import Queue, QueueDirectory
from millpond.services.sqs.repository import MoveTask, SqsRepository

MAX_RATE = 500
# AWS "optimizes the rate based on the backlog" when none is given; millpond moves at the maximum.
DEFAULT_RATE = MAX_RATE
MAX_LIST_RESULTS = 10
RUNNING, COMPLETED, CANCELLED, FAILED = "RUNNING", "COMPLETED", "CANCELLED", "FAILED"


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def _not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def _task_handle(source_arn: str) -> str:
    # AWS's handles are base64 JSON naming the task and its source queue.
    payload = json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode()


def _check_handle(handle: str | None) -> str:
    try:
        payload = json.loads(base64.b64decode(handle or "", validate=True))
        if not isinstance(payload, dict) or "taskId" not in payload:
            raise ValueError(handle)
    except (binascii.Error, ValueError):
        raise _invalid("Value for parameter TaskHandle is invalid.") from None
    return handle or ""


class MoveTasks:
    def __init__(
        self, repository: SqsRepository, directory: QueueDirectory, notifier: Signal, clock: Clock
    ) -> None:
        self.repository = repository
        self.directory = directory
        self.notifier = notifier
        self.clock = clock
        self._running: dict[str, asyncio.Task[None]] = {}

    def _is_dead_letter_queue(self, queue: Queue) -> bool:
        return bool(self.directory.dead_letter_sources(queue))

    async def start_message_move_task(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source_arn = params.get("SourceArn") or ""
        source = self.directory.find_by_arn(source_arn)
        if source is None:
            raise _not_found("The resource that you specified for the SourceArn parameter doesn't exist.")
        if not self._is_dead_letter_queue(source):
            raise _invalid("Source queue must be configured as a Dead Letter Queue.")
        destination_arn = params.get("DestinationArn")
        if destination_arn is not None and self.directory.find_by_arn(destination_arn) is None:
            raise _not_found(
                "The resource that you specified for the DestinationArn parameter doesn't exist."
            )
        rate = params.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= MAX_RATE:
            raise _invalid(
                f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. "
                f"Reason: Must be between 1 and {MAX_RATE}."
            )
        if any(task.status == RUNNING for task in self.repository.list_move_tasks(source.arn)):
            raise _invalid(
                "There is already a task running. Only one active task is allowed for a source queue arn "
                "at a given time."
            )
        now = self.clock.now()
        counts = self.repository.queue_counts(source.id, now)
        task = MoveTask(
            task_handle=_task_handle(source.arn),
            account_id=source.record.account_id,
            region=source.record.region,
            source_arn=source.arn,
            destination_arn=destination_arn,
            max_per_second=rate,
            status=RUNNING,
            moved=0,
            to_move=counts.visible + counts.not_visible,
            started_at=now,
        )
        await self.repository.save_move_task(task)
        self._launch(task, source)
        return {"TaskHandle": task.task_handle}

    def _launch(self, task: MoveTask, source: Queue) -> None:
        runner = asyncio.ensure_future(self._run(task, source))
        self._running[task.task_handle] = runner
        runner.add_done_callback(lambda _: self._running.pop(task.task_handle, None))

    async def _run(self, task: MoveTask, source: Queue) -> None:
        rate = task.max_per_second or DEFAULT_RATE
        while True:
            step = await self.repository.move_messages(task.task_handle, source.id, rate, self.clock.now())
            for queue_id in step.destinations:
                self.notifier.notify(queue_id)
            if step.done:
                return
            await self.clock.sleep(1.0)  # `rate` messages per second

    async def resume(self) -> None:
        """Restart the tasks a previous run left RUNNING (on server start)."""
        for task in self.repository.running_move_tasks():
            source = self.directory.find_by_arn(task.source_arn)
            if source is None:
                task.status, task.failure_reason = FAILED, "AWS.SimpleQueueService.NonExistentQueue"
                await self.repository.save_move_task(task)
                continue
            self._launch(task, source)

    async def stop(self) -> None:
        runners = list(self._running.values())
        for runner in runners:
            runner.cancel()
        for runner in runners:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
        self._running.clear()

    def list_message_move_tasks(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source_arn = params.get("SourceArn") or ""
        source = self.directory.find_by_arn(source_arn)
        if source is None:
            raise _not_found("The resource that you specified for the SourceArn parameter doesn't exist.")
        max_results = params.get("MaxResults")
        if max_results is None:
            max_results = 1
        if not 1 <= max_results <= MAX_LIST_RESULTS:
            raise _invalid(
                f"Value {max_results} for parameter MaxResults is invalid. Reason: You must enter a number "
                "that's between 1 and 10."
            )
        results = []
        for task in self.repository.list_move_tasks(source.arn)[:max_results]:
            entry: dict[str, Any] = {
                "Status": task.status,
                "SourceArn": task.source_arn,
                "ApproximateNumberOfMessagesMoved": task.moved,
                "ApproximateNumberOfMessagesToMove": task.to_move,
                "StartedTimestamp": int(task.started_at * 1000),
            }
            if task.status == RUNNING:
                entry["TaskHandle"] = task.task_handle  # only while the task runs (AWS-recorded)
            if task.destination_arn:
                entry["DestinationArn"] = task.destination_arn
            if task.max_per_second is not None:
                entry["MaxNumberOfMessagesPerSecond"] = task.max_per_second
            if task.failure_reason:
                entry["FailureReason"] = task.failure_reason
            results.append(entry)
        return {"Results": results}

    async def cancel_message_move_task(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        handle = _check_handle(params.get("TaskHandle"))
        task = self.repository.find_move_task(handle)
        if task is None:
            raise _not_found("Task does not exist.")
        if task.status != RUNNING:
            raise _invalid("Only active tasks can be cancelled.")
        runner = self._running.pop(handle, None)
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
        task = self.repository.find_move_task(handle) or task  # progress made up to the cancel
        task.status = CANCELLED
        await self.repository.save_move_task(task)
        return {"ApproximateNumberOfMessagesMoved": task.moved}
