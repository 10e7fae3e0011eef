"""Queue names, queue URLs and queue ARNs: the rules for a name, building a URL or ARN, reading any URL back.

A queue is identified by (account, name) inside a region. Clients send the queue URL they were given, but the
host may be AWS's, ours, or LocalStack's, so `parse_queue_url` reads the account and name from the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from millpond.errors import AwsError

QUEUE_NAME_MAX_LENGTH = 80
FIFO_SUFFIX = ".fifo"

_STANDARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_BASE = re.compile(r"[A-Za-z0-9_-]+")
_ACCOUNT_ID = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")

STANDARD_NAME_MESSAGE = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
FIFO_NAME_MESSAGE = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
    "must end with .fifo suffix and be 1 to 80 in length."
)


def is_fifo_name(name: str) -> bool:
    return name.endswith(FIFO_SUFFIX)


def require_queue_name(name: str | None) -> str:
    """The QueueName parameter of CreateQueue/GetQueueUrl must be present and non-empty."""
    if name is None:
        raise AwsError(
            "InvalidParameterValueException",
            "Value for parameter QueueName is invalid. Reason: Must specify a queue name.",
        )
    if name == "":
        # AWS words the empty name differently from the missing one.
        raise AwsError("InvalidParameterValueException", "Queue name cannot be empty.")
    return name


def validate_queue_name(name: str, *, fifo: bool) -> None:
    """Raise InvalidParameterValue unless `name` is a valid name for a queue of that type."""
    if fifo:
        base = name[: -len(FIFO_SUFFIX)] if is_fifo_name(name) else ""
        # The .fifo suffix counts toward the 80 characters.
        if not base or len(name) > QUEUE_NAME_MAX_LENGTH or not _FIFO_BASE.fullmatch(base):
            raise AwsError("InvalidParameterValueException", FIFO_NAME_MESSAGE)
        return
    if not _STANDARD_NAME.fullmatch(name):
        raise AwsError("InvalidParameterValueException", STANDARD_NAME_MESSAGE)


def queue_type_for_create(name: str | None, fifo_attribute: str | None) -> bool:
    """Validate CreateQueue's name against its FifoQueue attribute; return True for a FIFO queue.

    AWS decides the queue type from FifoQueue=true: on a name without .fifo that is InvalidParameterValue,
    the FIFO name rule (AWS-recorded); any other FifoQueue value is "Unknown Attribute FifoQueue."
    (aws/aws-sdk-php#1331); a .fifo name without FifoQueue=true is checked as a standard name, where the
    dot is not allowed.
    """
    name = require_queue_name(name)
    if fifo_attribute is None:
        validate_queue_name(name, fifo=False)
        return False
    if fifo_attribute.lower() != "true":
        raise AwsError("InvalidAttributeName", "Unknown Attribute FifoQueue.")
    validate_queue_name(name, fifo=True)
    return True


URL_STYLES = ("account", "region")


def queue_url(endpoint_url: str, account_id: str, name: str, region: str | None = None) -> str:
    """`http://localhost:4566/000000000000/orders`; with a region, the region-unique form
    `http://localhost:4566/queue/us-east-1/000000000000/orders` (AWS's URLs differ per region too)."""
    if region is not None:
        return f"{endpoint_url.rstrip('/')}/queue/{region}/{account_id}/{name}"
    return f"{endpoint_url.rstrip('/')}/{account_id}/{name}"


@dataclass(frozen=True, slots=True)
class QueueAddress:
    """Where a queue URL points: its owner account, its name and, when the host names one, its region."""

    account_id: str | None  # None: a bare queue name, owned by the caller's account
    name: str
    region: str | None = None


_BARE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo")


def _invalid_address(url: str) -> AwsError:
    # AWS answers a QueueUrl that is not a queue URL as an unknown queue (AWS-recorded, 400 NonExistentQueue).
    return AwsError("QueueDoesNotExist", "The specified queue does not exist.")


def _region_from_host(host: str) -> str | None:
    labels = host.split(":", 1)[0].split(".")
    if len(labels) >= 2 and labels[0] == "sqs" and _REGION.fullmatch(labels[1]):
        return labels[1]  # sqs.us-east-1.amazonaws.com, sqs.eu-west-1.localhost.localstack.cloud
    if len(labels) >= 2 and labels[1] == "queue" and _REGION.fullmatch(labels[0]):
        return labels[0]  # us-west-2.queue.amazonaws.com (legacy)
    if labels[0] == "queue" and len(labels) >= 2 and labels[1] == "amazonaws":
        return "us-east-1"  # queue.amazonaws.com is the legacy us-east-1 host
    return None


def parse_queue_url(url: str | None) -> QueueAddress:
    """Read (account, name) from any queue URL a client may send; QueueDoesNotExist when it is not one.

    Accepted: `https://sqs.us-east-1.amazonaws.com/123456789012/q`, `https://queue.amazonaws.com/...`,
    `http://localhost:4566/000000000000/q`, `http://sqs.us-east-1.localhost.localstack.cloud:4566/...`,
    LocalStack's path style `http://localhost:4566/queue/us-east-1/000000000000/q`, a bare path
    `/000000000000/q`, and a bare queue name `q` (AWS accepts a name wherever a QueueUrl goes). The host is
    ignored: SDKs send the URL as a field, not as the request's target.
    """
    if url is None or url.strip() == "":
        raise AwsError(
            "MissingRequiredParameterException", "The request must contain the parameter QueueUrl."
        )
    text = url.strip()
    region: str | None = None
    if _BARE_NAME.fullmatch(text):
        return QueueAddress(account_id=None, name=text)
    if text.startswith("/"):
        path = text.split("?", 1)[0]
    else:
        try:
            parts = urlsplit(text)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            raise _invalid_address(url) from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _invalid_address(url)
        path = parts.path
        region = _region_from_host(parts.netloc)
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) == 4 and segments[0] == "queue" and _REGION.fullmatch(segments[1]):
        region = segments[1]
        segments = segments[2:]
    if len(segments) != 2 or not _ACCOUNT_ID.fullmatch(segments[0]):
        raise _invalid_address(url)
    return QueueAddress(account_id=segments[0], name=segments[1], region=region)


def partition_for_region(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def queue_arn(region: str, account_id: str, name: str) -> str:
    """`arn:aws:sqs:us-east-1:000000000000:orders`."""
    return f"arn:{partition_for_region(region)}:sqs:{region}:{account_id}:{name}"


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account_id: str
    resource: str


def parse_arn(arn: str) -> Arn | None:
    """Split `arn:partition:service:region:account:resource`; None when the text is not shaped like an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(partition=parts[1], service=parts[2], region=parts[3], account_id=parts[4], resource=parts[5])
