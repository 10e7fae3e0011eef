"""Subscriptions: Subscribe (SQS and Lambda in the account confirmed at once; HTTP/S sent a
SubscriptionConfirmation), ConfirmSubscription, Unsubscribe, the lists, and their attributes (filter
policy and scope, raw delivery, redrive and delivery policies)."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.sns import common, filter_policy
from millpond.services.sns.common import invalid, owner
from millpond.services.sns.repository import Record, SnsRepository
from millpond.services.sns.topics import Topics

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
SETTABLE = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
)
SCOPES = ("MessageAttributes", "MessageBody")
SQS_ARN = re.compile(r"^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")
LAMBDA_ARN = re.compile(
    r"^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
SUBSCRIPTION_ARN = re.compile(r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[A-Za-z0-9_.-]{1,256}:[0-9a-f-]{36}$")
TOKEN_LIFETIME = 3 * 24 * 3600  # AWS's confirmation tokens last three days
PAGE = 100

# Sends a SubscriptionConfirmation or UnsubscribeConfirmation to an HTTP/S endpoint (the deliverer's outbox).
Confirm = Callable[[Record, Record, str, str], Awaitable[None]]
UNSUBSCRIBED = "unsubscribed:"  # + token: the deleted subscription its UnsubscribeConfirmation can restore


class Subscriptions:
    def __init__(self, repository: SnsRepository, clock: Clock, topics: Topics, confirm: Confirm) -> None:
        self.repository = repository
        self.clock = clock
        self.topics = topics
        self.confirm = confirm

    def subscription(self, arn: Any) -> Record:
        if not isinstance(arn, str) or SUBSCRIPTION_ARN.match(arn) is None:
            raise invalid("SubscriptionArn")
        record = self.repository.get_subscription(arn)
        if record is None:
            raise common.subscription_not_found()
        return record

    async def subscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.topic(params.get("TopicArn"))
        protocol = str(params.get("Protocol", ""))
        endpoint = str(params.get("Endpoint") or "")
        if protocol not in PROTOCOLS:
            raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
        _check_endpoint(protocol, endpoint, topic)
        attributes = {k: str(v) for k, v in (params.get("Attributes") or {}).items()}
        for name, value in attributes.items():
            _check_attribute(name, value, attributes, protocol)
        for existing in self.repository.subscriptions_of(topic["TopicArn"]):
            if existing["Protocol"] == protocol and existing["Endpoint"] == endpoint:
                if any(existing["Attributes"].get(k) != v for k, v in attributes.items()):
                    raise invalid("Attributes Reason: Subscription already exists with different attributes")
                pending = existing["PendingConfirmation"] and not params.get("ReturnSubscriptionArn")
                return {"SubscriptionArn": "pending confirmation" if pending else existing["SubscriptionArn"]}
        arn = f"{topic['TopicArn']}:{uuid.uuid4()}"
        in_account = protocol in ("sqs", "lambda") and endpoint.split(":")[4] == ctx.account_id
        confirmed = in_account or protocol in ("sms", "application", "firehose")
        if "FilterPolicy" in attributes:
            attributes.setdefault("FilterPolicyScope", "MessageAttributes")
        record: Record = {
            "SubscriptionArn": arn,
            "TopicArn": topic["TopicArn"],
            "Owner": ctx.account_id,
            "Protocol": protocol,
            "Endpoint": endpoint,
            "PendingConfirmation": not confirmed,
            "ConfirmationWasAuthenticated": confirmed,
            "Attributes": {"RawMessageDelivery": "false", **attributes},
            "Token": None if confirmed else secrets.token_hex(64),
            "TokenExpires": self.clock.now() + TOKEN_LIFETIME,
        }
        await self.repository.put_subscription(owner(ctx), record)
        if protocol in ("http", "https"):
            await self.confirm(topic, record, ctx.endpoint_url, "SubscriptionConfirmation")
        pending = not confirmed and not params.get("ReturnSubscriptionArn")
        return {"SubscriptionArn": "pending confirmation" if pending else arn}

    async def confirm_subscription(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.topic(params.get("TopicArn"))
        token = str(params.get("Token", ""))
        for record in self.repository.subscriptions_of(topic["TopicArn"]):
            if record.get("Token") == token and token:
                if record["PendingConfirmation"]:
                    if record["TokenExpires"] < self.clock.now():
                        raise invalid("Token")
                    record["PendingConfirmation"] = False
                    authenticate = str(params.get("AuthenticateOnUnsubscribe", "false")).lower() == "true"
                    record["ConfirmationWasAuthenticated"] = authenticate
                    record["AuthenticateOnUnsubscribe"] = authenticate
                    await self.repository.put_subscription(owner(ctx), record)
                return {"SubscriptionArn": record["SubscriptionArn"]}
        stored = self.repository.get_value(UNSUBSCRIBED + token) if token else None
        if stored is not None:  # the SubscribeURL of an UnsubscribeConfirmation: the subscription comes back
            restored = json.loads(stored)
            if restored["TopicArn"] == topic["TopicArn"]:
                await self.repository.put_subscription(owner(ctx), restored)
                return {"SubscriptionArn": restored["SubscriptionArn"]}
        raise invalid("Token")

    async def unsubscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn = params.get("SubscriptionArn")
        if not isinstance(arn, str) or SUBSCRIPTION_ARN.match(arn) is None:
            raise invalid("SubscriptionArn")
        record = self.repository.get_subscription(arn)
        if record is not None and record.get("AuthenticateOnUnsubscribe") and ctx.access_key_id is None:
            # Confirmed with AuthenticateOnUnsubscribe: the unsigned UnsubscribeURL no longer works.
            raise AwsError(
                "AuthorizationErrorException", "Unsubscribe for this subscription requires authentication"
            )
        if record is not None:
            await self.repository.delete_subscription(arn)
            topic = self.repository.get_topic(record["TopicArn"])
            if (
                topic is not None
                and record["Protocol"] in ("http", "https")
                and not record["PendingConfirmation"]
            ):
                farewell = {**record, "Token": secrets.token_hex(64)}
                await self.repository.put_value(UNSUBSCRIBED + farewell["Token"], json.dumps(farewell))
                await self.confirm(topic, farewell, ctx.endpoint_url, "UnsubscribeConfirmation")
            if topic is not None:
                topic["SubscriptionsDeleted"] = int(topic.get("SubscriptionsDeleted", 0)) + 1
                await self.repository.put_topic(owner(ctx), topic)
        return {}

    def list_subscriptions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self.repository.list_subscriptions(owner(ctx))
        return _listing(found, params.get("NextToken"))

    def list_subscriptions_by_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.topic(params.get("TopicArn"))
        return _listing(self.repository.subscriptions_of(topic["TopicArn"]), params.get("NextToken"))

    def get_subscription_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.subscription(params.get("SubscriptionArn"))
        attributes: dict[str, str] = {
            "SubscriptionArn": record["SubscriptionArn"],
            "TopicArn": record["TopicArn"],
            "Owner": record["Owner"],
            "Protocol": record["Protocol"],
            "Endpoint": record["Endpoint"],
            "PendingConfirmation": _flag(record["PendingConfirmation"]),
            "ConfirmationWasAuthenticated": _flag(record["ConfirmationWasAuthenticated"]),
            "SubscriptionPrincipal": f"arn:aws:iam::{record['Owner']}:root",
            **record["Attributes"],
        }
        if record["Protocol"] in ("http", "https"):
            policy = {
                "healthyRetryPolicy": retry_policy(record, self.repository.get_topic(record["TopicArn"])),
                "sicklyRetryPolicy": None,
                "throttlePolicy": None,
                "requestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                "guaranteed": False,
            }
            attributes["EffectiveDeliveryPolicy"] = json.dumps(policy, separators=(",", ":"))
        return {"Attributes": attributes}

    async def set_subscription_attributes(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        record = self.subscription(params.get("SubscriptionArn"))
        name = str(params.get("AttributeName", ""))
        value = str(params.get("AttributeValue") or "")
        if name not in SETTABLE:
            raise invalid("AttributeName")
        attributes = dict(record["Attributes"])
        if name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy") and value in ("", "{}"):
            attributes.pop(name, None)
            if name == "FilterPolicy":
                attributes.pop("FilterPolicyScope", None)
        else:
            merged = {**attributes, name: value}
            if name == "FilterPolicy":
                merged.setdefault("FilterPolicyScope", "MessageAttributes")
            _check_attribute(name, value, merged, record["Protocol"])
            if name == "FilterPolicyScope" and "FilterPolicy" in merged:
                _check_attribute("FilterPolicy", merged["FilterPolicy"], merged, record["Protocol"])
            attributes = merged
        record["Attributes"] = attributes
        await self.repository.put_subscription(owner(ctx), record)
        return {}


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _listing(records: list[Record], token: Any) -> dict[str, Any]:
    page, next_token = common.paginate(records, token, PAGE)
    result: dict[str, Any] = {
        "Subscriptions": [
            {
                "SubscriptionArn": "PendingConfirmation"
                if r["PendingConfirmation"]
                else r["SubscriptionArn"],
                "Owner": r["Owner"],
                "Protocol": r["Protocol"],
                "Endpoint": r["Endpoint"],
                "TopicArn": r["TopicArn"],
            }
            for r in page
        ]
    }
    if next_token:
        result["NextToken"] = next_token
    return result


def _check_endpoint(protocol: str, endpoint: str, topic: Record) -> None:
    if protocol == "sqs":
        if not SQS_ARN.match(endpoint):
            raise invalid("SQS endpoint ARN")
        # FIFO topics may deliver to standard queues (since 2023-09), standard topics never to FIFO ones;
        # AWS repeats the "Invalid parameter: " prefix in this message.
        if endpoint.endswith(".fifo") and not topic["Fifo"]:
            raise invalid(
                "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard "
                "SNS topics"
            )
    elif protocol == "lambda":
        if not LAMBDA_ARN.match(endpoint):
            raise invalid("Lambda endpoint ARN")
    elif protocol in ("http", "https"):
        if not endpoint.lower().startswith(f"{protocol}://") or len(endpoint) <= len(protocol) + 3:
            raise invalid("Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json"):
        if "@" not in endpoint:
            raise invalid("Email address")
    elif not endpoint:
        raise invalid("Endpoint")
    if topic["Fifo"] and protocol not in ("sqs", "firehose"):
        raise invalid(f"Invalid protocol type: {protocol}")


def _check_attribute(name: str, value: str, attributes: dict[str, str], protocol: str) -> None:
    if name not in SETTABLE:
        raise invalid(f"Attributes Reason: Unknown attribute {name}")
    if name == "RawMessageDelivery":
        if value.lower() not in ("true", "false"):
            raise invalid("RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
        if protocol not in ("sqs", "http", "https", "firehose"):
            raise invalid(
                f"Attributes Reason: Delivery protocol [{protocol}] does not support raw message delivery."
            )
    elif name == "FilterPolicyScope":
        if value not in SCOPES:
            raise invalid(
                "FilterPolicyScope: Invalid filter policy scope, valid values: MessageAttributes, MessageBody"
            )
    elif name == "FilterPolicy":
        try:
            filter_policy.parse(value, attributes.get("FilterPolicyScope", "MessageAttributes"))
        except filter_policy.FilterPolicyError as error:
            raise invalid(f"FilterPolicy: {error}") from None
    elif name == "RedrivePolicy":
        policy = common.check_json(name, value)
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        if not isinstance(target, str) or not SQS_ARN.match(target):
            raise invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn")
    elif name == "DeliveryPolicy":
        common.check_retry_policy(common.check_json(name, value).get("healthyRetryPolicy"))


def retry_policy(subscription: Record, topic: Record | None) -> dict[str, Any]:
    """The HTTP retry policy a subscription's deliveries follow: its own over the topic's over AWS's."""
    healthy: dict[str, Any] = dict(common.DEFAULT_DELIVERY_POLICY["http"]["defaultHealthyRetryPolicy"])
    topic_policy = (topic or {}).get("Attributes", {}).get("DeliveryPolicy")
    if topic_policy:
        section = json.loads(topic_policy).get("http", {})
        if isinstance(section, dict):
            healthy.update(section.get("defaultHealthyRetryPolicy") or {})
    own = subscription["Attributes"].get("DeliveryPolicy")
    if own:
        parsed = json.loads(own)
        if isinstance(parsed, dict):
            healthy.update(parsed.get("healthyRetryPolicy") or {})
    return healthy
