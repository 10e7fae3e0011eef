"""Metric and composite alarms: PutMetricAlarm, PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
DescribeAlarmHistory, DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions. Evaluation lives in
alarm_evaluation.py; a composite alarm's rule (composite.py) is evaluated whenever an alarm it reads moves."""

from __future__ import annotations

import json
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.cloudwatch import composite
from millpond.services.cloudwatch.alarm_evaluation import COMPARISONS, AlarmEvaluator, alarm_arn, iso
from millpond.services.cloudwatch.metrics import decode_token, encode_token, epoch, invalid
from millpond.services.cloudwatch.repository import AlarmRecord, CloudWatchRepository, HistoryItem

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")
# PutMetricAlarm members kept as the alarm's configuration (and echoed by DescribeAlarms).
CONFIG_KEYS = (
    "AlarmDescription", "OKActions", "AlarmActions", "InsufficientDataActions", "MetricName",
    "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
    "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
    "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId",
)  # fmt: skip


def _check(params: dict[str, Any]) -> None:
    periods = int(params.get("EvaluationPeriods") or 0)
    if periods < 1:
        raise invalid("The parameter EvaluationPeriods must be greater than or equal to 1.")
    to_alarm = params.get("DatapointsToAlarm")
    if to_alarm is not None and not 1 <= int(to_alarm) <= periods:
        raise invalid("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    if params.get("ComparisonOperator") not in COMPARISONS:
        raise invalid(
            f"The value {params.get('ComparisonOperator')} for parameter ComparisonOperator is invalid."
        )
    if params.get("TreatMissingData", "missing") not in TREAT_MISSING:
        raise invalid(f"The value {params['TreatMissingData']} for parameter TreatMissingData is invalid.")
    if "Metrics" in params:
        if any(k in params for k in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Period")):
            raise AwsError(
                "InvalidParameterCombination",
                "The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Period and Dimensions "
                "cannot be specified together with Metrics.",
            )
        if sum(1 for q in params["Metrics"] if q.get("ReturnData", True)) != 1:
            raise AwsError("ValidationError", "Exactly one element of the metrics list should return data.")
        return
    for name in ("MetricName", "Namespace", "Period"):
        if name not in params:
            raise AwsError("MissingParameter", f"The parameter {name} is required.")
    if ("Statistic" in params) == ("ExtendedStatistic" in params):
        raise AwsError(
            "InvalidParameterCombination", "Exactly one of Statistic or ExtendedStatistic is required."
        )
    if "Threshold" not in params:
        raise AwsError("ValidationError", "Threshold must be specified.")


def describe(alarm: AlarmRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmArn": alarm_arn(alarm),
        "AlarmConfigurationUpdatedTimestamp": alarm.config_updated,
        "ActionsEnabled": alarm.actions_enabled,
        "OKActions": [],
        "AlarmActions": [],
        "InsufficientDataActions": [],
        "StateValue": alarm.state,
        "StateReason": alarm.reason,
        "StateUpdatedTimestamp": alarm.state_updated,
        "StateTransitionedTimestamp": alarm.extra.get("StateTransitionedTimestamp", alarm.state_updated),
    }
    if alarm.reason_data:
        out["StateReasonData"] = alarm.reason_data
    out.update({k: alarm.config[k] for k in CONFIG_KEYS if k in alarm.config})
    if "Metrics" not in alarm.config:
        out.setdefault("Dimensions", [])
    out.setdefault("TreatMissingData", "missing")
    return out


COMPOSITE = "CompositeAlarm"
COMPOSITE_KEYS = (
    "AlarmDescription", "AlarmRule", "OKActions", "AlarmActions", "InsufficientDataActions",
    "ActionsSuppressor", "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod",
)  # fmt: skip


def is_composite(alarm: AlarmRecord) -> bool:
    return alarm.extra.get("type") == COMPOSITE


def describe_composite(alarm: AlarmRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmArn": alarm_arn(alarm),
        "ActionsEnabled": alarm.actions_enabled,
        "OKActions": [],
        "AlarmActions": [],
        "InsufficientDataActions": [],
        "StateValue": alarm.state,
        "StateReason": alarm.reason,
        "StateUpdatedTimestamp": alarm.state_updated,
        "AlarmConfigurationUpdatedTimestamp": alarm.config_updated,
        "StateTransitionedTimestamp": alarm.extra.get("StateTransitionedTimestamp", alarm.state_updated),
    }
    if alarm.reason_data:
        out["StateReasonData"] = alarm.reason_data
    out.update({k: alarm.config[k] for k in COMPOSITE_KEYS if k in alarm.config})
    return out


class Alarms:
    def __init__(self, repository: CloudWatchRepository, evaluator: AlarmEvaluator, clock: Clock) -> None:
        self.repository = repository
        self.evaluator = evaluator
        self.clock = clock
        evaluator.on_transition = self._after_transition

    # -- composite alarms ----------------------------------------------------------------------------------

    async def put_composite_alarm(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["AlarmName"]
        try:
            rule = composite.parse(params["AlarmRule"])
        except ValueError as error:
            raise AwsError("ValidationError", f"Error in AlarmRule: {error}.") from None
        known = {a.name for a in self.repository.get_alarms(ctx.account_id, ctx.region)}
        missing = sorted(rule.names - known)
        if missing:
            raise AwsError(
                "ValidationError",
                f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule "
                "do not exist",
            )
        if name in rule.names:
            raise AwsError("ValidationError", "A composite alarm cannot reference itself in its rule.")
        now = self.clock.now()
        existing = self._find(ctx, name)
        if existing is not None and not is_composite(existing):
            raise AwsError("InvalidParameterCombination", f"The alarm {name} is a metric alarm.")
        config = {k: params[k] for k in COMPOSITE_KEYS if k in params}
        alarm = await self._save(ctx, params, existing, config, now, COMPOSITE)
        await self._evaluate_composite(alarm, now, None)
        return {}

    async def _evaluate_composite(self, alarm: AlarmRecord, now: float, moved: AlarmRecord | None) -> None:
        rule = composite.parse(alarm.config["AlarmRule"])
        states = {a.name: a.state for a in self.repository.get_alarms(alarm.account, alarm.region)}
        state = "ALARM" if rule.holds(states) else "OK"
        if state == alarm.state:
            return
        if moved is not None:
            reason = f"{alarm_arn(moved)} transitioned to {moved.state} at {iso(now)}"
        else:
            reason = f"The alarm rule is {'TRUE' if state == 'ALARM' else 'FALSE'} at {iso(now)}"
        data = (
            json.dumps({"triggeringAlarms": [{"arn": alarm_arn(moved), "state": {"value": moved.state}}]})
            if moved
            else None
        )
        await self.evaluator.transition(alarm, state, reason, data, now)

    async def _after_transition(self, moved: AlarmRecord, now: float) -> None:
        for alarm in self.repository.get_alarms(moved.account, moved.region):
            reads = is_composite(alarm) and moved.name in composite.parse(alarm.config["AlarmRule"]).names
            if reads and alarm.name != moved.name:
                await self._evaluate_composite(alarm, now, moved)

    def _find(self, ctx: RequestContext, name: str) -> AlarmRecord | None:
        return next(
            (a for a in self.repository.get_alarms(ctx.account_id, ctx.region) if a.name == name), None
        )

    async def put_metric_alarm(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _check(params)
        now = self.clock.now()
        name = params["AlarmName"]
        existing = self._find(ctx, name)
        if existing is not None and is_composite(existing):
            raise AwsError("InvalidParameterCombination", f"The alarm {name} is a composite alarm.")
        config = {k: params[k] for k in CONFIG_KEYS if k in params}
        if "Threshold" in config:
            config["Threshold"] = float(config["Threshold"])
        await self._save(ctx, params, existing, config, now, None)
        return {}

    async def _save(
        self,
        ctx: RequestContext,
        params: dict[str, Any],
        existing: AlarmRecord | None,
        config: dict[str, Any],
        now: float,
        kind: str | None,
    ) -> AlarmRecord:
        """Store a metric (kind None) or composite alarm's configuration, its tags and the history item."""
        name = params["AlarmName"]
        alarm = existing or AlarmRecord(ctx.account_id, ctx.region, name, config, state_updated=now)
        alarm.config, alarm.config_updated = config, now
        alarm.actions_enabled = bool(params.get("ActionsEnabled", True))
        if kind is not None:
            alarm.extra["type"] = kind
        await self.repository.put_alarm(alarm)
        if params.get("Tags"):
            await self.repository.set_tags(alarm_arn(alarm), {t["Key"]: t["Value"] for t in params["Tags"]})
        verb = "updated" if existing else "created"
        shown = describe_composite(alarm) if kind == COMPOSITE else describe(alarm)
        data = {"version": "1.0", "type": "Update" if existing else "Create", "alarm": shown}
        item = HistoryItem(
            name, now, "ConfigurationUpdate", f'Alarm "{name}" {verb}', json.dumps(data, default=str)
        )
        await self.repository.add_history(ctx.account_id, ctx.region, item)
        return alarm

    def describe_alarms(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("AlarmNames")
        prefix = params.get("AlarmNamePrefix")
        if names and prefix:
            raise AwsError(
                "InvalidParameterCombination", "AlarmNames and AlarmNamePrefix are mutually exclusive."
            )
        state = params.get("StateValue")
        action_prefix = params.get("ActionPrefix")
        found = []
        for alarm in self.repository.get_alarms(ctx.account_id, ctx.region):
            if names and alarm.name not in names:
                continue
            if prefix and not alarm.name.startswith(prefix):
                continue
            if state and alarm.state != state:
                continue
            actions = [
                a
                for k in ("OKActions", "AlarmActions", "InsufficientDataActions")
                for a in alarm.config.get(k) or []
            ]
            if action_prefix and not any(a.startswith(action_prefix) for a in actions):
                continue
            found.append(alarm)
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        found = [a for a in found if (COMPOSITE if is_composite(a) else "MetricAlarm") in types]
        offset = decode_token(params.get("NextToken"))
        limit = int(params.get("MaxRecords") or 50)
        page = found[offset : offset + limit]
        result: dict[str, Any] = {
            "MetricAlarms": [describe(a) for a in page if not is_composite(a)],
            "CompositeAlarms": [describe_composite(a) for a in page if is_composite(a)],
        }
        if offset + limit < len(found):
            result["NextToken"] = encode_token(offset + limit)
        return result

    def describe_alarms_for_metric(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        wanted = sorted((d["Name"], d["Value"]) for d in params.get("Dimensions") or [])
        found = []
        for alarm in self.repository.get_alarms(ctx.account_id, ctx.region):
            config = alarm.config
            if is_composite(alarm) or (
                config.get("MetricName") != params["MetricName"]
                or config.get("Namespace") != params["Namespace"]
            ):
                continue
            dims = sorted((d["Name"], d["Value"]) for d in config.get("Dimensions") or [])
            if "Dimensions" in params and dims != wanted:
                continue
            if any(
                k in params and config.get(k) != params[k]
                for k in ("Statistic", "ExtendedStatistic", "Period", "Unit")
            ):
                continue
            found.append(describe(alarm))
        return {"MetricAlarms": found}

    def describe_alarm_history(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        items = self.repository.history(ctx.account_id, ctx.region, params.get("AlarmName"))
        kind = params.get("HistoryItemType")
        start = epoch(params["StartDate"]) if "StartDate" in params else None
        end = epoch(params["EndDate"]) if "EndDate" in params else None
        chosen = [
            i for i in items
            if (kind is None or i.item_type == kind)
            and (start is None or i.timestamp >= start)
            and (end is None or i.timestamp <= end)
        ]  # fmt: skip
        if params.get("ScanBy") == "TimestampAscending":
            chosen.reverse()
        offset = decode_token(params.get("NextToken"))
        limit = int(params.get("MaxRecords") or 100)
        page = chosen[offset : offset + limit]
        composites = {
            a.name for a in self.repository.get_alarms(ctx.account_id, ctx.region) if is_composite(a)
        }
        result: dict[str, Any] = {
            "AlarmHistoryItems": [
                {
                    "AlarmName": i.alarm_name,
                    "AlarmType": COMPOSITE if i.alarm_name in composites else "MetricAlarm",
                    "Timestamp": i.timestamp,
                    "HistoryItemType": i.item_type,
                    "HistorySummary": i.summary,
                    "HistoryData": i.data,
                }
                for i in page
            ]
        }
        if offset + limit < len(chosen):
            result["NextToken"] = encode_token(offset + limit)
        return result

    async def delete_alarms(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        names = list(params.get("AlarmNames") or [])
        existing = {a.name: a for a in self.repository.get_alarms(ctx.account_id, ctx.region)}
        missing = [n for n in names if n not in existing]
        if missing:
            raise AwsError("ResourceNotFound", f"An alarm with the name {missing[0]} does not exist.")
        await self.repository.delete_alarms(ctx.account_id, ctx.region, names)
        for name in names:
            await self.repository.drop_tags(alarm_arn(existing[name]))
        return {}

    async def set_alarm_state(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        alarm = self._find(ctx, params["AlarmName"])
        if alarm is None:
            raise AwsError("ResourceNotFound", f"Alarm {params['AlarmName']} not found")
        if params["StateValue"] not in STATES:
            raise invalid(f"The value {params['StateValue']} for parameter StateValue is invalid.")
        data = params.get("StateReasonData")
        if data is not None:
            try:
                json.loads(data)
            except ValueError:
                raise AwsError("InvalidFormat", "StateReasonData is not valid JSON.") from None
        if params["StateValue"] != alarm.state:
            await self.evaluator.transition(
                alarm, params["StateValue"], params["StateReason"], data, self.clock.now()
            )
        return {}

    async def _set_actions(self, ctx: RequestContext, names: list[str], enabled: bool) -> None:
        for alarm in self.repository.get_alarms(ctx.account_id, ctx.region):
            if alarm.name in names and alarm.actions_enabled != enabled:
                alarm.actions_enabled = enabled
                await self.repository.put_alarm(alarm)

    async def enable_alarm_actions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._set_actions(ctx, list(params.get("AlarmNames") or []), True)
        return {}

    async def disable_alarm_actions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._set_actions(ctx, list(params.get("AlarmNames") or []), False)
        return {}

    async def evaluate_all(self, now: float) -> None:
        for alarm in self.repository.all_alarms():
            if not is_composite(alarm):  # composites move when the alarms they read do
                await self.evaluator.evaluate(alarm, now)
