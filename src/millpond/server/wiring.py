"""Builds the running system: storage, the services over it, and the gateway that serves them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from millpond.clock import VirtualClock
from millpond.config import Settings
from millpond.protocol.gateway import Gateway
from millpond.server.apigateway_aws import aws_call
from millpond.server.authorizer import IamAuthorizer, build_authorizer
from millpond.server.lambda_ import build_logs_and_lambda
from millpond.server.logs_targets import ProviderTargets
from millpond.server.s3 import build_s3
from millpond.services.apigateway.provider import ApiGatewayProvider
from millpond.services.apigateway.repository import Owner
from millpond.services.cloudwatch.provider import CloudWatchProvider
from millpond.services.iam.provider import IamProvider
from millpond.services.kinesis.core import KinesisOptions
from millpond.services.kinesis.provider import KinesisProvider
from millpond.services.lambda_.destinations import Destinations
from millpond.services.lambda_.metrics import LambdaMetrics
from millpond.services.lambda_.provider import LambdaProvider
from millpond.services.logs.provider import LogsProvider
from millpond.services.s3.provider import S3Provider
from millpond.services.sns.provider import SnsProvider
from millpond.services.sns.status_log import DeliveryStatus
from millpond.services.sqs.provider import SqsProvider
from millpond.services.sts.provider import StsProvider
from millpond.storage.apigateway import SqliteApiGatewayRepository
from millpond.storage.apigateway_usage import SqliteApiGatewayAccountStore
from millpond.storage.clock import SqliteClockStore
from millpond.storage.cloudwatch import SqliteCloudWatchRepository
from millpond.storage.cloudwatch_resources import SqliteCloudWatchResources
from millpond.storage.engine import Engine
from millpond.storage.iam import SqliteIamRepository
from millpond.storage.kinesis import SqliteKinesisRepository
from millpond.storage.sns import SqliteSnsRepository
from millpond.storage.sqs import SqliteSqsRepository
from millpond.storage.sts import SqliteStsRepository


@dataclass
class System:
    settings: Settings
    clock: VirtualClock
    engine: Engine
    clock_store: SqliteClockStore
    providers: dict[str, object]
    authorizer: IamAuthorizer | None = None  # set when IAM is enforced
    gateway: Gateway = field(init=False)

    def __post_init__(self) -> None:
        self.gateway = Gateway(
            self.providers, self.settings.account_id, self.settings.region, self.authorizer
        )
        s3 = self.providers.get("s3")
        if isinstance(s3, S3Provider):
            self.gateway.bucket_exists = s3.bucket_exists

    async def save_clock(self) -> None:
        await self.clock_store.save_offset(self.clock.offset)

    async def reset(self) -> None:
        await self.engine.reset()
        self.clock.back_to_real_time()  # nothing timed is left, so the clock may follow real time again
        await self.save_clock()
        for provider in self.providers.values():
            reset = getattr(provider, "reset", None)
            if reset is not None:
                await reset()

    async def close(self) -> None:
        for provider in self.providers.values():
            close = getattr(provider, "close", None)
            if close is not None:
                await close()
        await self.engine.close()


async def build_system(settings: Settings, clock: VirtualClock) -> System:
    if not settings.in_memory:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = Engine(settings.database_path, durability=settings.durability)
    await engine.start()
    clock_store = SqliteClockStore(engine)
    # Time never runs backwards: a restart resumes the offset the clock was advanced to.
    clock.offset = max(clock.offset, clock_store.load_offset())
    iam = IamProvider(SqliteIamRepository(engine), clock)
    providers: dict[str, object] = {
        "sts": StsProvider(SqliteStsRepository(engine), clock, iam=iam, enforce=settings.enforce_iam),
        "iam": iam,
    }
    # CloudWatch first: the other services' counters feed its metric store.
    cloudwatch = CloudWatchProvider(
        SqliteCloudWatchRepository(engine),
        clock,
        settings.account_id,
        settings.region,
        send=Destinations(providers, settings.endpoint_url, settings.account_id, settings.region),
        resources=SqliteCloudWatchResources(engine),
    )
    sqs = await SqsProvider.create(SqliteSqsRepository(engine), clock, cloudwatch.emission)
    providers["sqs"] = sqs
    sqs.queues.url_style = settings.sqs_queue_url
    cloudwatch.emission.queue_gauges = sqs.queue_gauges
    providers["kinesis"] = KinesisProvider(
        SqliteKinesisRepository(engine),
        clock,
        KinesisOptions(settings.kinesis_create_delay, settings.kinesis_enforce_limits),
        cloudwatch.emission,
    )
    providers["logs"], providers["lambda"] = build_logs_and_lambda(
        settings, clock, engine, providers, cloudwatch.event_sources
    )
    cast(LambdaProvider, providers["lambda"]).invoker.metrics = LambdaMetrics(cloudwatch.emission)
    logs = cast(LogsProvider, providers["logs"])
    logs.filters.metrics = cloudwatch.emission  # metric filters' datapoints
    logs.filters.targets = ProviderTargets(providers)  # subscription filters' Kinesis and Lambda
    providers["cloudwatch"] = cloudwatch
    cloudwatch.start()
    lambda_invoke = cast(LambdaProvider, providers["lambda"]).invoke
    apigateway = SqliteApiGatewayRepository(engine)
    await apigateway.adopt(Owner(settings.account_id, settings.region))
    providers["apigateway"] = ApiGatewayProvider(
        apigateway, clock, lambda_invoke, SqliteApiGatewayAccountStore(engine)
    )
    providers["s3"] = s3 = build_s3(settings, clock, engine, providers)
    cast(LambdaProvider, providers["lambda"]).code_from_s3 = s3.object_bytes
    logs.exports.put_object = s3.put_bytes  # export tasks write into buckets
    s3.storage_metrics.sink = cloudwatch.emission.add
    sns_repository = SqliteSnsRepository(engine)
    sns = SnsProvider(sns_repository, clock, providers, settings.endpoint_url, cloudwatch.emission)
    providers["sns"] = sns
    sns.deliverer.status = DeliveryStatus(logs.write_events, clock)
    await sns.start()  # publishes acknowledged before a restart are delivered now
    authorizer = build_authorizer(settings, clock, providers) if settings.enforce_iam else None
    system = System(settings, clock, engine, clock_store, providers, authorizer)
    # AWS integrations call the services through the wire gateway, which needs the whole system.
    cast(ApiGatewayProvider, providers["apigateway"]).data_plane.aws_call = aws_call(system)
    return system
