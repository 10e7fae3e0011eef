"""SQS actions and resources (Service Authorization Reference, "Actions defined by Amazon SQS").

Batch operations are authorised as their single-message action; every queue operation is checked against
the queue ARN; ListQueues names no resource.
"""

from __future__ import annotations

from millpond.errors import AwsError
from millpond.services.iam.actions import ANY, Call, kinds
from millpond.services.sqs import names

PREFIX = "sqs"
RESOURCES: dict[str, tuple[str, ...]] = {
    "queue": (
        "AddPermission", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "DeleteMessage",
        "DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "ListDeadLetterSourceQueues",
        "ListQueueTags", "PurgeQueue", "ReceiveMessage", "RemovePermission", "SendMessage",
        "SendMessageBatch", "SetQueueAttributes", "TagQueue", "UntagQueue",
    ),
    "queue_name": ("CreateQueue", "GetQueueUrl"),
    "source_queue": ("StartMessageMoveTask", "ListMessageMoveTasks"),
    "task": ("CancelMessageMoveTask",),
    ANY: ("ListQueues",),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def arns(kind: str, call: Call) -> list[str]:
    params = call.params
    if kind == "queue":
        try:
            address = names.parse_queue_url(params.get("QueueUrl"))
        except AwsError:
            return []  # not a queue URL: the operation itself answers that
        owner = address.account_id or call.account
        return [names.queue_arn(address.region or call.region, owner, address.name)]
    if kind == "queue_name":
        owner = params.get("QueueOwnerAWSAccountId") or call.account
        return [names.queue_arn(call.region, owner, str(params.get("QueueName", "")))]
    if kind == "source_queue":
        return [str(params.get("SourceArn") or ANY)]
    return [ANY]
