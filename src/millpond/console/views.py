"""Page views: what one console page needs, gathered from several provider calls in one round trip.
Every number here comes from a provider method the AWS API also calls (ListQueues, GetQueueAttributes,
ListEventSourceMappings, ...), so the console shows what the APIs return.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from millpond.console.calls import Caller

View = Callable[[Caller, dict[str, str]], Awaitable[dict[str, Any]]]
QUEUE_COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


def _redrive(attributes: dict[str, str]) -> dict[str, Any]:
    try:
        policy = json.loads(attributes.get("RedrivePolicy") or "{}")
    except ValueError:
        policy = {}
    return policy if isinstance(policy, dict) else {}


async def _mappings(caller: Caller, **params: str) -> list[dict[str, Any]]:
    if not caller.has("lambda"):
        return []
    found = await caller.attempt("lambda", "ListEventSourceMappings", dict(params))
    return list(found.get("EventSourceMappings", []))


async def queues(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    listed = await caller.call(
        "sqs", "ListQueues", {"QueueNamePrefix": query.get("prefix", ""), "MaxResults": 1000}
    )
    rows = []
    for url in listed.get("QueueUrls", []):
        found = await caller.attempt(
            "sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]}
        )
        attributes = found.get("Attributes", {})
        policy = _redrive(attributes)
        rows.append(
            {
                "url": url,
                "name": url.rsplit("/", 1)[-1],
                "arn": attributes.get("QueueArn", ""),
                "visible": int(attributes.get(QUEUE_COUNTS[0], 0)),
                "inFlight": int(attributes.get(QUEUE_COUNTS[1], 0)),
                "delayed": int(attributes.get(QUEUE_COUNTS[2], 0)),
                "fifo": attributes.get("FifoQueue") == "true",
                "created": float(attributes.get("CreatedTimestamp") or 0) or None,
                "dlqArn": policy.get("deadLetterTargetArn"),
                "maxReceiveCount": policy.get("maxReceiveCount"),
            }
        )
    by_arn = {row["arn"]: row for row in rows}
    sources: dict[str, list[str]] = {}
    for row in rows:
        if row["dlqArn"]:
            sources.setdefault(row["dlqArn"], []).append(row["name"])
    for row in rows:
        target = by_arn.get(row["dlqArn"] or "")
        row["dlqName"] = target["name"] if target else None
        row["sources"] = sources.get(row["arn"], [])
    return {"queues": rows}


async def queue(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    url = query["url"]
    attributes = (
        await caller.call("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
    )["Attributes"]
    tags = await caller.attempt("sqs", "ListQueueTags", {"QueueUrl": url})
    sources = await caller.attempt("sqs", "ListDeadLetterSourceQueues", {"QueueUrl": url})
    source_urls = list(sources.get("queueUrls", []))
    tasks: dict[str, Any] = {"Results": []}
    if source_urls:
        tasks = await caller.attempt("sqs", "ListMessageMoveTasks", {"SourceArn": attributes["QueueArn"]})
    policy = _redrive(attributes)
    dlq_url = None
    if policy.get("deadLetterTargetArn"):
        dlq_name = str(policy["deadLetterTargetArn"]).rsplit(":", 1)[-1]
        dlq_url = url.rsplit("/", 1)[0] + "/" + dlq_name
    return {
        "url": url,
        "name": url.rsplit("/", 1)[-1],
        "attributes": attributes,
        "redrive": policy,
        "dlqUrl": dlq_url,
        "tags": tags.get("Tags", {}),
        "sources": source_urls,
        "moveTasks": tasks.get("Results", []),
        "mappings": await _mappings(caller, EventSourceArn=attributes["QueueArn"]),
    }


async def streams(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    listed = await caller.call("kinesis", "ListStreams", {"Limit": 1000})
    rows = []
    for name in listed.get("StreamNames", []):
        summary = await caller.attempt("kinesis", "DescribeStreamSummary", {"StreamName": name})
        rows.append(summary.get("StreamDescriptionSummary", {"StreamName": name}))
    return {"streams": rows}


async def stream(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    name = query["name"]
    summary = (await caller.call("kinesis", "DescribeStreamSummary", {"StreamName": name}))[
        "StreamDescriptionSummary"
    ]
    shards: list[dict[str, Any]] = []
    params: dict[str, Any] = {"StreamName": name}
    while True:
        page = await caller.call("kinesis", "ListShards", params)
        shards.extend(page.get("Shards", []))
        if not page.get("NextToken"):
            break
        params = {"NextToken": page["NextToken"]}
    consumers = await caller.attempt("kinesis", "ListStreamConsumers", {"StreamARN": summary["StreamARN"]})
    tags = await caller.attempt("kinesis", "ListTagsForStream", {"StreamName": name, "Limit": 50})
    return {
        "summary": summary,
        "tags": tags.get("Tags", []),
        "shards": shards,
        "consumers": consumers.get("Consumers", []),
        "mappings": await _mappings(caller, EventSourceArn=summary["StreamARN"]),
    }


async def records(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    """Read records from one shard at a position: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AT_TIMESTAMP."""
    params: dict[str, Any] = {
        "StreamName": query["stream"],
        "ShardId": query["shard"],
        "ShardIteratorType": query.get("position", "TRIM_HORIZON"),
    }
    if params["ShardIteratorType"] in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        params["StartingSequenceNumber"] = query["sequence"]
    if params["ShardIteratorType"] == "AT_TIMESTAMP":
        params["Timestamp"] = datetime.fromtimestamp(float(query["timestamp"]), UTC)
    iterator = (await caller.call("kinesis", "GetShardIterator", params)).get("ShardIterator")
    found: list[dict[str, Any]] = []
    limit = int(query.get("limit", 100))
    for _ in range(20):  # a few pages: empty pages are normal until the iterator reaches data
        if not iterator or len(found) >= limit:
            break
        page = await caller.call("kinesis", "GetRecords", {"ShardIterator": iterator, "Limit": limit})
        found.extend(page.get("Records", []))
        iterator = page.get("NextShardIterator")
        if not page.get("Records") and page.get("MillisBehindLatest", 0) == 0:
            break
    return {"records": found[:limit]}


async def functions(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    listed = await caller.call("lambda", "ListFunctions", {"MaxItems": 1000})
    mappings = await _mappings(caller)
    return {"functions": listed.get("Functions", []), "mappings": mappings}


async def function(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    name = query["name"]
    found = await caller.call("lambda", "GetFunction", {"FunctionName": name})
    concurrency = await caller.attempt("lambda", "GetFunctionConcurrency", {"FunctionName": name})
    streams_ = await caller.attempt(
        "logs",
        "DescribeLogStreams",
        {"logGroupName": f"/aws/lambda/{name}", "orderBy": "LastEventTime", "descending": True, "limit": 20},
    )
    return {
        "function": found,
        "concurrency": concurrency.get("ReservedConcurrentExecutions"),
        "mappings": await _mappings(caller, FunctionName=name),
        "logStreams": streams_.get("logStreams", []),
    }


async def api(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    api_id = query["id"]
    rest_api = await caller.call("apigateway", "GetRestApi", {"restApiId": api_id})
    resources = await caller.call("apigateway", "GetResources", {"restApiId": api_id, "embed": ["methods"]})
    items = resources.get("items", [])
    for resource in items:
        for verb in list((resource.get("resourceMethods") or {}).keys()):
            method = await caller.attempt(
                "apigateway",
                "GetMethod",
                {"restApiId": api_id, "resourceId": resource["id"], "httpMethod": verb},
            )
            resource["resourceMethods"][verb] = method
    stages = await caller.attempt("apigateway", "GetStages", {"restApiId": api_id})
    return {"api": rest_api, "resources": items, "stages": stages.get("item", [])}


async def iam(caller: Caller, query: dict[str, str]) -> dict[str, Any]:
    roles = (await caller.call("iam", "ListRoles", {"MaxItems": 1000})).get("Roles", [])
    users = (await caller.call("iam", "ListUsers", {"MaxItems": 1000})).get("Users", [])
    for role in roles:
        attached = await caller.attempt("iam", "ListAttachedRolePolicies", {"RoleName": role["RoleName"]})
        inline = await caller.attempt("iam", "ListRolePolicies", {"RoleName": role["RoleName"]})
        role["AttachedPolicies"] = attached.get("AttachedPolicies", [])
        role["InlinePolicies"] = [
            await caller.attempt("iam", "GetRolePolicy", {"RoleName": role["RoleName"], "PolicyName": p})
            for p in inline.get("PolicyNames", [])
        ]
    for user in users:
        attached = await caller.attempt("iam", "ListAttachedUserPolicies", {"UserName": user["UserName"]})
        inline = await caller.attempt("iam", "ListUserPolicies", {"UserName": user["UserName"]})
        user["AttachedPolicies"] = attached.get("AttachedPolicies", [])
        user["InlinePolicies"] = [
            await caller.attempt("iam", "GetUserPolicy", {"UserName": user["UserName"], "PolicyName": p})
            for p in inline.get("PolicyNames", [])
        ]
    return {"roles": roles, "users": users}


VIEWS: dict[str, View] = {
    "queues": queues,
    "queue": queue,
    "streams": streams,
    "stream": stream,
    "records": records,
    "functions": functions,
    "function": function,
    "api": api,
    "iam": iam,
}
