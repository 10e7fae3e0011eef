"""What every SNS module shares: AWS's errors, ARNs, the default topic policy and delivery policy."""

from __future__ import annotations

import json
import re
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.sns.repository import Owner

TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
FIFO_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
TOPIC_ARN = re.compile(
    r"^arn:aws[\w-]*:sns:(?P<region>[\w-]+):(?P<account>\d{12}):(?P<name>[A-Za-z0-9_.-]{1,256})$"
)

# AWS's default healthy retry policy for HTTP/S subscriptions (EffectiveDeliveryPolicy).
DEFAULT_DELIVERY_POLICY: dict[str, Any] = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", f"Invalid parameter: {message}")


def invalid_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def topic_not_found() -> AwsError:
    return AwsError("NotFoundException", "Topic does not exist")


def subscription_not_found() -> AwsError:
    return AwsError("NotFoundException", "Subscription does not exist")


def owner(ctx: RequestContext) -> Owner:
    return Owner(ctx.account_id, ctx.region)


def topic_arn(ctx: RequestContext, name: str) -> str:
    return f"arn:aws:sns:{ctx.region}:{ctx.account_id}:{name}"


def check_topic_arn(arn: Any, field: str = "TopicArn") -> str:
    if not isinstance(arn, str) or TOPIC_ARN.match(arn) is None:
        raise invalid(field)
    return arn


def default_policy(arn: str, account: str) -> str:
    """The policy AWS gives a new topic: the owner account may do everything to it."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:SetTopicAttributes",
                        "SNS:AddPermission",
                        "SNS:RemovePermission",
                        "SNS:DeleteTopic",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                }
            ],
        },
        separators=(",", ":"),
    )


def paginate(items: list[Any], token: Any, page: int) -> tuple[list[Any], str | None]:
    """One page of `items` after NextToken `token` (an index, as a string); AWS's lists page by 100."""
    start = 0
    if token:
        if not str(token).isdigit() or int(token) > len(items):
            raise invalid("NextToken")
        start = int(token)
    end = start + page
    return items[start:end], (str(end) if end < len(items) else None)


def check_json(name: str, value: str) -> dict[str, Any]:
    """A policy attribute's JSON object, or AWS's InvalidParameter."""
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        raise invalid(f"Attributes Reason: {name}: failed to parse JSON.") from None
    if not isinstance(parsed, dict):
        raise invalid(f"Attributes Reason: {name}: the policy must be a JSON object.")
    return parsed


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """A policy's statements as a list (IAM allows one statement as an object)."""
    found = policy.get("Statement")
    if isinstance(found, dict):
        return [found]
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


BACKOFF_FUNCTIONS = ("linear", "arithmetic", "geometric", "exponential")


def check_retry_policy(policy: Any, name: str = "DeliveryPolicy") -> None:
    """An HTTP healthy retry policy: whole numbers in AWS's bounds and a known backoff function."""
    if policy is None:
        return
    if not isinstance(policy, dict):
        raise invalid(f"{name}: healthyRetryPolicy must be an object")
    for key, value in policy.items():
        if key == "backoffFunction":
            if value not in BACKOFF_FUNCTIONS:
                raise invalid(f"{name}: backoffFunction must be one of {', '.join(BACKOFF_FUNCTIONS)}")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise invalid(f"{name}: {key} must be a non-negative whole number")
    if int(policy.get("numRetries", 3)) > 100:
        raise invalid(f"{name}: numRetries must be at most 100")
    low, high = int(policy.get("minDelayTarget", 20)), int(policy.get("maxDelayTarget", 20))
    if not 1 <= low <= high <= 3600:
        raise invalid(f"{name}: minDelayTarget and maxDelayTarget must satisfy 1 <= min <= max <= 3600")
