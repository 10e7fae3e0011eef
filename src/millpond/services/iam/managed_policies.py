"""The AWS managed policies serverless applications attach, with AWS's ids, paths, versions and documents.

Sources: the AWS Managed Policy reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>)
for documents, versions and dates; `aws iam list-policies --scope AWS` output for PolicyIds. ReadOnlyAccess
is abridged to the services millpond serves (the real document lists thousands of actions).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from millpond.services.iam.repository import Record

_LOGS_WRITE = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(actions: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {**extra, "Effect": "Allow", "Action": actions, "Resource": resource}


# name: (path, PolicyId, default version, created, updated, description, document)
_POLICIES: dict[str, tuple[str, str, str, str, str, str, dict[str, Any]]] = {
    "AWSLambdaBasicExecutionRole": (
        "/service-role/",
        "ANPAJNCQGXC42545SKXIK",
        "v1",
        "2015-04-09T15:03:43",
        "2015-04-09T15:03:43",
        "Provides write permissions to CloudWatch Logs.",
        _doc(_allow(_LOGS_WRITE)),
    ),
    "AWSLambdaSQSQueueExecutionRole": (
        # PolicyId not found in the sources above; this one is millpond's (unverified).
        "/service-role/",
        "ANPAJFWJZI6JNND4TSELK",
        "v2",
        "2018-06-14T21:50:45",
        "2023-11-17T00:00:00",
        "Provides receive message, delete message, and read attribute access to SQS queues, and write "
        "permissions to CloudWatch logs.",
        _doc(_allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS_WRITE])),
    ),
    "AWSLambdaKinesisExecutionRole": (
        "/service-role/",
        "ANPAJHOLKJPXV4GBRMJUQ",
        "v2",
        "2015-04-09T15:14:16",
        "2018-11-19T20:09:24",
        "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
        _doc(
            _allow(
                [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:ListStreams",
                    "kinesis:SubscribeToShard",
                    *_LOGS_WRITE,
                ]
            )
        ),
    ),
    "AWSLambdaRole": (
        "/service-role/",
        "ANPAJX4DPCRGTC4NFDUXI",
        "v1",
        "2015-02-06T18:41:28",
        "2015-02-06T18:41:28",
        "Default policy for AWS Lambda service role.",
        _doc(_allow(["lambda:InvokeFunction"], ["*"])),
    ),
    "AWSLambdaExecute": (
        "/",
        "ANPAJE5FX7FQZSU5XAKGO",
        "v1",
        "2015-02-06T18:40:46",
        "2015-02-06T18:40:46",
        "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
        _doc(
            _allow(["logs:*"], "arn:aws:logs:*:*:*"),
            _allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*"),
        ),
    ),
    "AmazonSQSFullAccess": (
        "/",
        "ANPAI65L554VRJ33ECQS6",
        "v1",
        "2015-02-06T18:41:07",
        "2015-02-06T18:41:07",
        "Provides full access to Amazon SQS via the AWS Management Console.",
        _doc(_allow(["sqs:*"])),
    ),
    "AmazonSQSReadOnlyAccess": (
        "/",
        "ANPAIUGSSQY362XGCM6KW",
        "v4",
        "2015-02-06T18:41:08",
        "2024-05-24T18:16:00",
        "Provides read only access to Amazon SQS via the AWS Management Console.",
        _doc(
            _allow(
                [
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                    "sqs:ListDeadLetterSourceQueues",
                    "sqs:ListQueues",
                    "sqs:ListMessageMoveTasks",
                    "sqs:ListQueueTags",
                ],
                Sid="AmazonSQSReadOnlyAccess",
            )
        ),
    ),
    "AmazonKinesisFullAccess": (
        "/",
        "ANPAIVF32HAMOXCUYRAYE",
        "v1",
        "2015-02-06T18:40:45",
        "2015-02-06T18:40:45",
        "Provides full access to all streams via the AWS Management Console.",
        _doc(_allow("kinesis:*")),
    ),
    "AmazonKinesisReadOnlyAccess": (
        "/",
        "ANPAIOCMTDT5RLKZ2CAJO",
        "v1",
        "2015-02-06T18:40:44",
        "2015-02-06T18:40:44",
        "Provides read only access to all streams via the AWS Management Console.",
        _doc(_allow(["kinesis:Get*", "kinesis:List*", "kinesis:Describe*"])),
    ),
    "CloudWatchFullAccess": (
        "/",
        "ANPAIKEABORKUXN6DEAZU",
        "v3",
        "2015-02-06T18:40:53",
        "2018-08-09T19:10:43",
        "Provides full access to CloudWatch.",
        _doc(
            _allow(
                [
                    "autoscaling:Describe*",
                    "cloudwatch:*",
                    "logs:*",
                    "sns:*",
                    "iam:GetPolicy",
                    "iam:GetPolicyVersion",
                    "iam:GetRole",
                ]
            ),
            {
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": "arn:aws:iam::*:role/aws-service-role/events.amazonaws.com/"
                "AWSServiceRoleForCloudWatchEvents*",
                "Condition": {"StringLike": {"iam:AWSServiceName": "events.amazonaws.com"}},
            },
        ),
    ),
    "CloudWatchReadOnlyAccess": (
        "/",
        "ANPAJN23PDQP7SZQAE3QE",
        "v10",
        "2015-02-06T18:40:50",
        "2024-11-21T17:51:00",
        "Provides read only access to CloudWatch.",
        _doc(
            _allow(
                [
                    "application-autoscaling:DescribeScalingPolicies",
                    "application-signals:BatchGet*",
                    "application-signals:Get*",
                    "application-signals:List*",
                    "autoscaling:Describe*",
                    "cloudwatch:BatchGet*",
                    "cloudwatch:Describe*",
                    "cloudwatch:GenerateQuery",
                    "cloudwatch:Get*",
                    "cloudwatch:List*",
                    "logs:Get*",
                    "logs:List*",
                    "logs:StartQuery",
                    "logs:StopQuery",
                    "logs:Describe*",
                    "logs:TestMetricFilter",
                    "logs:FilterLogEvents",
                    "logs:StartLiveTail",
                    "logs:StopLiveTail",
                    "oam:ListSinks",
                    "sns:Get*",
                    "sns:List*",
                    "rum:BatchGet*",
                    "rum:Get*",
                    "rum:List*",
                    "synthetics:Describe*",
                    "synthetics:Get*",
                    "synthetics:List*",
                    "xray:BatchGet*",
                    "xray:Get*",
                    "xray:List*",
                    "xray:StartTraceRetrieval",
                    "xray:CancelTraceRetrieval",
                ],
                Sid="CloudWatchReadOnlyAccessPermissions",
            ),
            _allow(["oam:ListAttachedLinks"], "arn:aws:oam:*:*:sink/*", Sid="OAMReadPermissions"),
        ),
    ),
    "AmazonAPIGatewayAdministrator": (
        "/",
        "ANPAJ4PT6VY5NLKTNUYSI",
        "v1",
        "2015-07-09T17:34:45",
        "2015-07-09T17:34:45",
        "Provides full access to create/edit/delete APIs in Amazon API Gateway via the AWS Management "
        "Console.",
        _doc(_allow(["apigateway:*"], "arn:aws:apigateway:*::/*")),
    ),
    "AmazonAPIGatewayInvokeFullAccess": (
        "/",
        "ANPAIIWAX2NOOQJ4AIEQ6",
        "v2",
        "2015-07-09T17:36:12",
        "2018-12-18T18:25:10",
        "Provides full access to invoke APIs in Amazon API Gateway.",
        _doc(_allow(["execute-api:Invoke", "execute-api:ManageConnections"], "arn:aws:execute-api:*:*:*")),
    ),
    "AdministratorAccess": (
        "/",
        "ANPAIWMBCKSKIEE64ZLYK",
        "v1",
        "2015-02-06T18:39:46",
        "2015-02-06T18:39:46",
        "Provides full access to AWS services and resources.",
        _doc(_allow("*")),
    ),
    "PowerUserAccess": (
        "/",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "v12",
        "2015-02-06T18:39:47",
        "2026-02-12T17:59:00",
        "Provides full access to AWS services and resources, but does not allow management of Users and "
        "groups.",
        _doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            _allow(
                [
                    "account:GetAccountInformation",
                    "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization",
                ]
            ),
        ),
    ),
    "ReadOnlyAccess": (
        "/",
        "ANPAILL3HVNFSB6DCOWYQ",
        "v1",
        "2015-02-06T18:39:48",
        "2015-02-06T18:39:48",
        "Provides read-only access to AWS services and resources.",
        _doc(
            _allow(
                [
                    "apigateway:GET",
                    "cloudwatch:Describe*",
                    "cloudwatch:Get*",
                    "cloudwatch:List*",
                    "iam:Generate*",
                    "iam:Get*",
                    "iam:List*",
                    "iam:Simulate*",
                    "kinesis:Describe*",
                    "kinesis:Get*",
                    "kinesis:List*",
                    "lambda:Get*",
                    "lambda:List*",
                    "logs:Describe*",
                    "logs:FilterLogEvents",
                    "logs:Get*",
                    "logs:List*",
                    "logs:StartQuery",
                    "logs:StopQuery",
                    "logs:TestMetricFilter",
                    "sqs:Get*",
                    "sqs:List*",
                ]
            )
        ),
    ),
}


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _record(name: str) -> Record:
    path, policy_id, version, created, updated, description, document = _POLICIES[name]
    return {
        "PolicyName": name,
        "PolicyId": policy_id,
        "Arn": f"arn:aws:iam::aws:policy{path}{name}",
        "Path": path,
        "Description": description,
        "CreateDate": _epoch(created),
        "UpdateDate": _epoch(updated),
        "DefaultVersionId": version,
        "Versions": [
            {"VersionId": version, "Document": json.dumps(document, indent=2), "CreateDate": _epoch(updated)}
        ],
        "Tags": [],
        "AwsManaged": True,
    }


AWS_MANAGED: dict[str, Record] = {}
for _name in _POLICIES:
    _rec = _record(_name)
    AWS_MANAGED[_rec["Arn"].lower()] = _rec
