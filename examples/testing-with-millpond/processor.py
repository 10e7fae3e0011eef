"""An SQS-triggered Lambda handler: records each valid order on a 'done' queue and reports invalid
ones as batch item failures, so SQS retries them and finally moves them to the dead-letter queue."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    failures = []
    for record in event["Records"]:
        order = json.loads(record["body"])
        if order["amount"] <= 0:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        sqs.send_message(QueueUrl=os.environ["DONE_QUEUE_URL"], MessageBody=order["order_id"])
    return {"batchItemFailures": failures}
