"""Lambda settings on a server of their own: a low account concurrency limit, reported and enforced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_.conftest import ROLE, zip_of
from tests.support.server import ServerProcess, make_server

SLEEPER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n"


@pytest.fixture
def limited_server(tmp_path: Path) -> Iterator[ServerProcess]:
    # The limit by flag, the idle settings by variable: both paths reach the runtime.
    process = make_server(
        tmp_path,
        "--in-memory",
        "--lambda-account-concurrency",
        "2",
        MILLPOND_LAMBDA_MAX_IDLE="4",
        MILLPOND_LAMBDA_IDLE_TIMEOUT="60",
    ).start()
    yield process
    process.stop()


def test_a_low_account_concurrency_is_reported_and_throttles(limited_server: ServerProcess) -> None:
    client = limited_server.client("lambda")
    settings = client.get_account_settings()["AccountLimit"]
    assert settings["ConcurrentExecutions"] == 2 and settings["UnreservedConcurrentExecutions"] == 2
    client.create_function(
        FunctionName="sleeper",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(SLEEPER)},
    )
    with pytest.raises(ClientError) as reserving:
        client.put_function_concurrency(FunctionName="sleeper", ReservedConcurrentExecutions=1)
    assert "below its minimum value of [2]" in reserving.value.response["Error"]["Message"]
    clients = [limited_server.client("lambda") for _ in range(2)]
    try:
        with ThreadPoolExecutor(2) as pool:
            slow = [pool.submit(c.invoke, FunctionName="sleeper", Payload=b'{"sleep": 2}') for c in clients]
            time.sleep(0.7)
            with pytest.raises(ClientError) as throttled:
                client.invoke(FunctionName="sleeper")
            assert [f.result()["Payload"].read() for f in slow] == [b"null", b"null"]
        error = throttled.value.response
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Reason"] == "ConcurrentInvocationLimitExceeded"
        assert client.invoke(FunctionName="sleeper")["Payload"].read() == b"null"  # the slots came back
    finally:
        for c in clients:
            c.close()
        client.close()
