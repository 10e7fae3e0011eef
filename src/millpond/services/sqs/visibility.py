"""ChangeMessageVisibility's rules: the 0-43200 range, and the 12-hour cap on a message's total visibility
timeout counted from the receive that issued the handle (AWS errors rather than clamping).

The new timeout counts from the call, not from the receive; 0 makes the message visible at once.
"""

from __future__ import annotations

from millpond.errors import AwsError

MAX_VISIBILITY_TIMEOUT = 43_200


def validate_visibility_timeout(visibility_timeout: int, *, in_batch: bool = False) -> int:
    """The range check; AWS words it differently for ChangeMessageVisibility and for a batch entry."""
    if 0 <= visibility_timeout <= MAX_VISIBILITY_TIMEOUT:
        return visibility_timeout
    if in_batch:
        reason = "VisibilityTimeout must be an integer between 0 and 43200."
    else:
        reason = "Must be between 0 and 43200."
    raise AwsError(
        "InvalidParameterValueException",
        f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: {reason}",
    )


def new_visibility_deadline(visibility_timeout: int, *, received_at: float, now: float) -> float:
    """When the message is visible again after ChangeMessageVisibility; an error past 12 h from receiving."""
    deadline = now + visibility_timeout
    if deadline - received_at > MAX_VISIBILITY_TIMEOUT:
        raise AwsError(
            "InvalidParameterValueException",
            f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. "
            "Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
        )
    return deadline
