"""millpond: a local cloud for queue and stream processing on one port."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["Server", "__version__", "mock_aws"]


def __getattr__(name: str) -> Any:
    # Imported lazily: the server itself never needs the testing helpers (or boto3) at start-up.
    if name in ("Server", "mock_aws"):
        from millpond import testing

        return getattr(testing, name)
    raise AttributeError(f"module 'millpond' has no attribute {name!r}")
