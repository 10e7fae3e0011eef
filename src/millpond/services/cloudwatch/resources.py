"""CloudWatch resources that are configured, stored and reported rather than computed here: metric streams
(their Firehose is not served, so a running stream delivers nothing), Contributor Insights rules (managed
ones too), anomaly detectors (stored with state PENDING_TRAINING: no model is trained), alarm mute rules
and metric data query definitions. Each validated as AWS does, per account and region, with its ARN."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from millpond.context import RequestContext
from millpond.errors import AwsError

OUTPUT_FORMATS = ("json", "opentelemetry0.7", "opentelemetry1.0")
RULE_STATES = ("ENABLED", "DISABLED")


class ResourceStore(Protocol):
    async def put(self, account: str, region: str, kind: str, name: str, body: dict[str, Any]) -> None: ...

    def get(self, account: str, region: str, kind: str, name: str) -> dict[str, Any] | None: ...

    def all(self, account: str, region: str, kind: str) -> list[dict[str, Any]]:
        """By name."""
        ...

    async def delete(self, account: str, region: str, kind: str, name: str) -> bool: ...


def _missing(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def _page(params: dict[str, Any], items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    start = int(params["NextToken"]) if str(params.get("NextToken") or "").isdigit() else 0
    limit = int(params.get("MaxResults") or 100)
    result: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        result["NextToken"] = str(start + limit)
    return result


def _epoch(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


class StoredResources:
    def __init__(self, store: ResourceStore, now: Callable[[], float]) -> None:
        self.store = store
        self.now = now

    def _arn(self, ctx: RequestContext, kind: str, name: str) -> str:
        return f"arn:aws:cloudwatch:{ctx.region}:{ctx.account_id}:{kind}/{name}"

    # -- metric streams ------------------------------------------------------------------------------------

    async def put_metric_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        if params["OutputFormat"] not in OUTPUT_FORMATS:
            raise _invalid(f"The value {params['OutputFormat']} for parameter OutputFormat is invalid.")
        if params.get("IncludeFilters") and params.get("ExcludeFilters"):
            raise AwsError(
                "InvalidParameterCombination", "You cannot specify both IncludeFilters and ExcludeFilters."
            )
        previous = self.store.get(ctx.account_id, ctx.region, "metric-stream", name) or {}
        now = self.now()
        stream = {
            "Arn": self._arn(ctx, "metric-stream", name),
            "Name": name,
            "IncludeFilters": params.get("IncludeFilters") or [],
            "ExcludeFilters": params.get("ExcludeFilters") or [],
            "FirehoseArn": params["FirehoseArn"],
            "RoleArn": params["RoleArn"],
            "State": previous.get("State", "running"),
            "CreationDate": previous.get("CreationDate", now),
            "LastUpdateDate": now,
            "OutputFormat": params["OutputFormat"],
            "StatisticsConfigurations": params.get("StatisticsConfigurations") or [],
            "IncludeLinkedAccountsMetrics": bool(params.get("IncludeLinkedAccountsMetrics")),
        }
        await self.store.put(ctx.account_id, ctx.region, "metric-stream", name, stream)
        return {"Arn": stream["Arn"]}

    def get_metric_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self.store.get(ctx.account_id, ctx.region, "metric-stream", params["Name"])
        if found is None:
            raise _missing(f"Metric stream {params['Name']} does not exist.")
        return found

    def list_metric_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        keys = ("Arn", "CreationDate", "LastUpdateDate", "Name", "FirehoseArn", "State", "OutputFormat")
        entries = [
            {k: s[k] for k in keys} for s in self.store.all(ctx.account_id, ctx.region, "metric-stream")
        ]
        return _page(params, entries, "Entries")

    async def delete_metric_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self.store.delete(ctx.account_id, ctx.region, "metric-stream", params["Name"])
        return {}  # AWS: deleting a stream that does not exist succeeds

    async def _set_stream_state(self, ctx: RequestContext, names: list[str], state: str) -> dict[str, Any]:
        for name in names:
            stream = self.store.get(ctx.account_id, ctx.region, "metric-stream", name)
            if stream is None:
                raise _missing(f"Metric stream {name} does not exist.")
            stream.update(State=state, LastUpdateDate=self.now())
            await self.store.put(ctx.account_id, ctx.region, "metric-stream", name, stream)
        return {}

    async def start_metric_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._set_stream_state(ctx, params["Names"], "running")

    async def stop_metric_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._set_stream_state(ctx, params["Names"], "stopped")

    # -- Contributor Insights rules ------------------------------------------------------------------------

    async def put_insight_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, state = params["RuleName"], params.get("RuleState") or "ENABLED"
        if state not in RULE_STATES:
            raise _invalid(f"The value {state} for parameter RuleState is invalid.")
        try:
            definition = json.loads(params["RuleDefinition"])
        except ValueError:
            raise _invalid("RuleDefinition is not valid JSON.") from None
        if not isinstance(definition, dict):
            raise _invalid("RuleDefinition is not valid JSON.")
        rule = {
            "Name": name,
            "State": state,
            # The model's InsightRule.Schema: always this for rules users create.
            "Schema": '{"Name": "CloudWatchLogRule", "Version": 1}',
            "Definition": params["RuleDefinition"],
            "ManagedRule": False,
            "ApplyOnTransformedLogs": bool(params.get("ApplyOnTransformedLogs")),
        }
        await self.store.put(ctx.account_id, ctx.region, "insight-rule", name, rule)
        return {}

    async def put_managed_insight_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        for managed in params["ManagedRules"]:
            name = (
                f"{managed['TemplateName']}-{hashlib.sha1(managed['ResourceARN'].encode()).hexdigest()[:8]}"
            )
            rule = {
                "Name": name,
                "State": "ENABLED",
                "Schema": '{"Name": "ServiceLogRule", "Version": 1}',
                "Definition": json.dumps(managed),
                "ManagedRule": True,
                "ApplyOnTransformedLogs": False,
            }
            await self.store.put(ctx.account_id, ctx.region, "insight-rule", name, rule)
        return {"Failures": []}

    def describe_insight_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _page(params, self.store.all(ctx.account_id, ctx.region, "insight-rule"), "InsightRules")

    def list_managed_insight_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rules = [r for r in self.store.all(ctx.account_id, ctx.region, "insight-rule") if r["ManagedRule"]]
        found = []
        for rule in rules:
            managed = json.loads(rule["Definition"])
            if managed.get("ResourceARN") == params["ResourceARN"]:
                found.append(
                    {
                        "TemplateName": managed["TemplateName"],
                        "ResourceARN": managed["ResourceARN"],
                        "RuleState": {"RuleName": rule["Name"], "State": rule["State"]},
                    }
                )
        return _page(params, found, "ManagedRules")

    async def _rules(
        self, ctx: RequestContext, names: list[str], change: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        failures = []
        for name in names:
            rule = self.store.get(ctx.account_id, ctx.region, "insight-rule", name)
            if rule is None:
                failures.append(
                    {
                        "FailureResource": name,
                        "ExceptionType": "ResourceNotFoundException",
                        "FailureCode": "404",
                        "FailureDescription": f"Rule {name} does not exist.",
                    }
                )
            elif change(rule):
                await self.store.put(ctx.account_id, ctx.region, "insight-rule", name, rule)
            else:
                await self.store.delete(ctx.account_id, ctx.region, "insight-rule", name)
        return {"Failures": failures}

    async def delete_insight_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._rules(ctx, params["RuleNames"], lambda rule: False)

    async def enable_insight_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._rules(
            ctx, params["RuleNames"], lambda rule: bool(rule.update(State="ENABLED")) or True
        )

    async def disable_insight_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._rules(
            ctx, params["RuleNames"], lambda rule: bool(rule.update(State="DISABLED")) or True
        )

    def get_insight_rule_report(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self.store.get(ctx.account_id, ctx.region, "insight-rule", params["RuleName"])
        if rule is None:
            raise _missing(f"Rule {params['RuleName']} does not exist.")
        definition = json.loads(rule["Definition"])
        keys = definition.get("Contribution", {}).get("Keys", []) if isinstance(definition, dict) else []
        # Contributor Insights reads log events millpond does not analyse: the report is empty, not made up.
        return {
            "KeyLabels": keys,
            "AggregationStatistic": "Sum",
            "AggregateValue": 0.0,
            "ApproximateUniqueCount": 0,
            "Contributors": [],
            "MetricDatapoints": [],
        }

    # -- anomaly detectors ---------------------------------------------------------------------------------

    @staticmethod
    def _detector_key(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        single = params.get("SingleMetricAnomalyDetector") or {
            k: params[k] for k in ("Namespace", "MetricName", "Dimensions", "Stat") if k in params
        }
        math_detector = params.get("MetricMathAnomalyDetector")
        if not single and not math_detector:
            raise AwsError(
                "MissingParameter", "A SingleMetricAnomalyDetector or MetricMathAnomalyDetector is required."
            )
        identity = {"single": single, "math": math_detector}
        return hashlib.sha1(json.dumps(identity, sort_keys=True).encode()).hexdigest(), identity

    async def put_anomaly_detector(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key, identity = self._detector_key(params)
        detector: dict[str, Any] = {
            "AnomalyDetectorId": key,
            "StateValue": "PENDING_TRAINING",
            "Configuration": params.get("Configuration") or {"ExcludedTimeRanges": []},
        }
        if identity["single"]:
            detector["SingleMetricAnomalyDetector"] = identity["single"]
            detector.update(
                {
                    k: v
                    for k, v in identity["single"].items()
                    if k in ("Namespace", "MetricName", "Dimensions", "Stat")
                }
            )
        if identity["math"]:
            detector["MetricMathAnomalyDetector"] = identity["math"]
        if params.get("MetricCharacteristics"):
            detector["MetricCharacteristics"] = params["MetricCharacteristics"]
        await self.store.put(ctx.account_id, ctx.region, "anomaly-detector", key, detector)
        return {"AnomalyDetectorId": key}

    def describe_anomaly_detectors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self.store.all(ctx.account_id, ctx.region, "anomaly-detector")
        if params.get("AnomalyDetectorIds"):
            found = [d for d in found if d["AnomalyDetectorId"] in params["AnomalyDetectorIds"]]
        for field_name in ("Namespace", "MetricName"):
            if params.get(field_name):
                found = [d for d in found if d.get(field_name) == params[field_name]]
        types = params.get("AnomalyDetectorTypes")
        if types:
            found = [
                d
                for d in found
                if ("SINGLE_METRIC" if "SingleMetricAnomalyDetector" in d else "METRIC_MATH") in types
            ]
        return _page(params, found, "AnomalyDetectors")

    async def delete_anomaly_detector(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = params.get("AnomalyDetectorId") or self._detector_key(params)[0]
        if not await self.store.delete(ctx.account_id, ctx.region, "anomaly-detector", key):
            raise _missing("This anomaly detection model does not exist.")
        return {}

    # -- alarm mute rules ----------------------------------------------------------------------------------

    async def put_alarm_mute_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        rule = {k: v for k, v in params.items() if k != "Tags"}
        rule.update(AlarmMuteRuleArn=self._arn(ctx, "alarm-mute-rule", name), LastUpdatedTimestamp=self.now())
        await self.store.put(ctx.account_id, ctx.region, "alarm-mute-rule", name, rule)
        return {}

    def _with_status(self, rule: dict[str, Any]) -> dict[str, Any]:
        now = self.now()
        start, expire = rule.get("StartDate"), rule.get("ExpireDate")
        status = "EXPIRED" if expire is not None and _epoch(expire) <= now else "ACTIVE"
        if start is not None and _epoch(start) > now:
            status = "SCHEDULED"
        return {
            **rule,
            "Status": status,
            "MuteType": "SCHEDULED" if rule.get("Rule", {}).get("Schedule") else "ONE_TIME",
        }

    def get_alarm_mute_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self.store.get(ctx.account_id, ctx.region, "alarm-mute-rule", params["AlarmMuteRuleName"])
        if found is None:
            raise _missing(f"Alarm mute rule {params['AlarmMuteRuleName']} does not exist.")
        return self._with_status(found)

    def list_alarm_mute_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rules = [self._with_status(r) for r in self.store.all(ctx.account_id, ctx.region, "alarm-mute-rule")]
        if params.get("AlarmName"):
            rules = [
                r for r in rules if params["AlarmName"] in r.get("MuteTargets", {}).get("AlarmNames", [])
            ]
        if params.get("Statuses"):
            rules = [r for r in rules if r["Status"] in params["Statuses"]]
        keys = ("AlarmMuteRuleArn", "ExpireDate", "Status", "MuteType", "LastUpdatedTimestamp")
        summaries = [{k: r[k] for k in keys if k in r} for r in rules]
        return _page({**params, "MaxResults": params.get("MaxRecords")}, summaries, "AlarmMuteRuleSummaries")

    async def delete_alarm_mute_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self.store.delete(ctx.account_id, ctx.region, "alarm-mute-rule", params["AlarmMuteRuleName"])
        return {}

    # -- metric data query definitions ---------------------------------------------------------------------

    async def put_metric_data_query_definition(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        definition_id = params.get("Id") or uuid.uuid4().hex
        previous = self.store.get(ctx.account_id, ctx.region, "query-definition", definition_id)
        if params.get("Id") and previous is None:
            raise _missing(f"Query definition {definition_id} does not exist.")
        now = self.now()
        definition = {
            "Id": definition_id,
            "Arn": self._arn(ctx, "metric-data-query-definition", definition_id),
            "Path": params["Path"],
            "Expression": params["Expression"],
            "Type": params["Type"],
            "CreatedAt": (previous or {}).get("CreatedAt", now),
            "UpdatedAt": now,
        }
        await self.store.put(ctx.account_id, ctx.region, "query-definition", definition_id, definition)
        return definition

    def get_metric_data_query_definition(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self.store.get(ctx.account_id, ctx.region, "query-definition", params["Id"])
        if found is None:
            raise _missing(f"Query definition {params['Id']} does not exist.")
        return found

    def list_metric_data_query_definitions(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        found = self.store.all(ctx.account_id, ctx.region, "query-definition")
        items = [{k: d[k] for k in ("Id", "Path", "Type", "UpdatedAt")} for d in found]
        return _page(params, items, "Items")

    async def delete_metric_data_query_definition(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        if not await self.store.delete(ctx.account_id, ctx.region, "query-definition", params["Id"]):
            raise _missing(f"Query definition {params['Id']} does not exist.")
        return {}


class MemoryResources(ResourceStore):
    """The same store in a dict, for a provider built without storage (unit tests)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    async def put(self, account: str, region: str, kind: str, name: str, body: dict[str, Any]) -> None:
        self.items[(account, region, kind, name)] = json.loads(json.dumps(body, default=str))

    def get(self, account: str, region: str, kind: str, name: str) -> dict[str, Any] | None:
        found = self.items.get((account, region, kind, name))
        return None if found is None else dict(found)

    def all(self, account: str, region: str, kind: str) -> list[dict[str, Any]]:
        keys = sorted(k for k in self.items if k[:3] == (account, region, kind))
        return [dict(self.items[k]) for k in keys]

    async def delete(self, account: str, region: str, kind: str, name: str) -> bool:
        return self.items.pop((account, region, kind, name), None) is not None


def stored_operation(name: str) -> Any:
    """A provider method that hands the call to StoredResources' method of the same name."""

    def operation(provider: Any, ctx: RequestContext, params: dict[str, Any]) -> Any:
        return getattr(provider.resources, name)(ctx, params)

    operation.__name__ = name
    return operation
