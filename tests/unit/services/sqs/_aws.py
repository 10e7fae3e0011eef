"""Test helper: assert that a block raises the AwsError AWS would return."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from millpond.errors import AwsError


@contextmanager
def aws_error(code: str, message: str | None = None) -> Iterator[None]:
    """Expect an AwsError with this code (the model's shape name) and, when given, exactly this message."""
    with pytest.raises(AwsError) as info:
        yield
    assert info.value.code == code, info.value.message
    if message is not None:
        assert info.value.message == message
