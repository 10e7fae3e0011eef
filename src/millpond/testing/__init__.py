"""millpond in users' own test suites: a real server in one line (`Server`, `mock_aws`, the pytest plugin)."""

from millpond.testing.mock import mock_aws
from millpond.testing.server import Server, ServerStartError

__all__ = ["Server", "ServerStartError", "mock_aws"]
