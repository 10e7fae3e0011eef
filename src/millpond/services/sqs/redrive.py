"""Dead-letter queue policies: RedrivePolicy on a source queue, RedriveAllowPolicy on a dead-letter queue.

RedrivePolicy is `{"deadLetterTargetArn": "...", "maxReceiveCount": 5}` (the count may be sent as a number or
a string). RedriveAllowPolicy is `{"redrivePermission": "allowAll"|"denyAll"|"byQueue", "sourceQueueArns":
[...]}` with at most 10 ARNs, and only with byQueue. Both arrive as JSON strings; an empty string removes the
policy. Problems are InvalidParameterValue errors worded "Value <policy> for parameter RedrivePolicy is
invalid. Reason:".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from millpond.errors import AwsError
from millpond.services.sqs.names import is_fifo_name, parse_arn

MAX_RECEIVE_COUNT_RANGE = (1, 1000)
MAX_SOURCE_QUEUE_ARNS = 10
REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")
_INTEGER = re.compile(r"-?\d+")
_UNSUPPORTED_FORMAT = (
    "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive allow "
    "policy, as it\u2019s in an unsupported format."  # AWS's text has a typographic apostrophe
)


def _invalid(raw: str, parameter: str, reason: str) -> AwsError:
    return AwsError(
        "InvalidParameterValueException",
        f"Value {raw} for parameter {parameter} is invalid. Reason: {reason}",
    )


def _json_object(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _receive_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


@dataclass(frozen=True, slots=True)
class RedrivePolicy:
    dead_letter_target_arn: str
    max_receive_count: int

    def to_json(self) -> str:
        """The stored and returned form: compact, with maxReceiveCount as a number."""
        # AWS normalises the policy it returns; the exact key order and spacing are a best guess.
        policy = {
            "deadLetterTargetArn": self.dead_letter_target_arn,
            "maxReceiveCount": self.max_receive_count,
        }
        return json.dumps(policy, separators=(",", ":"))


def parse_redrive_policy(raw: str) -> RedrivePolicy | None:
    """Validate a RedrivePolicy attribute value; None for "" (which removes the policy)."""
    if raw == "":
        return None
    policy = _json_object(raw)
    if policy is None:
        raise AwsError(
            "InvalidParameterValueException",
            "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.",
        )
    if "maxReceiveCount" not in policy:
        raise _invalid(
            raw, "RedrivePolicy", "Redrive policy does not contain mandatory attribute: maxReceiveCount."
        )
    if "deadLetterTargetArn" not in policy:
        raise _invalid(
            raw, "RedrivePolicy", "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."
        )
    if set(policy) - {"maxReceiveCount", "deadLetterTargetArn"}:
        raise _invalid(
            raw,
            "RedrivePolicy",
            "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].",
        )
    raw_count = policy["maxReceiveCount"]
    count = _receive_count(raw_count)
    low, high = MAX_RECEIVE_COUNT_RANGE
    if count is None or not low <= count <= high:
        shown = raw_count if isinstance(raw_count, str) else json.dumps(raw_count)
        raise _invalid(
            raw,
            "RedrivePolicy",
            f"Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive.",
        )
    target = policy["deadLetterTargetArn"]
    arn = parse_arn(target) if isinstance(target, str) else None
    if arn is None:
        raise _invalid(raw, "RedrivePolicy", "Invalid value for deadLetterTargetArn.")
    if arn.service != "sqs":
        raise _invalid(raw, "RedrivePolicy", "Only SQS queues are valid resources for deadLetterTargetArn.")
    return RedrivePolicy(dead_letter_target_arn=target, max_receive_count=count)


def check_dead_letter_target(
    raw: str,
    policy: RedrivePolicy,
    *,
    source_fifo: bool,
    source_account_id: str,
    source_region: str,
    target_exists: bool,
) -> None:
    """The checks that need the target queue (the caller looks it up by the ARN's account and name)."""
    arn = parse_arn(policy.dead_letter_target_arn)
    if arn is None:  # parse_redrive_policy never returns such a policy
        raise _invalid(raw, "RedrivePolicy", "Invalid value for deadLetterTargetArn.")
    if arn.account_id != source_account_id:
        raise _invalid(raw, "RedrivePolicy", "Dead-letter target owner should be same as the source.")
    if arn.region != source_region:
        raise _invalid(raw, "RedrivePolicy", "Dead-letter target must be in same region as the source.")
    if not target_exists:
        raise _invalid(raw, "RedrivePolicy", "Dead letter target does not exist.")
    if is_fifo_name(arn.resource) != source_fifo:
        # AWS-recorded (Terraform log): the reason really ends with two periods.
        raise _invalid(raw, "RedrivePolicy", "Dead-letter queue must be same type of queue as the source..")


@dataclass(frozen=True, slots=True)
class RedriveAllowPolicy:
    redrive_permission: str = "allowAll"
    source_queue_arns: tuple[str, ...] = ()

    def to_json(self) -> str:
        policy: dict[str, Any] = {"redrivePermission": self.redrive_permission}
        if self.source_queue_arns:
            policy["sourceQueueArns"] = list(self.source_queue_arns)
        return json.dumps(policy, separators=(",", ":"))

    def allows(self, source_queue_arn: str) -> bool:
        """Whether a queue with this ARN may name the policy's queue as its dead-letter queue."""
        if self.redrive_permission == "allowAll":
            return True
        if self.redrive_permission == "denyAll":
            return False
        return source_queue_arn in self.source_queue_arns


DEFAULT_REDRIVE_ALLOW_POLICY = RedriveAllowPolicy()


def parse_redrive_allow_policy(raw: str) -> RedriveAllowPolicy | None:
    """Validate a RedriveAllowPolicy attribute value; None for "" (which removes it, leaving allowAll)."""
    if raw == "":
        return None
    policy = _json_object(raw)
    if policy is None or policy.get("redrivePermission") not in REDRIVE_PERMISSIONS:
        raise AwsError("InvalidParameterValueException", _UNSUPPORTED_FORMAT)
    if set(policy) - {"redrivePermission", "sourceQueueArns"}:
        raise AwsError("InvalidParameterValueException", _UNSUPPORTED_FORMAT)
    permission: str = policy["redrivePermission"]
    arns = policy.get("sourceQueueArns")
    prefix = "Amazon SQS can't create the redrive allow policy."
    if arns is not None:
        if not isinstance(arns, list) or not all(isinstance(arn, str) for arn in arns):
            raise AwsError("InvalidParameterValueException", _UNSUPPORTED_FORMAT)
        if permission != "byQueue":
            raise _invalid(
                raw,
                "RedriveAllowPolicy",
                f"{prefix} To specify one or more source queue ARNs, "
                "you must set redrivePermission to byQueue.",
            )
        if len(arns) > MAX_SOURCE_QUEUE_ARNS:
            raise _invalid(
                raw,
                "RedriveAllowPolicy",
                f"{prefix} The maximum number of source queue ARNs you can specify is 10.",
            )
    if permission == "byQueue" and not arns:
        raise _invalid(
            raw,
            "RedriveAllowPolicy",
            f"{prefix} When you specify the byQueue permission type, you must also specify one or more "
            "sourceQueueArns values.",
        )
    return RedriveAllowPolicy(redrive_permission=permission, source_queue_arns=tuple(arns or ()))


def check_redrive_allowed(raw: str, allow_policy: RedriveAllowPolicy | None, source_queue_arn: str) -> None:
    """A source queue may only use a dead-letter queue whose RedriveAllowPolicy lets it."""
    policy = allow_policy or DEFAULT_REDRIVE_ALLOW_POLICY
    if not policy.allows(source_queue_arn):
        # AWS's wording for this refusal is unknown; this follows its other RedrivePolicy reasons.
        raise _invalid(
            raw,
            "RedrivePolicy",
            "Amazon SQS can't set the redrive policy: the dead-letter queue's redrive allow policy doesn't "
            "allow this source queue.",
        )
