"""Order producer: POST /messages puts a batch of order messages on the orders queue.

Request body (JSON, every field optional):
    {"messageType": "order", "batchSize": 5, "simulateFailure": false}

Each message carries an order (id, customer, amount, items) and a `priority` message attribute. With
simulateFailure the first message is flagged, so the order processor fails it and it ends up in the DLQ.
"""

import json
import os
import random
import uuid
from datetime import UTC, datetime

import boto3

sqs = boto3.client("sqs")

QUEUE_URL = os.environ["QUEUE_URL"]
MAX_BATCH = 100
CATALOG = [
    ("sku-kettle", 34.5),
    ("sku-teapot", 22.0),
    ("sku-mug", 8.25),
    ("sku-beans", 14.9),
    ("sku-filter", 4.5),
]
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type,Authorization,X-Api-Key",
    "Access-Control-Allow-Methods": "OPTIONS,POST",
}


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **CORS_HEADERS},
        "body": json.dumps(body),
    }


def make_order(message_type, fail):
    items = [
        {"sku": sku, "quantity": random.randint(1, 3), "unitPrice": price}
        for sku, price in random.sample(CATALOG, random.randint(1, 3))
    ]
    return {
        "messageType": message_type,
        "orderId": f"ord-{uuid.uuid4().hex[:12]}",
        "customerId": f"cust-{random.randint(1, 50):04d}",
        "items": items,
        "amount": round(sum(i["quantity"] * i["unitPrice"] for i in items), 2),
        "createdAt": datetime.now(UTC).isoformat(),
        "simulateFailure": fail,
    }


def handler(event, context):
    if event.get("httpMethod") == "OPTIONS":
        return respond(204, {})
    try:
        request = json.loads(event.get("body") or "{}")
        message_type = str(request.get("messageType", "order"))
        batch_size = int(request.get("batchSize", 1))
        simulate_failure = bool(request.get("simulateFailure", False))
    except (ValueError, TypeError, AttributeError) as error:
        return respond(400, {"error": f"invalid request: {error}"})
    if not 1 <= batch_size <= MAX_BATCH:
        return respond(400, {"error": f"batchSize must be between 1 and {MAX_BATCH}"})

    orders = [make_order(message_type, simulate_failure and n == 0) for n in range(batch_size)]
    sent = []
    for start in range(0, len(orders), 10):  # SendMessageBatch takes at most 10 entries
        chunk = orders[start : start + 10]
        entries = [
            {
                "Id": str(n),
                "MessageBody": json.dumps(order),
                "MessageAttributes": {
                    "priority": {
                        "DataType": "String",
                        "StringValue": "high" if order["amount"] > 60 else "normal",
                    },
                    "messageType": {"DataType": "String", "StringValue": message_type},
                },
            }
            for n, order in enumerate(chunk)
        ]
        reply = sqs.send_message_batch(QueueUrl=QUEUE_URL, Entries=entries)
        if reply.get("Failed"):
            return respond(502, {"error": "some messages were not sent", "failed": reply["Failed"]})
        ids = {entry["Id"]: entry["MessageId"] for entry in reply["Successful"]}
        sent += [{"messageId": ids[str(n)], **order} for n, order in enumerate(chunk)]

    print(json.dumps({"event": "orders_sent", "count": len(sent), "simulateFailure": simulate_failure}))
    return respond(200, {"messageType": message_type, "sent": len(sent), "messages": sent})
