"""AwsError: what services raise and the protocol layer encodes for each wire format.

`code` is the error shape's name in the service model when the error is modeled (QueueDoesNotExist,
ResourceNotFoundException); the codec then takes the HTTP status and any legacy query code from the
model. Unmodeled errors (ValidationException, InvalidAction, ...) give their status here.
"""

from __future__ import annotations

from typing import Any


class AwsError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        *,
        sender_fault: bool = True,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        # Extra members of the error body, e.g. Lambda's {"Type": "User", "Reason": "..."}.
        self.fields = fields or {}


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def not_implemented(service: str, operation: str) -> AwsError:
    # 501 so that SDKs do not retry it (they retry 500, 502, 503 and 504).
    return AwsError(
        "NotImplemented",
        f"millpond does not support the {service} operation {operation} yet",
        501,
        sender_fault=False,
    )
