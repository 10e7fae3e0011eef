"""The SQS scenario both protocols must pass, as a script: run it with any botocore (current: JSON; before
1.31.81: query) as `python scenario.py <endpoint> <suffix>`; it prints one JSON object of what it observed.

Queue + DLQ (maxReceiveCount 3), a send with attributes, long-poll receives that never delete, the virtual
clock advanced past each visibility timeout, the fourth receive dead-letters the message, and a move task
brings it back. Only the standard library and boto3 are imported, so old and new botocore both run it.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from typing import Any

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError


def advance(endpoint: str, seconds: float) -> None:
    request = urllib.request.Request(
        endpoint + "/_millpond/clock", data=json.dumps({"advance": seconds}).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=10).read()


def main(endpoint: str, suffix: str) -> dict[str, Any]:
    sqs = boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    out: dict[str, Any] = {"botocore": botocore.__version__}
    dlq_url = sqs.create_queue(QueueName=f"scenario-dlq-{suffix}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    attributes = {"RedrivePolicy": policy, "VisibilityTimeout": "30"}
    url = sqs.create_queue(QueueName=f"scenario-{suffix}", Attributes=attributes)["QueueUrl"]
    out["queue_url"] = url
    out["idempotent_url"] = sqs.create_queue(QueueName=f"scenario-{suffix}", Attributes=attributes)[
        "QueueUrl"
    ]
    try:
        sqs.create_queue(QueueName=f"scenario-{suffix}", Attributes={"VisibilityTimeout": "31"})
    except ClientError as error:
        out["create_conflict"] = error.response["Error"]["Code"]
    try:
        sqs.get_queue_url(QueueName=f"missing-{suffix}")
    except ClientError as error:
        out["missing"] = [
            error.response["Error"]["Code"],
            error.response["ResponseMetadata"]["HTTPStatusCode"],
        ]
    message_attributes = {
        "kind": {"DataType": "String", "StringValue": "order"},
        "price": {"DataType": "Number.float", "StringValue": "12.50"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    }
    sent = sqs.send_message(
        QueueUrl=url, MessageBody='{"id": 1} & <x>\r\n', MessageAttributes=message_attributes
    )
    out["sent"] = {k: sent.get(k) for k in ("MessageId", "MD5OfMessageBody", "MD5OfMessageAttributes")}
    receives = []
    for _ in range(3):
        started = time.monotonic()
        got = sqs.receive_message(
            QueueUrl=url,
            WaitTimeSeconds=5,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        receives.append(
            {
                "count": len(got),
                "seconds": time.monotonic() - started,
                "id": got[0]["MessageId"] if got else None,
                "receive_count": got[0]["Attributes"]["ApproximateReceiveCount"] if got else None,
                "md5_attributes": got[0].get("MD5OfMessageAttributes") if got else None,
                "body": got[0]["Body"] if got else None,
            }
        )
        # Not deleting it: "processing fails"; let the visibility timeout pass on the virtual clock.
        advance(endpoint, 31)
    out["receives"] = receives
    fourth = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
    out["fourth_receive"] = len(fourth)
    dead = sqs.receive_message(
        QueueUrl=dlq_url, WaitTimeSeconds=5, MessageAttributeNames=["All"], AttributeNames=["All"]
    ).get("Messages", [])
    out["dead"] = [
        {
            "id": m["MessageId"],
            "body": m["Body"],
            "attributes": {
                k: {kk: (vv if isinstance(vv, str) else list(vv)) for kk, vv in v.items()}
                for k, v in m.get("MessageAttributes", {}).items()
            },
            "md5_attributes": m.get("MD5OfMessageAttributes"),
            "source": m["Attributes"].get("DeadLetterQueueSourceArn"),
        }
        for m in dead
    ]
    out["sources"] = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
    if dead:
        sqs.change_message_visibility(
            QueueUrl=dlq_url, ReceiptHandle=dead[0]["ReceiptHandle"], VisibilityTimeout=0
        )
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    out["task_handle"] = bool(handle)
    tasks: list[Any] = []
    for _ in range(100):
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
        if tasks and tasks[0]["Status"] != "RUNNING":
            break
        time.sleep(0.02)
    out["task"] = (
        {k: tasks[0].get(k) for k in ("Status", "ApproximateNumberOfMessagesMoved")} if tasks else None
    )
    back = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, MessageAttributeNames=["All"]).get(
        "Messages", []
    )
    out["back"] = [
        {"id": m["MessageId"], "body": m["Body"], "md5": m.get("MD5OfMessageAttributes")} for m in back
    ]
    if back:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=back[0]["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    out["after"] = {
        k: counts[k] for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
    }
    sqs.delete_queue(QueueUrl=url)
    sqs.delete_queue(QueueUrl=dlq_url)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
