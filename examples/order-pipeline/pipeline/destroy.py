"""Tearing the pipeline down, in the reverse order of deploying it; whatever is already gone is skipped."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from pipeline.create import error_code, wait_until
from pipeline.dashboard import delete_dashboard
from pipeline.stack import APIS, FUNCTIONS, Stack

GONE = {"ResourceNotFoundException", "NoSuchEntity", "NotFoundException", "ResourceNotFound"}


def delete(stack: Stack, kind: str, name: str, action: Callable[[], Any]) -> None:
    try:
        action()
    except ClientError as error:
        if error_code(error) in GONE or "NonExistentQueue" in error_code(error):
            stack.progress(kind, name, "absent")
            return
        raise
    stack.progress(kind, name, "deleted")


def delete_mappings(stack: Stack) -> None:
    for key in ("order-processor", "stream-processor"):
        name = stack.name(key)
        try:
            mappings = stack.lambda_.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        except ClientError as error:
            if error_code(error) not in GONE:
                raise
            mappings = []
        if not mappings:
            stack.progress("event source map", f"-> {name}", "absent")
        for mapping in mappings:
            delete(
                stack,
                "event source map",
                f"{mapping['EventSourceArn'].split(':')[2]} -> {name}",
                partial(stack.lambda_.delete_event_source_mapping, UUID=mapping["UUID"]),
            )


def delete_role(stack: Stack) -> None:
    def remove() -> None:
        for policy in stack.iam.list_role_policies(RoleName=stack.role)["PolicyNames"]:
            stack.iam.delete_role_policy(RoleName=stack.role, PolicyName=policy)
        for policy in stack.iam.list_attached_role_policies(RoleName=stack.role)["AttachedPolicies"]:
            stack.iam.detach_role_policy(RoleName=stack.role, PolicyArn=policy["PolicyArn"])
        stack.iam.delete_role(RoleName=stack.role)

    delete(stack, "IAM role", stack.role, remove)


def delete_queue(stack: Stack, name: str) -> None:
    delete(
        stack,
        "SQS queue",
        name,
        lambda: stack.sqs.delete_queue(QueueUrl=stack.sqs.get_queue_url(QueueName=name)["QueueUrl"]),
    )


def delete_stream(stack: Stack) -> None:
    def remove() -> None:
        stack.kinesis.delete_stream(StreamName=stack.stream, EnforceConsumerDeletion=True)

        def gone() -> bool:
            try:
                stack.kinesis.describe_stream_summary(StreamName=stack.stream)
            except ClientError as error:
                return error_code(error) == "ResourceNotFoundException"
            return False

        wait_until(gone, f"stream {stack.stream} to be deleted")

    delete(stack, "Kinesis stream", stack.stream, remove)


def teardown(stack: Stack) -> None:
    stack.say(f"Tearing down the order pipeline '{stack.prefix}' at {stack.endpoint_url or 'AWS'}")
    delete_mappings(stack)
    for api in APIS:
        name = stack.name(api.key)
        found = stack.find_api(name)
        if found is None:
            stack.progress("REST API", name, "absent")
        else:
            delete(stack, "REST API", name, partial(stack.apigateway.delete_rest_api, restApiId=found["id"]))
    for function in FUNCTIONS:
        name = stack.name(function.key)
        delete(stack, "Lambda function", name, partial(stack.lambda_.delete_function, FunctionName=name))
        group = f"/aws/lambda/{name}"
        delete(stack, "log group", group, partial(stack.logs.delete_log_group, logGroupName=group))
    delete_role(stack)
    delete_stream(stack)
    delete_queue(stack, stack.queue)
    delete_queue(stack, stack.dlq)
    delete_dashboard(stack)
    stack.say("Done.")
