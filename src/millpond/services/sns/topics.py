"""Topics: CreateTopic (standard and FIFO), DeleteTopic, ListTopics, Get/SetTopicAttributes, tags, the
topic policy (AddPermission/RemovePermission) and the data protection policy (stored, not applied)."""

from __future__ import annotations

import json
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.sns import common
from millpond.services.sns.common import invalid, owner
from millpond.services.sns.repository import Record, SnsRepository

# Attributes a caller may set (CreateTopic's Attributes, SetTopicAttributes).
SETTABLE = {
    "DeliveryPolicy",
    "DisplayName",
    "Policy",
    "TracingConfig",
    "KmsMasterKeyId",
    "SignatureVersion",
    "ContentBasedDeduplication",
    "FifoThroughputScope",
    "ArchivePolicy",
    "DataProtectionPolicy",
    "HTTPSuccessFeedbackRoleArn",
    "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn",
    "LambdaSuccessFeedbackSampleRate",
    "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn",
    "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn",
    "ApplicationSuccessFeedbackRoleArn",
    "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn",
    "FirehoseSuccessFeedbackSampleRate",
    "FirehoseFailureFeedbackRoleArn",
}
MAX_TAGS = 50
PAGE = 100


class Topics:
    def __init__(self, repository: SnsRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock

    def topic(self, arn: Any) -> Record:
        record = self.repository.get_topic(common.check_topic_arn(arn))
        if record is None:
            raise common.topic_not_found()
        return record

    async def create_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("Name", ""))
        attributes = {k: str(v) for k, v in (params.get("Attributes") or {}).items()}
        fifo = attributes.get("FifoTopic", "false").lower() == "true"
        if fifo or name.endswith(".fifo"):
            if not fifo or common.FIFO_TOPIC_NAME.match(name) is None:
                raise invalid(
                    "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
                    "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and "
                    "256 characters long."
                )
        elif common.TOPIC_NAME.match(name) is None:
            raise invalid("Topic Name")
        arn = common.topic_arn(ctx, name)
        attributes.pop("FifoTopic", None)
        for key in attributes:
            if key not in SETTABLE:
                raise invalid(f"Attributes Reason: Unknown attribute {key}")
        _check_attributes(attributes, fifo)
        tags = _tags(params.get("Tags"))
        existing = self.repository.get_topic(arn)
        if existing is not None:
            # CreateTopic is idempotent, unless it asks for attributes or tags that differ.
            differs = any(existing["Attributes"].get(k) != v for k, v in attributes.items() if k != "Policy")
            if differs:
                raise invalid("Attributes Reason: Topic already exists with different attributes")
            if any(existing["Tags"].get(k) != v for k, v in tags.items()):
                raise invalid("Tags Reason: Topic already exists with different tags")
            return {"TopicArn": arn}
        data_protection = attributes.pop("DataProtectionPolicy", None)
        if params.get("DataProtectionPolicy"):
            data_protection = str(params["DataProtectionPolicy"])
        stored: dict[str, str] = {"Policy": common.default_policy(arn, ctx.account_id), **attributes}
        if fifo:
            stored["FifoTopic"] = "true"
            stored.setdefault("ContentBasedDeduplication", "false")
        record = {
            "TopicArn": arn,
            "Name": name,
            "Owner": ctx.account_id,
            "Fifo": fifo,
            "Attributes": stored,
            "Tags": tags,
            "DataProtectionPolicy": data_protection,
            "SubscriptionsDeleted": 0,
            "CreatedAt": self.clock.now(),
        }
        await self.repository.put_topic(owner(ctx), record)
        return {"TopicArn": arn}

    async def delete_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn = common.check_topic_arn(params.get("TopicArn"))
        if self.repository.get_topic(arn) is not None:  # deleting a missing topic succeeds, as on AWS
            await self.repository.delete_topic(arn)
        return {}

    def list_topics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topics = self.repository.list_topics(owner(ctx))
        page, token = common.paginate(topics, params.get("NextToken"), PAGE)
        result: dict[str, Any] = {"Topics": [{"TopicArn": t["TopicArn"]} for t in page]}
        if token:
            result["NextToken"] = token
        return result

    def get_topic_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.topic(params.get("TopicArn"))
        subscriptions = self.repository.subscriptions_of(record["TopicArn"])
        pending = sum(1 for s in subscriptions if s["PendingConfirmation"])
        attributes: dict[str, str] = {
            "TopicArn": record["TopicArn"],
            "Owner": record["Owner"],
            "DisplayName": "",
            "SubscriptionsConfirmed": str(len(subscriptions) - pending),
            "SubscriptionsPending": str(pending),
            "SubscriptionsDeleted": str(record.get("SubscriptionsDeleted", 0)),
            "EffectiveDeliveryPolicy": json.dumps(common.DEFAULT_DELIVERY_POLICY, separators=(",", ":")),
            **record["Attributes"],
        }
        if "DeliveryPolicy" in record["Attributes"]:
            attributes["EffectiveDeliveryPolicy"] = _effective(record["Attributes"]["DeliveryPolicy"])
        return {"Attributes": attributes}

    async def set_topic_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.topic(params.get("TopicArn"))
        name = str(params.get("AttributeName", ""))
        value = params.get("AttributeValue")
        if name not in SETTABLE or name == "DataProtectionPolicy":
            raise invalid("AttributeName")
        if name == "ContentBasedDeduplication" and not record["Fifo"]:
            raise invalid(
                "ContentBasedDeduplication Reason: Content based deduplication can only be set for "
                "FIFO topics"
            )
        if value is None or value == "":
            if name in ("Policy",):
                value = common.default_policy(record["TopicArn"], record["Owner"])
            else:
                record["Attributes"].pop(name, None)
                await self.repository.put_topic(owner(ctx), record)
                return {}
        _check_attributes({name: str(value)}, record["Fifo"])
        record["Attributes"][name] = str(value)
        await self.repository.put_topic(owner(ctx), record)
        return {}

    # -- the topic policy ---------------------------------------------------------------------------------
    async def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.topic(params.get("TopicArn"))
        label = str(params.get("Label", ""))
        policy = json.loads(record["Attributes"]["Policy"])
        policy["Statement"] = common.statements(policy)
        if any(s.get("Sid") == label for s in policy["Statement"]):
            raise invalid("Statement already exists")
        accounts = list(params.get("AWSAccountId") or [])
        actions = list(params.get("ActionName") or [])
        if not accounts or not actions:
            raise invalid("AWSAccountId and ActionName")
        policy["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]},
                "Action": [f"SNS:{a}" for a in actions],
                "Resource": record["TopicArn"],
            }
        )
        record["Attributes"]["Policy"] = json.dumps(policy, separators=(",", ":"))
        await self.repository.put_topic(owner(ctx), record)
        return {}

    async def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.topic(params.get("TopicArn"))
        label = str(params.get("Label", ""))
        policy = json.loads(record["Attributes"]["Policy"])
        statements = common.statements(policy)
        kept = [s for s in statements if s.get("Sid") != label]
        if len(kept) == len(statements):
            raise AwsError("NotFoundException", "Statement not found")
        policy["Statement"] = kept
        record["Attributes"]["Policy"] = json.dumps(policy, separators=(",", ":"))
        await self.repository.put_topic(owner(ctx), record)
        return {}

    # -- data protection ----------------------------------------------------------------------------------
    async def put_data_protection_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.topic(params.get("ResourceArn"))
        text = str(params.get("DataProtectionPolicy", ""))
        policy = common.check_json("DataProtectionPolicy", text)
        if not isinstance(policy, dict) or "Statement" not in policy:
            raise invalid("DataProtectionPolicy Reason: the policy must contain a Statement")
        record["DataProtectionPolicy"] = text
        await self.repository.put_topic(owner(ctx), record)
        return {}

    def get_data_protection_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.topic(params.get("ResourceArn"))
        policy = record.get("DataProtectionPolicy")
        return {"DataProtectionPolicy": policy} if policy else {}

    # -- tags ---------------------------------------------------------------------------------------------
    def _tagged(self, arn: Any) -> Record:
        record = (
            self.repository.get_topic(arn) if isinstance(arn, str) and common.TOPIC_ARN.match(arn) else None
        )
        if record is None:
            raise AwsError("ResourceNotFoundException", "Resource does not exist")
        return record

    async def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._tagged(params.get("ResourceArn"))
        merged = {**record["Tags"], **_tags(params.get("Tags"))}
        if len(merged) > MAX_TAGS:
            raise AwsError(
                "TagLimitExceededException", "Could not complete request: tag quota of per resource exceeded"
            )
        record["Tags"] = merged
        await self.repository.put_topic(owner(ctx), record)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._tagged(params.get("ResourceArn"))
        for key in params.get("TagKeys") or []:
            record["Tags"].pop(key, None)
        await self.repository.put_topic(owner(ctx), record)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self._tagged(params.get("ResourceArn"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in record["Tags"].items()]}


def _tags(raw: Any) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in raw or []:
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        if not 1 <= len(key) <= 128 or len(value) > 256 or key.lower().startswith("aws:"):
            raise invalid("Tags Reason: Tag key or value is invalid")
        tags[key] = value
    if len(tags) > MAX_TAGS:
        raise AwsError(
            "TagLimitExceededException", "Could not complete request: tag quota of per resource exceeded"
        )
    return tags


def _check_attributes(attributes: dict[str, str], fifo: bool) -> None:
    for name, value in attributes.items():
        if name in ("Policy", "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy"):
            parsed = common.check_json(name, value)
            if name == "DeliveryPolicy":
                http = parsed.get("http")
                common.check_retry_policy(
                    http.get("defaultHealthyRetryPolicy") if isinstance(http, dict) else None, name
                )
        if name == "ContentBasedDeduplication" and value.lower() not in ("true", "false"):
            raise invalid("ContentBasedDeduplication")
        if name == "ContentBasedDeduplication" and not fifo and value.lower() == "true":
            raise invalid(
                "ContentBasedDeduplication Reason: Content based deduplication can only be set for "
                "FIFO topics"
            )
        if name == "SignatureVersion" and value not in ("1", "2"):
            raise invalid("SignatureVersion")
        if name == "TracingConfig" and value not in ("PassThrough", "Active"):
            raise invalid("TracingConfig")
        if name == "FifoThroughputScope" and (not fifo or value not in ("Topic", "MessageGroup")):
            raise invalid("FifoThroughputScope")


def _effective(delivery_policy: str) -> str:
    """The topic's DeliveryPolicy over AWS's defaults, as EffectiveDeliveryPolicy reads."""
    policy = json.loads(json.dumps(common.DEFAULT_DELIVERY_POLICY))
    given = json.loads(delivery_policy)
    for protocol, section in given.items() if isinstance(given, dict) else []:
        if isinstance(section, dict):
            policy.setdefault(protocol, {}).update(section)
    return json.dumps(policy, separators=(",", ":"))
