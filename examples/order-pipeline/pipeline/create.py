"""Deploying the pipeline, one idempotent step per resource: look it up, create it if it is missing,
update it if it differs from what is wanted, and say which of the three happened."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from pipeline.stack import FOURTEEN_DAYS, FUNCTIONS, MANAGED_POLICIES, RUNTIME, Function, Stack

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def wait_until(check: Any, what: str, timeout: float = 120.0) -> Any:
    """Poll `check()` until it returns something truthy: quickly at first, then every 2 s."""
    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


# -- SQS -----------------------------------------------------------------------------------------------------


def queue_arn(stack: Stack, url: str) -> str:
    attributes = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])


def ensure_queue(stack: Stack, name: str, wanted: dict[str, str]) -> str:
    """The queue's URL, after creating it or bringing its attributes to `wanted`."""
    try:
        url = str(stack.sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as error:
        if "NonExistentQueue" not in error_code(error):
            raise
        url = str(stack.sqs.create_queue(QueueName=name, Attributes=wanted, tags=stack.tags)["QueueUrl"])
        stack.progress("SQS queue", name, "created")
        return url
    current = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    changed = {k: v for k, v in wanted.items() if not same_attribute(k, current.get(k), v)}
    if changed:
        stack.sqs.set_queue_attributes(QueueUrl=url, Attributes=changed)
    tags = stack.sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    if any(tags.get(k) != v for k, v in stack.tags.items()):
        stack.sqs.tag_queue(QueueUrl=url, Tags=stack.tags)
        changed["tags"] = "Project"
    stack.progress("SQS queue", name, "updated" if changed else "unchanged", ", ".join(changed))
    return url


def same_attribute(name: str, current: str | None, wanted: str) -> bool:
    if current is None:
        return False
    if name == "RedrivePolicy":  # maxReceiveCount comes back as a number or a string
        a, b = json.loads(current), json.loads(wanted)
        return bool(a["deadLetterTargetArn"] == b["deadLetterTargetArn"]) and int(
            a["maxReceiveCount"]
        ) == int(b["maxReceiveCount"])
    return current == wanted


def ensure_queues(stack: Stack) -> tuple[str, str]:
    """(queue URL, queue ARN); the DLQ first, since the queue's redrive policy names it."""
    dlq_url = ensure_queue(stack, stack.dlq, {"MessageRetentionPeriod": str(FOURTEEN_DAYS)})
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(stack, dlq_url), "maxReceiveCount": 3})
    wanted = {
        "VisibilityTimeout": "300",
        "MessageRetentionPeriod": str(FOURTEEN_DAYS),
        "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": redrive,
    }
    url = ensure_queue(stack, stack.queue, wanted)
    return url, queue_arn(stack, url)


# -- Kinesis -------------------------------------------------------------------------------------------------


def stream_summary(stack: Stack) -> dict[str, Any] | None:
    try:
        return dict(
            stack.kinesis.describe_stream_summary(StreamName=stack.stream)["StreamDescriptionSummary"]
        )
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise


def wait_stream_active(stack: Stack) -> dict[str, Any]:
    return dict(
        wait_until(
            lambda: (s := stream_summary(stack)) is not None and s["StreamStatus"] == "ACTIVE" and s,
            f"stream {stack.stream} to become ACTIVE",
        )
    )


def ensure_stream(stack: Stack) -> str:
    """The stream's ARN: 2 shards, 24 hours of retention."""
    summary = stream_summary(stack)
    if summary is None:
        stack.kinesis.create_stream(
            StreamName=stack.stream,
            ShardCount=2,
            StreamModeDetails={"StreamMode": "PROVISIONED"},
            Tags=stack.tags,
        )
        summary = wait_stream_active(stack)
        stack.progress("Kinesis stream", stack.stream, "created", "2 shards")
        return str(summary["StreamARN"])
    summary = wait_stream_active(stack)
    changes = []
    if summary["OpenShardCount"] != 2:
        stack.kinesis.update_shard_count(
            StreamName=stack.stream, TargetShardCount=2, ScalingType="UNIFORM_SCALING"
        )
        summary = wait_stream_active(stack)
        changes.append("2 shards")
    if summary["RetentionPeriodHours"] > 24:
        stack.kinesis.decrease_stream_retention_period(StreamName=stack.stream, RetentionPeriodHours=24)
        changes.append("24 h retention")
    tags = stack.kinesis.list_tags_for_stream(StreamName=stack.stream)["Tags"]
    if any({t["Key"]: t["Value"] for t in tags}.get(k) != v for k, v in stack.tags.items()):
        stack.kinesis.add_tags_to_stream(StreamName=stack.stream, Tags=stack.tags)
        changes.append("tags")
    stack.progress("Kinesis stream", stack.stream, "updated" if changes else "unchanged", ", ".join(changes))
    return str(summary["StreamARN"])


# -- IAM -----------------------------------------------------------------------------------------------------


def send_policy(queue_arn_: str, stream_arn: str) -> dict[str, Any]:
    """What the producers need beyond the managed policies: sending to the queue, putting on the stream."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes"],
                "Resource": queue_arn_,
            },
            {
                "Effect": "Allow",
                "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
                "Resource": stream_arn,
            },
        ],
    }


def ensure_role(stack: Stack, queue_arn_: str, stream_arn: str) -> tuple[str, bool]:
    """(the execution role's ARN, whether it was just created)."""
    created = False
    try:
        arn = str(stack.iam.get_role(RoleName=stack.role)["Role"]["Arn"])
    except ClientError as error:
        if error_code(error) != "NoSuchEntity":
            raise
        arn = str(
            stack.iam.create_role(
                RoleName=stack.role,
                AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                Description="Execution role of the order pipeline's functions",
                Tags=[{"Key": k, "Value": v} for k, v in stack.tags.items()],
            )["Role"]["Arn"]
        )
        created = True
    attached = {
        p["PolicyArn"] for p in stack.iam.list_attached_role_policies(RoleName=stack.role)["AttachedPolicies"]
    }
    missing = [p for p in MANAGED_POLICIES if p not in attached]
    for policy in missing:
        stack.iam.attach_role_policy(RoleName=stack.role, PolicyArn=policy)
    document = send_policy(queue_arn_, stream_arn)
    try:
        current = stack.iam.get_role_policy(RoleName=stack.role, PolicyName=stack.inline_policy)[
            "PolicyDocument"
        ]
        if isinstance(current, str):
            current = json.loads(current)
    except ClientError as error:
        if error_code(error) != "NoSuchEntity":
            raise
        current = None
    inline_changed = current != document
    if inline_changed:
        stack.iam.put_role_policy(
            RoleName=stack.role, PolicyName=stack.inline_policy, PolicyDocument=json.dumps(document)
        )
    if created:
        stack.progress(
            "IAM role", stack.role, "created", f"{len(MANAGED_POLICIES)} managed policies + inline"
        )
    elif missing or inline_changed:
        stack.progress("IAM role", stack.role, "updated", "policies")
    else:
        stack.progress("IAM role", stack.role, "unchanged")
    return arn, created


# -- Lambda --------------------------------------------------------------------------------------------------


def function_zip(function: Function) -> bytes:
    """The function's module zipped in memory, byte for byte the same while the source is unchanged."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{function.module}.py", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, (FUNCTIONS_DIR / f"{function.module}.py").read_bytes())
    return buffer.getvalue()


def code_sha256(archive: bytes) -> str:
    return base64.b64encode(hashlib.sha256(archive).digest()).decode()


def wait_function_ready(stack: Stack, name: str) -> None:
    """AWS takes a moment after a create or an update; the next update must wait for it."""

    def ready() -> bool:
        config = stack.lambda_.get_function_configuration(FunctionName=name)
        return config.get("State") == "Active" and config.get("LastUpdateStatus") != "InProgress"

    wait_until(ready, f"function {name} to become Active")


def ensure_function(stack: Stack, function: Function, role_arn: str, env: dict[str, str]) -> str:
    """The function's ARN, after creating it or updating its code and configuration where they differ."""
    name = stack.name(function.key)
    archive = function_zip(function)
    settings: dict[str, Any] = {
        "Runtime": RUNTIME,
        "Role": role_arn,
        "Handler": f"{function.module}.handler",
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory,
        "Environment": {"Variables": env},
    }
    try:
        current = stack.lambda_.get_function(FunctionName=name)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        current = None
    changes: list[str] = []
    if current is None:
        # A role created seconds ago may not be assumable yet on AWS: retry for a while.
        arn = wait_until(
            lambda: create_function(stack, name, archive, settings), f"role {role_arn} to propagate"
        )
        status = "created"
    else:
        config = current["Configuration"]
        arn = config["FunctionArn"]
        if config["CodeSha256"] != code_sha256(archive):
            wait_function_ready(stack, name)
            stack.lambda_.update_function_code(FunctionName=name, ZipFile=archive)
            changes.append("code")
        current_env = {"Variables": config.get("Environment", {}).get("Variables", {})}
        differs = {
            k: v for k, v in settings.items() if (current_env if k == "Environment" else config.get(k)) != v
        }
        if differs:
            wait_function_ready(stack, name)
            stack.lambda_.update_function_configuration(FunctionName=name, **differs)
            changes += [k.lower() for k in differs]
        status = "updated" if changes else "unchanged"
    reserved = (current or {}).get("Concurrency", {}).get("ReservedConcurrentExecutions")
    if function.reserved_concurrency is not None and reserved != function.reserved_concurrency:
        stack.lambda_.put_function_concurrency(
            FunctionName=name, ReservedConcurrentExecutions=function.reserved_concurrency
        )
        if status == "unchanged":
            status, changes = "updated", [*changes, "reserved concurrency"]
    stack.progress("Lambda function", name, status, ", ".join(changes))
    return str(arn)


def create_function(stack: Stack, name: str, archive: bytes, settings: dict[str, Any]) -> str | None:
    try:
        created = stack.lambda_.create_function(
            FunctionName=name, Code={"ZipFile": archive}, Tags=stack.tags, **settings
        )
    except ClientError as error:
        if error_code(error) == "InvalidParameterValueException" and "assumed" in str(error):
            return None
        raise
    return str(created["FunctionArn"])


def ensure_functions(stack: Stack, role_arn: str, queue_url: str) -> dict[str, str]:
    """ARNs by function key; environment variables tell the producers where to send."""
    env = {"order-producer": {"QUEUE_URL": queue_url}, "event-producer": {"STREAM_NAME": stack.stream}}
    arns = {f.key: ensure_function(stack, f, role_arn, env.get(f.key, {})) for f in FUNCTIONS}
    for key in arns:
        wait_function_ready(stack, stack.name(key))
    return arns


def ensure_mapping(stack: Stack, source_arn: str, function_key: str, wanted: dict[str, Any]) -> str:
    """The mapping's UUID. StartingPosition is fixed at creation, so it is left out of the comparison."""
    name = stack.name(function_key)
    found = stack.lambda_.list_event_source_mappings(EventSourceArn=source_arn, FunctionName=name)
    mappings = found.get("EventSourceMappings", [])
    label = f"{source_arn.split(':')[2]} -> {name}"
    if not mappings:
        created = stack.lambda_.create_event_source_mapping(
            EventSourceArn=source_arn, FunctionName=name, **wanted
        )
        stack.progress("event source map", label, "created")
        return str(created["UUID"])
    mapping = mappings[0]
    updatable = {k: v for k, v in wanted.items() if k != "StartingPosition"}
    differs = {k: v for k, v in updatable.items() if mapping.get(k) != v}
    if differs:
        wait_until(
            lambda: (
                stack.lambda_.get_event_source_mapping(UUID=mapping["UUID"])["State"]
                in ("Enabled", "Disabled")
            ),
            "the mapping to settle",
        )
        stack.lambda_.update_event_source_mapping(UUID=mapping["UUID"], **differs)
    stack.progress("event source map", label, "updated" if differs else "unchanged", ", ".join(differs))
    return str(mapping["UUID"])


def ensure_mappings(stack: Stack, queue_arn_: str, stream_arn: str) -> list[str]:
    orders = ensure_mapping(
        stack,
        queue_arn_,
        "order-processor",
        {
            "BatchSize": 5,
            "MaximumBatchingWindowInSeconds": 5,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 2},
        },
    )
    analytics = ensure_mapping(
        stack,
        stream_arn,
        "stream-processor",
        {
            "StartingPosition": "LATEST",
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 5,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": False,
        },
    )
    uuids = [orders, analytics]
    for uuid in uuids:  # a LATEST mapping only sees records put once it is Enabled
        wait_until(
            lambda u=uuid: stack.lambda_.get_event_source_mapping(UUID=u)["State"] == "Enabled",
            "the mapping to be enabled",
        )
    return uuids
