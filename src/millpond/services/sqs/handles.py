"""The operations that take receipt handles: DeleteMessage(Batch) and ChangeMessageVisibility(Batch).

A handle names the receive that issued it (message id + receive count). On a standard queue an old handle
still "succeeds" but deletes nothing (the model's docs: "the request will succeed, but the message might not
be deleted"); on a FIFO queue a handle whose visibility timeout has passed has expired. Changing visibility
works with any handle of a message that still exists, in flight or not (AWS-recorded: an expired
visibility timeout, or an older handle of a message received again since, still succeeds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.sqs import batches, metrics, receipts, visibility
from millpond.services.sqs.operations import QueueOperations
from millpond.services.sqs.queues import Queue
from millpond.services.sqs.repository import DELETE, KEEP, InFlightState

Decision = float | Literal["delete", "keep"]


def not_inflight() -> AwsError:
    return AwsError("MessageNotInflight", "The specified message isn't in flight.")


def delete_decision(
    queue: Queue, handle: str, issued_count: int, state: InFlightState | None, now: float
) -> Decision:
    if state is None:
        return KEEP  # already deleted: deleting again succeeds
    current = state.receive_count == issued_count
    if queue.fifo and (not current or state.visible_at <= now):
        raise receipts.expired_receipt_handle(handle)
    return DELETE if current else KEEP


def visibility_decision(
    handle: str, issued_count: int, timeout: int, state: InFlightState | None, now: float
) -> Decision:
    if state is None:
        raise receipts.not_available_for_visibility_change(handle)
    return visibility.new_visibility_deadline(timeout, received_at=state.received_at or now, now=now)


class HandleOperations(QueueOperations):
    async def _apply(
        self,
        queue: Queue,
        items: list[tuple[str, int]],
        decide: Callable[[int, InFlightState | None], Decision],
    ) -> tuple[list[AwsError | None], int]:
        """Run the decisions in one transaction; return the per-item errors and how many were deleted."""
        deleted = 0
        wake = False

        def counted(index: int, state: InFlightState | None) -> Decision:
            nonlocal deleted, wake
            decision = decide(index, state)
            if decision == DELETE:
                deleted += 1
            elif decision != KEEP and float(decision) <= self.clock.now():
                wake = True
            return decision

        errors = await self.repository.update_visibility(queue.id, items, counted)
        if deleted and queue.fifo:
            wake = True  # a deleted in-flight message unlocks its group: long polls may now get the next one
        if wake:
            self.notifier.notify(queue.id)
        if deleted:
            self.sink.record(queue.metrics_key, metrics.DELETED, 1, count=deleted)
        return errors, deleted

    async def delete_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.directory.resolve(ctx, params)
        handle = params.get("ReceiptHandle")
        decoded = receipts.decode_for_queue(handle, queue.arn)
        now = self.clock.now()
        errors, _ = await self._apply(
            queue,
            [(decoded.message_id, decoded.receive_count)],
            lambda _, state: delete_decision(queue, handle or "", decoded.receive_count, state, now),
        )
        if errors[0] is not None:
            raise errors[0]
        return {}

    async def change_message_visibility(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.directory.resolve(ctx, params)
        handle = params.get("ReceiptHandle")
        timeout = params.get("VisibilityTimeout")
        if timeout is None:
            raise AwsError(
                "MissingRequiredParameterException",
                "The request must contain the parameter VisibilityTimeout.",
            )
        decoded = receipts.decode_for_queue(handle, queue.arn)
        visibility.validate_visibility_timeout(timeout)
        now = self.clock.now()
        errors, _ = await self._apply(
            queue,
            [(decoded.message_id, decoded.receive_count)],
            lambda _, state: visibility_decision(handle or "", decoded.receive_count, timeout, state, now),
        )
        if errors[0] is not None:
            raise errors[0]
        return {}

    async def _batch(
        self,
        ctx: RequestContext,
        params: dict[str, Any],
        entry_name: str,
        decide: Callable[[Queue, str, int, dict[str, Any], InFlightState | None, float], Decision],
    ) -> dict[str, Any]:
        queue = self.directory.resolve(ctx, params)
        entries: list[dict[str, Any]] = params.get("Entries") or []
        batches.validate_batch_entries(entries, entry_name)
        now = self.clock.now()
        failed: list[dict[str, Any]] = []
        pending: list[tuple[dict[str, Any], str, int]] = []
        for entry in entries:
            handle = entry.get("ReceiptHandle")
            try:
                if not handle:
                    raise batches.missing_receipt_handle()
                decoded = receipts.decode_for_queue(handle, queue.arn)
            except AwsError as error:
                failed.append(batches.failed_entry(entry["Id"], error))
                continue
            pending.append((entry, decoded.message_id, decoded.receive_count))
        successful: list[dict[str, Any]] = []
        if pending:
            errors, _ = await self._apply(
                queue,
                [(message_id, count) for _, message_id, count in pending],
                lambda i, state: decide(
                    queue, pending[i][0]["ReceiptHandle"], pending[i][2], pending[i][0], state, now
                ),
            )
            for (entry, _, _), outcome in zip(pending, errors, strict=True):
                if outcome is None:
                    successful.append({"Id": entry["Id"]})
                else:
                    failed.append(batches.failed_entry(entry["Id"], outcome))
        order = {entry["Id"]: index for index, entry in enumerate(entries)}
        failed.sort(key=lambda item: order[item["Id"]])
        return {"Successful": successful, "Failed": failed}

    async def delete_message_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        def decide(
            queue: Queue,
            handle: str,
            count: int,
            entry: dict[str, Any],
            state: InFlightState | None,
            now: float,
        ) -> Decision:
            return delete_decision(queue, handle, count, state, now)

        return await self._batch(ctx, params, batches.DELETE_ENTRY, decide)

    async def change_message_visibility_batch(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        def decide(
            queue: Queue,
            handle: str,
            count: int,
            entry: dict[str, Any],
            state: InFlightState | None,
            now: float,
        ) -> Decision:
            timeout = visibility.validate_visibility_timeout(
                entry.get("VisibilityTimeout") or 0, in_batch=True
            )
            return visibility_decision(handle, count, timeout, state, now)

        return await self._batch(ctx, params, batches.CHANGE_VISIBILITY_ENTRY, decide)
