"""Order processor: the orders queue's consumer (event source mapping with ReportBatchItemFailures).

Each order goes through validate -> reserve -> price -> confirm, one JSON log line per step. An order that
fails is reported as a batch item failure: SQS makes it visible again after the visibility timeout, and the
redrive policy moves it to the dead-letter queue after its third receive.
"""

import json


class OrderError(Exception):
    pass


def log(event, **fields):
    print(json.dumps({"event": event, **fields}))


def validate(order):
    if order.get("simulateFailure"):
        raise OrderError("simulated failure: payment declined")
    if not order.get("items") or order.get("amount", 0) <= 0:
        raise OrderError("order has no items or no amount")


def reserve(order):
    return {item["sku"]: item["quantity"] for item in order["items"]}


def price(order):
    subtotal = sum(item["quantity"] * item["unitPrice"] for item in order["items"])
    shipping = 0.0 if subtotal >= 50 else 4.95
    return round(subtotal + shipping, 2)


def process(record):
    order = json.loads(record["body"])
    order_id = order["orderId"]
    priority = record.get("messageAttributes", {}).get("priority", {}).get("stringValue", "normal")
    attempt = int(record["attributes"]["ApproximateReceiveCount"])
    context = {"orderId": order_id, "messageId": record["messageId"], "attempt": attempt}
    validate(order)
    log("order_step", step="validate", **context)
    reserved = reserve(order)
    log("order_step", step="reserve", reserved=reserved, **context)
    total = price(order)
    log("order_step", step="price", total=total, **context)
    log("order_step", step="confirm", **context)
    log("order_processed", priority=priority, total=total, customerId=order["customerId"], **context)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception as error:  # any failure: report this message, keep going with the others
            attempt = int(record["attributes"]["ApproximateReceiveCount"])
            order_id = json.loads(record["body"]).get("orderId") if record["body"].startswith("{") else None
            log(
                "order_failed",
                orderId=order_id,
                messageId=record["messageId"],
                attempt=attempt,
                error=str(error),
            )
            failures.append({"itemIdentifier": record["messageId"]})
    log("batch_done", received=len(event["Records"]), failed=len(failures))
    return {"batchItemFailures": failures}
