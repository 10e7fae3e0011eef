"""`millpond users add NAME --prefix P`: an IAM user with keys and a policy over resources named P*.

A shortcut over the IAM API a lab would use (CreateUser, CreateAccessKey, PutUserPolicy), called on the
running server with the root keys. The secret is printed once, as AWS shows it once.
"""

from __future__ import annotations

import json
from typing import Any

from millpond.config import Settings

POLICY_NAME = "millpond-prefix"


def prefix_policy(account: str, prefix: str) -> dict[str, Any]:
    """Everything on sqs/kinesis/lambda/logs/sns resources (and IAM roles/policies) named `prefix`*, plus the
    account-wide listings those services only grant on "*"."""
    own = [
        f"arn:aws:sqs:*:{account}:{prefix}*",
        f"arn:aws:kinesis:*:{account}:stream/{prefix}*",
        f"arn:aws:lambda:*:{account}:function:{prefix}*",
        f"arn:aws:logs:*:{account}:log-group:{prefix}*",
        f"arn:aws:logs:*:{account}:log-group:/aws/lambda/{prefix}*",
        f"arn:aws:sns:*:{account}:{prefix}*",
    ]
    mappings = [f"lambda:{op}EventSourceMapping" for op in ("Create", "Get", "Update", "Delete")]
    listing = [
        "sqs:ListQueues",
        "kinesis:ListStreams",
        "kinesis:DescribeLimits",
        "lambda:ListFunctions",
        "lambda:ListEventSourceMappings",
        "lambda:GetAccountSettings",
        "logs:DescribeLogGroups",
        "iam:ListRoles",
        "iam:ListPolicies",
        "cloudwatch:*",
        "apigateway:*",
        # SNS grants these on "*" only (subscriptions are no resource type of their own).
        "sns:ListTopics",
        "sns:ListSubscriptions",
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:Unsubscribe",
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnResources",
                "Effect": "Allow",
                "Action": ["sqs:*", "kinesis:*", "lambda:*", "logs:*", "sns:*"],
                "Resource": own,
            },
            {
                "Sid": "OwnRoles",
                "Effect": "Allow",
                "Action": "iam:*",
                "Resource": [
                    f"arn:aws:iam::{account}:role/{prefix}*",
                    f"arn:aws:iam::{account}:policy/{prefix}*",
                ],
            },
            {
                "Sid": "OwnMappings",
                "Effect": "Allow",
                "Action": mappings,
                "Resource": "*",
                "Condition": {
                    "ArnLikeIfExists": {
                        "lambda:FunctionArn": f"arn:aws:lambda:*:{account}:function:{prefix}*"
                    }
                },
            },
            {"Sid": "Listing", "Effect": "Allow", "Action": listing, "Resource": "*"},
        ],
    }


def add_user(settings: Settings, name: str, prefix: str) -> dict[str, str]:
    """Create the user, its key and its policy on the running server; returns the key pair."""
    import boto3
    from botocore.config import Config

    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    iam = boto3.client(
        "iam",
        endpoint_url=f"http://{host}:{settings.port}",
        region_name=settings.region,
        aws_access_key_id=settings.root_access_key_id,
        aws_secret_access_key=settings.root_secret_access_key,
        config=Config(retries={"max_attempts": 1}),
    )
    iam.create_user(UserName=name, Tags=[{"Key": "millpond:prefix", "Value": prefix}])
    key = iam.create_access_key(UserName=name)["AccessKey"]
    document = json.dumps(prefix_policy(settings.account_id, prefix))
    iam.put_user_policy(UserName=name, PolicyName=POLICY_NAME, PolicyDocument=document)
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
