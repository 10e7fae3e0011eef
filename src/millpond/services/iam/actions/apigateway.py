"""API Gateway (control plane) actions: AWS authorises each call as the HTTP method on the resource path,
apigateway:GET on arn:aws:apigateway:<region>::/restapis/<id>/..., so the model's own routes are the table."""

from __future__ import annotations

from millpond.services.iam.actions import Call, Check, request_tags

PREFIX = "apigateway"


def _operations() -> dict[str, str]:
    """Every operation is a method on a path: the model lists them all."""
    from botocore.loaders import Loader

    return dict.fromkeys(Loader().load_service_model("apigateway", "service-2")["operations"], "path")


KIND_OF = _operations()
ACTIONS: dict[str, str] = {}


def checks(call: Call) -> list[Check]:
    method = call.http_method.upper() or "GET"
    path = call.path or "/"
    return [
        Check(f"apigateway:{method}", f"arn:aws:apigateway:{call.region}::{path}", request_tags(call.params))
    ]
