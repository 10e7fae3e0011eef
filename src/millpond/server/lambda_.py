"""Lambda's glue on the server side: building its provider (runtime, logs, credentials, destinations)
and the internal route that serves function code for GetFunction's Code.Location."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from millpond.clock import Clock
from millpond.config import Settings
from millpond.protocol.http import HttpRequest, HttpResponse
from millpond.services.kinesis.provider import KinesisProvider
from millpond.services.lambda_.concurrency import Concurrency
from millpond.services.lambda_.credentials import RoleCredentials
from millpond.services.lambda_.destinations import Destinations
from millpond.services.lambda_.event_sources.mapping import EventSourceMappings
from millpond.services.lambda_.event_sources.metrics import EventSourceMetrics
from millpond.services.lambda_.event_sources.sources import KinesisSource, SqsSource
from millpond.services.lambda_.layer_api import LAYER_CODE_PATH
from millpond.services.lambda_.provider import CODE_ROUTE, LambdaProvider
from millpond.services.lambda_.runtime.interpreters import Interpreters
from millpond.services.lambda_.runtime.pool import ProcessRuntime
from millpond.services.logs.provider import LogsProvider
from millpond.services.sqs.provider import SqsProvider
from millpond.storage.engine import Engine
from millpond.storage.event_sources import SqliteEventSourceRepository
from millpond.storage.lambda_ import SqliteLambdaRepository
from millpond.storage.lambda_layers import SqliteLayerRepository
from millpond.storage.logs import SqliteLogsRepository
from millpond.storage.logs_filters import SqliteLogFiltersRepository
from millpond.storage.sts import SqliteStsRepository

if TYPE_CHECKING:
    from millpond.server.wiring import System


def worker_endpoint(settings: Settings) -> str:
    """The URL a function's SDK calls reach millpond on (loopback when millpond listens on it)."""
    if settings.host in ("127.0.0.1", "0.0.0.0", "localhost", "::", "::1"):
        return f"http://127.0.0.1:{settings.port}"
    return settings.endpoint_url


def python_dirs(settings: Settings) -> list[Path]:
    return [Path(folder) for folder in settings.lambda_python_dirs.split(os.pathsep) if folder]


def build_logs_and_lambda(
    settings: Settings,
    clock: Clock,
    engine: Engine,
    providers: dict[str, object],
    event_source_metrics: EventSourceMetrics | None = None,
) -> tuple[LogsProvider, LambdaProvider]:
    logs = LogsProvider(
        SqliteLogsRepository(engine), clock, SqliteLogFiltersRepository(engine), settings.account_id
    )
    repository = SqliteLambdaRepository(engine)
    endpoint = worker_endpoint(settings)
    runtime = ProcessRuntime(
        clock,
        repository.get_code,
        None if settings.in_memory else Path(settings.data_dir) / "lambda-code",
        endpoint,
        RoleCredentials(SqliteStsRepository(engine), clock, settings.account_id),
        logs.write_events,
        idle_seconds=settings.lambda_idle_timeout,
        max_idle=settings.lambda_max_idle,
        interpreters=Interpreters(settings.cache_dir, python_dirs(settings)),
    )
    destinations = Destinations(providers, endpoint, settings.account_id, settings.region)
    concurrency = Concurrency(settings.lambda_account_concurrency)
    provider = LambdaProvider(
        repository,
        runtime,
        clock,
        settings.region,
        settings.account_id,
        destinations,
        concurrency,
        SqliteLayerRepository(engine),
    )
    sqs, kinesis = providers.get("sqs"), providers.get("kinesis")
    provider.event_sources = EventSourceMappings(
        SqliteEventSourceRepository(engine),
        provider.invoker,
        clock,
        settings.region,
        settings.account_id,
        sqs=SqsSource(sqs) if isinstance(sqs, SqsProvider) else None,
        kinesis=KinesisSource(kinesis, clock) if isinstance(kinesis, KinesisProvider) else None,
        send=destinations,
        metrics=event_source_metrics,
    )
    provider.event_sources.start()  # the pollers of stored mappings resume with the server
    return logs, provider


def serve_code(system: System, request: HttpRequest) -> HttpResponse | None:
    """GET /_millpond/lambda/code/<function>/<version>.zip (or .../layers/<layer>/<version>.zip), or None
    when the path is not this route."""
    if not request.path.startswith(CODE_ROUTE + "/") or request.method not in ("GET", "HEAD"):
        return None
    parts = request.path[len(CODE_ROUTE) + 1 :].split("/")
    provider = system.providers.get("lambda")
    code = None
    if parts[-1].endswith(".zip") and isinstance(provider, LambdaProvider):
        if len(parts) == 2:
            code = provider.code_archive(parts[0], parts[1][: -len(".zip")])
        elif len(parts) == 3 and parts[0] == LAYER_CODE_PATH:  # .../layers/<layer>/<version>.zip
            code = provider.code_archive("", parts[2][: -len(".zip")], layer=parts[1])
    if code is None:
        return HttpResponse(404, [("Content-Type", "text/plain")], b"no such function code\n")
    return HttpResponse(200, [("Content-Type", "application/zip")], code)
