"""The event source mapping API: Create, Get, List, Update and Delete, as the Lambda provider serves them.

Create, Update and Delete answer 202 with the mapping in its transitional state (Creating, Updating,
Enabling, Disabling, Deleting); the supervisor settles it a moment later, as AWS does. Mappings belong to
the account and region they were created in: the API finds and lists only the caller's.
"""

from __future__ import annotations

import uuid as uuids
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.lambda_ import functions
from millpond.services.lambda_.event_sources import params as rules
from millpond.services.lambda_.event_sources.invoking import Caller
from millpond.services.lambda_.event_sources.kinesis_batches import SendToDestination
from millpond.services.lambda_.event_sources.kinesis_poller import initial_checkpoints
from millpond.services.lambda_.event_sources.metrics import EventSourceMetrics, InMemoryEventSourceMetrics
from millpond.services.lambda_.event_sources.repository import Checkpoint, EventSourceRepository
from millpond.services.lambda_.event_sources.sources import KinesisSource, SqsSource
from millpond.services.lambda_.event_sources.supervisor import Supervisor
from millpond.services.lambda_.invoke import Invoker

DEFAULT_MAX_ITEMS = 100


def not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "The resource you requested does not exist.")


class EventSourceMappings:
    def __init__(
        self,
        repository: EventSourceRepository,
        invoker: Invoker,
        clock: Clock,
        region: str,
        account: str,
        *,
        sqs: SqsSource | None = None,
        kinesis: KinesisSource | None = None,
        send: SendToDestination | None = None,
        metrics: EventSourceMetrics | None = None,
    ) -> None:
        self.repository = repository
        self.invoker = invoker
        self.clock = clock
        self.sqs = sqs
        self.kinesis = kinesis
        self.metrics: EventSourceMetrics = metrics if metrics is not None else InMemoryEventSourceMetrics()
        self.caller = Caller(invoker, self.metrics, region, account)
        self.supervisor = Supervisor(repository, self.caller, clock, self.metrics, sqs, kinesis, send)

    def start(self) -> None:
        self.supervisor.start()

    async def close(self) -> None:
        await self.supervisor.close()

    async def reset(self) -> None:
        await self.supervisor.reset()
        reset_metrics = getattr(self.metrics, "reset", None)
        if reset_metrics is not None:
            reset_metrics()

    # -- helpers -------------------------------------------------------------------------------------------

    def _function(self, ctx: RequestContext, ref: str) -> tuple[str, str | None, str]:
        """(name, qualifier, FunctionArn) of an existing function."""
        name, qualifier = functions.parse_ref(ref)
        try:
            self.invoker.resolve(ctx.region, ctx.account_id, name, qualifier)
        except AwsError:
            raise AwsError("ResourceNotFoundException", "Function does not exist") from None
        return name, qualifier, functions.function_arn(ctx.region, ctx.account_id, name, qualifier)

    def _source_details(self, source: rules.SourceArn, arn: str) -> tuple[bool, Any]:
        """(a FIFO queue?, the stream) after checking the source exists."""
        if source.kind == rules.SQS:
            queue = self.sqs.find(arn) if self.sqs is not None else None
            if queue is None:
                raise rules.invalid(
                    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService."
                    "NonExistentQueue. SQS Error Message: The specified queue does not exist."
                )
            return queue.fifo, None
        stream = self.kinesis.find(source) if self.kinesis is not None else None
        if stream is None:
            raise rules.invalid(f"Stream not found: {arn}")
        return False, stream

    def _check_duplicate(self, arn: str, function_arn: str, name: str, kind: str, own: str | None) -> None:
        for document in self.repository.list_mappings():
            if document["EventSourceArn"] != arn or document["FunctionArn"] != function_arn:
                continue
            if document["UUID"] == own:
                continue
            if kind == rules.SQS:
                message = (
                    f'An event source mapping with SQS arn (" {arn} ") and function (" {name} ") already '
                    f"exists. Please update or delete the existing mapping with UUID {document['UUID']}"
                )
            else:
                message = (
                    f'The event source arn (" {arn} ") and function (" {name} ") provided mapping already '
                    f"exists. Please update or delete the existing mapping with UUID {document['UUID']}"
                )
            raise AwsError("ResourceConflictException", message)

    @staticmethod
    def _owned(ctx: RequestContext, document: dict[str, Any]) -> bool:
        """Whether the mapping is in the caller's account and region (its ARN says where it lives)."""
        arn = rules.mapping_arn(ctx.region, ctx.account_id, document["UUID"])
        return bool(document.get("EventSourceMappingArn") == arn)

    def _stored(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        document = self.repository.get_mapping(params.get("UUID") or "")
        # A UUID from another region or account is ResourceNotFoundException, as on AWS.
        if document is None or not self._owned(ctx, document):
            raise not_found()
        return document

    # -- operations ----------------------------------------------------------------------------------------

    async def create_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        arn = params.get("EventSourceArn")
        source = rules.parse_source_arn(arn)
        assert arn is not None
        name, qualifier, function_arn = self._function(ctx, params["FunctionName"])
        fifo, stream = self._source_details(source, arn)
        self._check_duplicate(arn, function_arn, name, source.kind, None)
        uuid = str(uuids.uuid4())
        document = rules.new_document(
            params,
            source,
            uuid=uuid,
            function_name=name,
            qualifier=qualifier,
            function_arn=function_arn,
            region=ctx.region,
            account=ctx.account_id,
            now=self.clock.now(),
            fifo=fifo,
        )
        checkpoints: list[Checkpoint] = []
        if stream is not None and self.kinesis is not None:
            checkpoints = initial_checkpoints(
                self.kinesis, stream, document["StartingPosition"], document.get("StartingPositionTimestamp")
            )
        await self.repository.create_mapping(document, checkpoints)
        self.supervisor.schedule(uuid)
        return rules.public(document)

    def get_event_source_mapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return rules.public(self._stored(ctx, params))

    def list_event_source_mappings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rules.check_range(params, "MaxItems", 1, 10_000)
        found = [d for d in self.repository.list_mappings() if self._owned(ctx, d)]
        if params.get("EventSourceArn"):
            found = [d for d in found if d["EventSourceArn"] == params["EventSourceArn"]]
        if params.get("FunctionName"):
            name, qualifier = functions.parse_ref(params["FunctionName"])
            found = [
                d
                for d in found
                if d["_FunctionName"] == name and (qualifier is None or d["_Qualifier"] == qualifier)
            ]
        marker = str(params.get("Marker") or "")
        start = int(marker) if marker.isascii() and marker.isdigit() else 0
        limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
        result: dict[str, Any] = {
            "EventSourceMappings": [rules.public(d) for d in found[start : start + limit]]
        }
        if start + limit < len(found):
            result["NextMarker"] = str(start + limit)
        return result

    async def update_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        current = self._stored(ctx, params)
        source = rules.parse_source_arn(current["EventSourceArn"])
        fifo = False
        if source.kind == rules.SQS and self.sqs is not None:
            queue = self.sqs.find(current["EventSourceArn"])
            fifo = queue.fifo if queue is not None else False
        document = rules.updated_document(current, params, self.clock.now(), fifo)
        if params.get("FunctionName"):
            name, qualifier, function_arn = self._function(ctx, params["FunctionName"])
            self._check_duplicate(current["EventSourceArn"], function_arn, name, source.kind, current["UUID"])
            document.update(FunctionArn=function_arn, _FunctionName=name, _Qualifier=qualifier)
        if not await self.repository.save_mapping(document):
            raise not_found()
        self.supervisor.schedule(document["UUID"])
        return rules.public(document)

    async def delete_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        document = self._stored(ctx, params)
        if not await self.repository.delete_mapping(document["UUID"]):
            raise not_found()
        await self.supervisor.remove(document["UUID"])
        document["State"] = "Deleting"
        return rules.public(document)
