"""The contract between the template engine and the resource types it builds.

The engine resolves a resource's properties (every intrinsic already evaluated), decides create, update in
place, replacement or delete, and calls the resource type; the type calls millpond's services through
ServiceCalls, with the parameters the service's botocore model names, and reports the physical id (what
Ref gives) and the attributes Fn::GetAtt can read. A type raises AwsError on failure; the engine turns it
into the resource's CREATE_FAILED / UPDATE_FAILED status reason, as AWS words it from the service's error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from millpond.context import RequestContext


class ServiceCalls(Protocol):
    """Calls an operation of a served service in-process, with the wire layer's input validation."""

    async def __call__(
        self, ctx: RequestContext, service: str, operation: str, params: Mapping[str, Any]
    ) -> dict[str, Any]: ...


@dataclass
class ResourceRequest:
    logical_id: str
    resource_type: str
    properties: dict[str, Any]  # resolved: no intrinsic functions left
    stack_name: str
    stack_id: str
    ctx: RequestContext  # the stack's account, region and endpoint URL
    calls: ServiceCalls
    # Stack-level tags (Key/Value) plus aws:cloudformation:stack-name/-id/logical-id, for types taking tags.
    tags: list[dict[str, str]] = field(default_factory=list)
    # Set for update and delete: what the last successful operation produced.
    physical_id: str | None = None
    previous_properties: dict[str, Any] | None = None
    previous_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResourceOutcome:
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)  # name -> value, for Fn::GetAtt


class ResourceType(Protocol):
    type_name: ClassVar[str]  # e.g. "AWS::SQS::Queue"
    # Properties whose change replaces the resource ("Update requires: Replacement" in the AWS resource
    # reference); a change to any other property is an update in place.
    replacement_properties: ClassVar[frozenset[str]]

    async def create(self, request: ResourceRequest) -> ResourceOutcome: ...

    async def update(self, request: ResourceRequest) -> ResourceOutcome: ...

    async def delete(self, request: ResourceRequest) -> None: ...  # gone already is success


def generated_name(request: ResourceRequest, max_length: int = 64, suffix: str = "") -> str:
    """The name CloudFormation gives a resource whose name property is absent:
    <stack name>-<logical id>-<12 random upper-case letters and digits>, cut to the type's limit."""
    import secrets
    import string

    tail = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(12))
    room = max_length - len(tail) - len(suffix) - 2
    head = f"{request.stack_name}-{request.logical_id}"[: max(room, 1)]
    return f"{head}-{tail}{suffix}"
