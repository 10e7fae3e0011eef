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


def check_json(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise invalid(f"Attributes Reason: {name}: failed to parse JSON.") from None
