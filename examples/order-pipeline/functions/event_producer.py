"""Event producer: POST /events puts analytics events on the stream.

Request body (JSON): {"eventType": "user_activity" | "transaction" | "system_metric", "eventCount": 10}

Each event goes in with its natural partition key (the user, the customer, the host), so one key's events
stay in order on one shard. The reply lists every record's shard and sequence number.
"""

import json
import os
import random
import uuid
from datetime import UTC, datetime

import boto3

kinesis = boto3.client("kinesis")

STREAM_NAME = os.environ["STREAM_NAME"]
MAX_EVENTS = 500  # PutRecords takes at most 500 records
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


def user_activity():
    user = f"user-{random.randint(1, 20):03d}"
    action = random.choice(["login", "view", "click", "add_to_cart", "logout"])
    return user, {
        "userId": user,
        "action": action,
        "page": random.choice(["/", "/shop", "/cart", "/account"]),
    }


def transaction():
    customer = f"cust-{random.randint(1, 50):04d}"
    status = random.choices(["completed", "pending", "failed"], weights=[7, 2, 1])[0]
    amount = round(random.uniform(5, 250), 2)
    return customer, {
        "customerId": customer,
        "transactionId": f"tx-{uuid.uuid4().hex[:10]}",
        "amount": amount,
        "currency": "USD",
        "status": status,
    }


def system_metric():
    host = f"host-{random.randint(1, 4)}"
    return host, {
        "host": host,
        "cpu": round(random.uniform(10, 99), 1),
        "memory": round(random.uniform(20, 97), 1),
        "disk": round(random.uniform(30, 80), 1),
    }


GENERATORS = {"user_activity": user_activity, "transaction": transaction, "system_metric": system_metric}


def handler(event, context):
    if event.get("httpMethod") == "OPTIONS":
        return respond(204, {})
    try:
        request = json.loads(event.get("body") or "{}")
        event_type = request.get("eventType", "user_activity")
        count = int(request.get("eventCount", 1))
    except (ValueError, TypeError, AttributeError) as error:
        return respond(400, {"error": f"invalid request: {error}"})
    if event_type not in GENERATORS:
        return respond(400, {"error": f"eventType must be one of {sorted(GENERATORS)}"})
    if not 1 <= count <= MAX_EVENTS:
        return respond(400, {"error": f"eventCount must be between 1 and {MAX_EVENTS}"})

    now = datetime.now(UTC).isoformat()
    events = []
    for _ in range(count):
        key, fields = GENERATORS[event_type]()
        events.append(
            (key, {"eventId": uuid.uuid4().hex, "eventType": event_type, "timestamp": now, **fields})
        )
    reply = kinesis.put_records(
        StreamName=STREAM_NAME,
        Records=[{"PartitionKey": key, "Data": json.dumps(body).encode()} for key, body in events],
    )
    records = [
        {"partitionKey": key, "event": body, **result}
        for (key, body), result in zip(events, reply["Records"], strict=True)
    ]
    sent = [
        {
            "partitionKey": r["partitionKey"],
            "shardId": r["ShardId"],
            "sequenceNumber": r["SequenceNumber"],
            "event": r["event"],
        }
        for r in records
        if "ShardId" in r
    ]
    failed = [
        {"partitionKey": r["partitionKey"], "error": r.get("ErrorCode")}
        for r in records
        if "ShardId" not in r
    ]
    print(
        json.dumps(
            {"event": "events_sent", "eventType": event_type, "count": len(sent), "failed": len(failed)}
        )
    )
    return respond(
        200 if not failed else 207,
        {"eventType": event_type, "sent": len(sent), "records": sent, "failed": failed},
    )
