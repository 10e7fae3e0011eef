"""botocore service models, loaded once per process and shared.

The current models come from the installed botocore (pinned to one minor range). SQS dropped the query
protocol from its model in botocore 1.31.81, but older SDKs still speak it, so the last query-protocol SQS
model (botocore 1.31.80, Apache-2.0) ships in protocol/models/ and serves those requests.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

# botocore service name -> the name millpond reports in health and errors
SERVED_SERVICES: dict[str, str] = {
    "sqs": "SQS",
    "kinesis": "Kinesis",
    "lambda": "Lambda",
    "apigateway": "API Gateway",
    "iam": "IAM",
    "sts": "STS",
    "cloudwatch": "CloudWatch",
    "logs": "CloudWatch Logs",
    "sns": "SNS",
    "s3": "S3",
}

_MODELS_DIR = Path(__file__).with_name("models")
_LEGACY_MODELS = {("sqs", "query"): _MODELS_DIR / "sqs-2012-11-05-query.json.gz"}


@cache
def _loader() -> Loader:
    return Loader()


@cache
def service_model(service: str, protocol: str | None = None) -> ServiceModel:
    """The model for `service`; with `protocol`, the model that describes that protocol's wire shapes."""
    legacy = _LEGACY_MODELS.get((service, protocol or ""))
    if legacy is not None:
        data = json.loads(gzip.decompress(legacy.read_bytes()))
        return ServiceModel(data, service_name=service)
    data = _loader().load_service_model(service, "service-2")
    return ServiceModel(data, service_name=service)


def legacy_protocols(service: str) -> list[str]:
    """Protocols whose wire shapes for `service` come from a bundled legacy model."""
    return [proto for (name, proto) in _LEGACY_MODELS if name == service]


def protocols_of(service: str) -> list[str]:
    """Every protocol a service's requests may arrive in (current model plus legacy ones)."""
    metadata = service_model(service).metadata
    found = list(metadata.get("protocols") or [metadata["protocol"]])
    found += [proto for (name, proto) in _LEGACY_MODELS if name == service and proto not in found]
    return found


@cache
def operation_model(service: str, operation: str, protocol: str | None = None) -> OperationModel:
    return service_model(service, protocol).operation_model(operation)
