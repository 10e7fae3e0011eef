"""CloudWatch: one method per operation (metrics, dashboards, alarms, tags), each delegating to the module
holding its rules. Built by the server with a repository, the clock, and how to deliver to SQS; it owns the
metric store the other services' counters feed (`emission`) and the once-a-minute tick."""

from __future__ import annotations

from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.cloudwatch import metric_data
from millpond.services.cloudwatch.aggregation import Aggregate
from millpond.services.cloudwatch.alarm_evaluation import AlarmEvaluator, SendMessage
from millpond.services.cloudwatch.alarms import Alarms
from millpond.services.cloudwatch.dashboards import Dashboards
from millpond.services.cloudwatch.emission import Emission, EventSourceCollector, Ticker
from millpond.services.cloudwatch.metrics import Metrics
from millpond.services.cloudwatch.repository import CloudWatchRepository, MetricKey
from millpond.services.cloudwatch.resources import (
    MemoryResources,
    ResourceStore,
    StoredResources,
    stored_operation,
)
from millpond.services.cloudwatch.retention import Retention
from millpond.services.cloudwatch.store import MetricStore
from millpond.services.cloudwatch.widget_image import render

Params = dict[str, Any]
Result = dict[str, Any]


class CloudWatchProvider:
    def __init__(
        self,
        repository: CloudWatchRepository,
        clock: Clock,
        account: str,
        region: str,
        send: SendMessage | None = None,
        resources: ResourceStore | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.store = MetricStore(repository, clock)
        self.metrics = Metrics(self.store, repository, clock)
        self.dashboards = Dashboards(repository, clock)
        self.evaluator = AlarmEvaluator(repository, self.store, send)
        self.alarms = Alarms(repository, self.evaluator, clock)
        self.retention = Retention(repository)
        self.emission = Emission(self.store, clock, account, region)
        self.event_sources = EventSourceCollector(self.emission)
        self.resources = StoredResources(resources or MemoryResources(), clock.now)
        self.ticker = Ticker(self.emission, clock, [self.alarms.evaluate_all, self.retention.compact])

    def start(self) -> None:
        self.ticker.start()

    async def reset(self) -> None:
        self.store.clear()
        self.emission.clear()

    async def close(self) -> None:
        await self.ticker.stop()
        await self.store.flush()

    async def latest(self, account: str, region: str) -> list[tuple[MetricKey, int, str, Aggregate]]:
        """The newest 1-minute row of every metric active in the last 3 hours (for the Prometheus export)."""
        await self.store.flush()
        now = self.clock.now()
        found = []
        for key in self.repository.list_metrics(account, region, None, now - 3 * 3600):
            points = self.repository.read_points(key, (60,), now - 3 * 3600, now + 3600)
            if points:
                newest = max(p.timestamp for p in points)
                for point in points:
                    if point.timestamp == newest:
                        found.append((key, point.timestamp, point.unit, point.aggregate))
        return found

    # -- metrics ------------------------------------------------------------------------------------------
    async def put_metric_data(self, ctx: RequestContext, params: Params) -> Result:
        return await self.metrics.put_metric_data(ctx, params)

    async def get_metric_statistics(self, ctx: RequestContext, params: Params) -> Result:
        return await self.metrics.get_metric_statistics(ctx, params)

    async def get_metric_data(self, ctx: RequestContext, params: Params) -> Result:
        return await metric_data.get_metric_data(self.store, ctx, params)

    async def list_metrics(self, ctx: RequestContext, params: Params) -> Result:
        return await self.metrics.list_metrics(ctx, params)

    # -- dashboards ---------------------------------------------------------------------------------------
    async def put_dashboard(self, ctx: RequestContext, params: Params) -> Result:
        return await self.dashboards.put_dashboard(ctx, params)

    def get_dashboard(self, ctx: RequestContext, params: Params) -> Result:
        return self.dashboards.get_dashboard(ctx, params)

    def list_dashboards(self, ctx: RequestContext, params: Params) -> Result:
        return self.dashboards.list_dashboards(ctx, params)

    async def delete_dashboards(self, ctx: RequestContext, params: Params) -> Result:
        return await self.dashboards.delete_dashboards(ctx, params)

    # -- alarms -------------------------------------------------------------------------------------------
    async def put_metric_alarm(self, ctx: RequestContext, params: Params) -> Result:
        return await self.alarms.put_metric_alarm(ctx, params)

    async def put_composite_alarm(self, ctx: RequestContext, params: Params) -> Result:
        return await self.alarms.put_composite_alarm(ctx, params)

    def describe_alarms(self, ctx: RequestContext, params: Params) -> Result:
        return self.alarms.describe_alarms(ctx, params)

    def describe_alarms_for_metric(self, ctx: RequestContext, params: Params) -> Result:
        return self.alarms.describe_alarms_for_metric(ctx, params)

    def describe_alarm_history(self, ctx: RequestContext, params: Params) -> Result:
        return self.alarms.describe_alarm_history(ctx, params)

    async def delete_alarms(self, ctx: RequestContext, params: Params) -> Result:
        return await self.alarms.delete_alarms(ctx, params)

    async def set_alarm_state(self, ctx: RequestContext, params: Params) -> Result:
        return await self.alarms.set_alarm_state(ctx, params)

    async def enable_alarm_actions(self, ctx: RequestContext, params: Params) -> Result:
        return await self.alarms.enable_alarm_actions(ctx, params)

    async def disable_alarm_actions(self, ctx: RequestContext, params: Params) -> Result:
        return await self.alarms.disable_alarm_actions(ctx, params)

    # -- tags ---------------------------------------------------------------------------------------------
    def _check_resource(self, ctx: RequestContext, arn: str) -> None:
        parts = arn.split(":", 5)
        exists = False
        if len(parts) == 6 and parts[2] == "cloudwatch" and parts[4] == ctx.account_id:
            kind, _, name = parts[5].partition(":" if parts[5].startswith("alarm:") else "/")
            if kind == "alarm":
                exists = any(a.name == name for a in self.repository.get_alarms(ctx.account_id, parts[3]))
            elif kind == "dashboard":
                exists = self.repository.get_dashboard(ctx.account_id, name) is not None
        if not exists:
            raise AwsError("ResourceNotFoundException", "Unknown resource")

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        self._check_resource(ctx, params["ResourceARN"])
        await self.repository.set_tags(params["ResourceARN"], {t["Key"]: t["Value"] for t in params["Tags"]})
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        self._check_resource(ctx, params["ResourceARN"])
        await self.repository.remove_tags(params["ResourceARN"], list(params["TagKeys"]))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        self._check_resource(ctx, params["ResourceARN"])
        tags = self.repository.get_tags(params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}

    # -- widget images and stored resources -------------------------------------------------------------
    async def get_metric_widget_image(self, ctx: RequestContext, params: Params) -> Result:
        if (params.get("OutputFormat") or "png").lower() != "png":
            raise AwsError(
                "InvalidParameterInput", "millpond renders widgets as PNG only (OutputFormat png)."
            )

        async def query(request: Params) -> Result:
            return await self.get_metric_data(ctx, request)

        return {"MetricWidgetImage": await render(params["MetricWidget"], query, self.clock.now())}

    put_metric_stream = stored_operation("put_metric_stream")
    get_metric_stream = stored_operation("get_metric_stream")
    list_metric_streams = stored_operation("list_metric_streams")
    delete_metric_stream = stored_operation("delete_metric_stream")
    start_metric_streams = stored_operation("start_metric_streams")
    stop_metric_streams = stored_operation("stop_metric_streams")
    put_insight_rule = stored_operation("put_insight_rule")
    put_managed_insight_rules = stored_operation("put_managed_insight_rules")
    describe_insight_rules = stored_operation("describe_insight_rules")
    list_managed_insight_rules = stored_operation("list_managed_insight_rules")
    delete_insight_rules = stored_operation("delete_insight_rules")
    enable_insight_rules = stored_operation("enable_insight_rules")
    disable_insight_rules = stored_operation("disable_insight_rules")
    get_insight_rule_report = stored_operation("get_insight_rule_report")
    put_anomaly_detector = stored_operation("put_anomaly_detector")
    describe_anomaly_detectors = stored_operation("describe_anomaly_detectors")
    delete_anomaly_detector = stored_operation("delete_anomaly_detector")
    put_alarm_mute_rule = stored_operation("put_alarm_mute_rule")
    get_alarm_mute_rule = stored_operation("get_alarm_mute_rule")
    list_alarm_mute_rules = stored_operation("list_alarm_mute_rules")
    delete_alarm_mute_rule = stored_operation("delete_alarm_mute_rule")
    put_metric_data_query_definition = stored_operation("put_metric_data_query_definition")
    get_metric_data_query_definition = stored_operation("get_metric_data_query_definition")
    list_metric_data_query_definitions = stored_operation("list_metric_data_query_definitions")
    delete_metric_data_query_definition = stored_operation("delete_metric_data_query_definition")
