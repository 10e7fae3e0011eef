"""Queue operations: create, delete, get-url, list, attributes, tags, permissions, purge, dead-letter sources;
and the queue directory that resolves a QueueUrl to a queue (with a small cache of parsed attributes).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.sqs import attributes as attrs
from millpond.services.sqs import metrics, names, redrive
from millpond.services.sqs.attributes import QueueConfig
from millpond.services.sqs.messages import QueueSendRules
from millpond.services.sqs.repository import NewQueue, QueueRecord, SqsRepository

RECENTLY_DELETED_SECONDS = 60.0
PURGE_INTERVAL_SECONDS = 60.0
MAX_LIST_RESULTS = 1000
# Parsed queue URLs kept by QueueDirectory (a URL's address never changes); the cache is emptied when full.
MAX_CACHED_URLS = 4096
COUNT_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue as the operations use it: its stored record, its typed attributes and its ARN."""

    record: QueueRecord
    config: QueueConfig
    arn: str
    # Derived once per cached queue rather than on every send.
    send_rules: QueueSendRules = field(init=False)
    metrics_key: metrics.QueueKey = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "send_rules", self.config.send_rules())
        key = metrics.QueueKey(self.record.account_id, self.record.region, self.record.name)
        object.__setattr__(self, "metrics_key", key)

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def fifo(self) -> bool:
        return self.record.fifo


MAX_TAGS = 50  # per queue (SQS quotas)
MAX_PERMISSION_ACTIONS = 7  # "a maximum of seven actions per statement" (AddPermission docs)
# What AddPermission may grant to another account; the rest (AddPermission, CreateQueue, DeleteQueue,
# SetQueueAttributes, ...) only the queue owner may call.
GRANTABLE_ACTIONS = frozenset(
    {
        "*",
        "ChangeMessageVisibility",
        "DeleteMessage",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "ReceiveMessage",
        "SendMessage",
    }
)


def does_not_exist() -> AwsError:
    return AwsError("QueueDoesNotExist", "The specified queue does not exist.")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


class QueueDirectory:
    """Finds queues by URL, name or ARN; caches them until they change (set, tag, delete, reset)."""

    def __init__(self, repository: SqsRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock
        self._cache: dict[tuple[str, str, str], Queue] = {}
        self._addresses: dict[str, names.QueueAddress] = {}
        self.on_delete: Callable[[Queue], None] | None = None
        # "account": http://host/<account>/<name>; "region": http://host/queue/<region>/<account>/<name>.
        self.url_style = "account"

    def url(self, ctx: RequestContext, account_id: str, region: str, name: str) -> str:
        by_region = region if self.url_style == "region" else None
        return names.queue_url(ctx.endpoint_url, account_id, name, by_region)

    def clear(self) -> None:
        self._cache.clear()

    def _forget(self, queue: Queue) -> None:
        self._cache.pop((queue.record.account_id, queue.record.region, queue.name), None)

    def find(self, account_id: str, region: str, name: str) -> Queue | None:
        key = (account_id, region, name)
        queue = self._cache.get(key)
        if queue is None:
            record = self.repository.find_queue(account_id, region, name)
            if record is None:
                return None
            queue = Queue(
                record,
                QueueConfig.from_attributes(record.attributes),
                names.queue_arn(region, account_id, name),
            )
            self._cache[key] = queue
        return queue

    def find_by_arn(self, arn: str) -> Queue | None:
        parsed = names.parse_arn(arn)
        if parsed is None or parsed.service != "sqs":
            return None
        return self.find(parsed.account_id, parsed.region, parsed.resource)

    def resolve(self, ctx: RequestContext, params: dict[str, Any]) -> Queue:
        """The queue a request's QueueUrl names (any host; account and name from the path)."""
        url = params.get("QueueUrl")
        address = self._addresses.get(url) if type(url) is str else None
        if address is None:
            address = names.parse_queue_url(url)  # raises for a URL that is not one: never cached
            if len(self._addresses) >= MAX_CACHED_URLS:
                self._addresses.clear()
            self._addresses[url] = address  # type: ignore[index]  # url is a str once it parsed
        account_id = address.account_id or ctx.account_id
        queue = self.find(account_id, address.region or ctx.region, address.name)
        if queue is None:
            raise does_not_exist()
        return queue

    # -- operations ----------------------------------------------------------------------------------------

    def _check_redrive(self, ctx: RequestContext, changes: dict[str, str], *, fifo: bool, arn: str) -> None:
        raw = changes.get("RedrivePolicy")
        policy = redrive.parse_redrive_policy(raw) if raw else None
        if raw is None or policy is None:
            return
        target = self.find_by_arn(policy.dead_letter_target_arn)
        redrive.check_dead_letter_target(
            raw,
            policy,
            source_fifo=fifo,
            source_account_id=ctx.account_id,
            source_region=ctx.region,
            target_exists=target is not None,
        )
        if target is not None:
            redrive.check_redrive_allowed(raw, target.config.redrive_allow_policy, arn)

    async def create_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("QueueName")
        requested_raw: dict[str, str] = params.get("Attributes") or {}
        fifo = names.queue_type_for_create(name, requested_raw.get("FifoQueue"))
        assert name is not None
        requested = attrs.validate_create_attributes(requested_raw, fifo=fifo)
        arn = names.queue_arn(ctx.region, ctx.account_id, name)
        self._check_redrive(ctx, requested, fifo=fifo, arn=arn)
        initial = attrs.initial_attributes(requested, fifo=fifo)
        new = NewQueue(
            ctx.account_id, ctx.region, name, fifo, initial, dict(params.get("tags") or {}), self.clock.now()
        )
        record, created = await self.repository.create_queue(new, RECENTLY_DELETED_SECONDS)
        if not created:
            attrs.check_idempotent_create(record.attributes, requested)
        return {"QueueUrl": self.url(ctx, ctx.account_id, ctx.region, name)}

    def get_queue_url(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = names.require_queue_name(params.get("QueueName"))
        account = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        queue = self.find(account, ctx.region, name)
        if queue is None:
            raise does_not_exist()
        return {"QueueUrl": self.url(ctx, queue.record.account_id, queue.record.region, queue.name)}

    def list_queues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        records = self.repository.list_queues(ctx.account_id, ctx.region, params.get("QueueNamePrefix") or "")
        urls = [self.url(ctx, r.account_id, r.region, r.name) for r in records]
        return paginate(urls, [r.name for r in records], params, "QueueUrls")

    async def delete_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        await self.repository.delete_queue(queue.id, self.clock.now())
        self._forget(queue)
        if self.on_delete is not None:
            self.on_delete(queue)
        return {}

    def get_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        wanted = attrs.resolve_attribute_names(params.get("AttributeNames"), fifo=queue.fifo)
        computed: dict[str, str] = {}
        if any(name in attrs.COMPUTED_ATTRIBUTES for name in wanted):
            now = self.clock.now()
            counts = (
                self.repository.queue_counts(queue.id, now) if set(wanted) & set(COUNT_ATTRIBUTES) else None
            )
            computed = attrs.computed_attributes(
                queue_arn=queue.arn,
                created_timestamp=queue.record.created_at,
                last_modified_timestamp=queue.record.modified_at,
                visible=counts.visible if counts else 0,
                not_visible=counts.not_visible if counts else 0,
                delayed=counts.delayed if counts else 0,
            )
        selected = attrs.select_attributes(queue.record.attributes, computed, wanted)
        return {"Attributes": selected} if selected else {}

    async def set_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        changes = attrs.validate_set_attributes(params.get("Attributes") or {}, fifo=queue.fifo)
        self._check_redrive(ctx, changes, fifo=queue.fifo, arn=queue.arn)
        updated = attrs.apply_changes(queue.record.attributes, changes)
        await self.repository.update_queue(queue.id, self.clock.now(), updated, None)
        self._forget(queue)
        return {}

    async def purge_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        if not await self.repository.purge_queue(queue.id, self.clock.now(), PURGE_INTERVAL_SECONDS):
            raise AwsError(
                "PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
            )
        return {}

    # -- tags ------------------------------------------------------------------------------------------------

    async def _set_tags(self, queue: Queue, tags: dict[str, str]) -> None:
        await self.repository.update_queue(queue.id, self.clock.now(), None, tags)
        self._forget(queue)

    async def tag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        tags = params.get("Tags") or {}
        if not tags:
            raise _invalid("The request must contain the parameter Tags.")
        merged = {**queue.record.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise _invalid(f"Too many tags added for queue {queue.name}.")
        await self._set_tags(queue, merged)
        return {}

    async def untag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        keys = set(params.get("TagKeys") or ())
        if not keys or any(not 1 <= len(key) <= 128 for key in keys):
            raise _invalid("Tag keys must be between 1 and 128 characters in length.")
        await self._set_tags(queue, {k: v for k, v in queue.record.tags.items() if k not in keys})
        return {}

    def list_queue_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        return {"Tags": dict(queue.record.tags)} if queue.record.tags else {}

    # -- permissions (the policy is stored and returned; the IAM issue enforces it) ------------------------

    async def _set_policy(self, queue: Queue, policy: dict[str, Any] | None) -> None:
        updated = dict(queue.record.attributes)
        if policy is None:
            updated.pop("Policy", None)
        else:
            updated["Policy"] = json.dumps(policy, separators=(",", ":"))
        await self.repository.update_queue(queue.id, self.clock.now(), updated, None)
        self._forget(queue)

    async def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        label = params.get("Label") or ""
        accounts = params.get("AWSAccountIds") or []
        actions = params.get("Actions") or []
        if not actions:
            raise AwsError(
                "MissingRequiredParameterException", "The request must contain the parameter Actions."
            )
        if not accounts:
            raise _invalid("Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.")
        if len(actions) > MAX_PERMISSION_ACTIONS:
            found = f"{len(actions)} Actions were found"
            raise AwsError("OverLimit", f"{found}, maximum allowed is {MAX_PERMISSION_ACTIONS}.")
        for action in actions:
            if action not in GRANTABLE_ACTIONS:
                raise _invalid(
                    f"Value SQS:{action} for parameter ActionName is invalid. "
                    "Reason: Only the queue owner is allowed to invoke this action."
                )
        policy = json.loads(queue.record.attributes.get("Policy") or "null") or {
            "Version": "2008-10-17",  # what AWS writes into a policy AddPermission creates (AWS-recorded)
            "Id": f"{queue.arn}/SQSDefaultPolicy",
            "Statement": [],
        }
        statements = policy.setdefault("Statement", [])
        if any(s.get("Sid") == label for s in statements):
            raise _invalid(f"Value {label} for parameter Label is invalid. Reason: Already exists.")
        principals = [f"arn:aws:iam::{account}:root" for account in accounts]
        sqs_actions = [f"SQS:{action}" for action in actions]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": sqs_actions[0] if len(sqs_actions) == 1 else sqs_actions,
                "Resource": queue.arn,
            }
        )
        await self._set_policy(queue, policy)
        return {}

    async def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.resolve(ctx, params)
        label = params.get("Label") or ""
        policy = json.loads(queue.record.attributes.get("Policy") or "null") or {}
        statements = policy.get("Statement") or []
        kept = [s for s in statements if s.get("Sid") != label]
        if len(kept) == len(statements):
            raise _invalid(f"Value {label} for parameter Label is invalid. Reason: can't find label.")
        policy["Statement"] = kept
        await self._set_policy(queue, policy if kept else None)
        return {}

    # -- dead-letter sources ---------------------------------------------------------------------------------

    def dead_letter_sources(self, target: Queue) -> list[QueueRecord]:
        """The queues whose RedrivePolicy names `target` as their dead-letter queue."""
        return [
            record
            for record in self.repository.list_queues(target.record.account_id, target.record.region)
            if (policy := QueueConfig.from_attributes(record.attributes).redrive_policy) is not None
            and policy.dead_letter_target_arn == target.arn
        ]

    def list_dead_letter_source_queues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        sources = self.dead_letter_sources(self.resolve(ctx, params))
        urls = [self.url(ctx, r.account_id, r.region, r.name) for r in sources]
        return paginate(urls, [r.name for r in sources], params, "queueUrls")


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": name}).encode()).decode()


def _after(token: str) -> str:
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise _invalid("Invalid or expired next token.") from None
    if not isinstance(value, str):
        raise _invalid("Invalid or expired next token.")
    return value


def paginate(urls: list[str], keys: list[str], params: dict[str, Any], field: str) -> dict[str, Any]:
    """ListQueues-style paging: all (up to 1000) without MaxResults; pages and NextToken with it."""
    max_results = params.get("MaxResults")
    token = params.get("NextToken")
    if max_results is not None and not 1 <= max_results <= MAX_LIST_RESULTS:
        raise _invalid(
            f"Value {max_results} for parameter MaxResults is invalid. "
            "Reason: MaxResults must be an integer between 1 and 1000."
        )
    pairs = list(zip(keys, urls, strict=True))
    if token:
        after = _after(token)
        pairs = [pair for pair in pairs if pair[0] > after]
    limit = max_results or MAX_LIST_RESULTS
    page = pairs[:limit]
    result: dict[str, Any] = {field: [url for _, url in page]} if page else {}
    # NextToken only when the caller asked for pages (MaxResults) and more remain.
    if max_results is not None and len(pairs) > limit:
        result["NextToken"] = _token(page[-1][0])
    return result
