"""Evaluating metric alarms on the virtual clock, as AWS does: the last EvaluationPeriods complete periods,
M of N datapoints breaching (DatapointsToAlarm), TreatMissingData for absent periods; state changes are
recorded in the history and their actions run (SQS queues and SNS topics get the state-change message;
a topic's also carries AWS's Subject, `ALARM: "name" in US East (N. Virginia)`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from millpond.context import RequestContext
from millpond.services.cloudwatch import metric_math
from millpond.services.cloudwatch.aggregation import statistic_name
from millpond.services.cloudwatch.metric_data import metric_key, stat_series
from millpond.services.cloudwatch.repository import AlarmRecord, CloudWatchRepository, HistoryItem
from millpond.services.cloudwatch.store import MetricStore

log = logging.getLogger("millpond.cloudwatch")


class SendMessage(Protocol):
    """(queue or topic ARN, message body, message attributes, SNS subject) -> delivered; the server hands
    in delivery through the SQS and SNS providers."""

    def __call__(
        self, arn: str, body: str, attributes: dict[str, str], subject: str | None = None
    ) -> Awaitable[None]: ...


COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}


def alarm_arn(alarm: AlarmRecord) -> str:
    return f"arn:aws:cloudwatch:{alarm.region}:{alarm.account}:alarm:{alarm.name}"


def iso(seconds: float) -> str:
    # AWS writes alarm times as 2024-05-01T12:00:00.000+0000.
    when = datetime.fromtimestamp(seconds, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def _short(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%d/%m/%y %H:%M:%S")


def _number(value: float) -> str:
    return repr(float(value))


class AlarmEvaluator:
    def __init__(
        self, repository: CloudWatchRepository, store: MetricStore, send: SendMessage | None
    ) -> None:
        self.repository = repository
        self.store = store
        self.send = send
        # Called after every transition (composite alarms re-evaluate the rules that read the alarm).
        self.on_transition: Callable[[AlarmRecord, float], Awaitable[None]] | None = None

    def _series(self, alarm: AlarmRecord, start: int, end: float) -> dict[int, float]:
        config = alarm.config
        ctx = RequestContext(alarm.account, alarm.region, "", "")
        if "Metrics" not in config:
            period = int(config["Period"])
            stat = (
                statistic_name(config.get("Statistic") or config.get("ExtendedStatistic") or "Average")
                or "Average"
            )
            metric = {k: config.get(k) for k in ("Namespace", "MetricName", "Dimensions")}
            return stat_series(
                self.store, metric_key(ctx, metric), start, end, period, stat, config.get("Unit")
            )
        queries = config["Metrics"]
        values: dict[str, metric_math.Series] = {}
        period = alarm_period(config)
        for query in queries:
            if "MetricStat" in query:
                spec = query["MetricStat"]
                stat = statistic_name(spec["Stat"]) or spec["Stat"]
                key = metric_key(ctx, spec["Metric"])
                values[query["Id"]] = stat_series(
                    self.store, key, start, end, int(spec["Period"]), stat, spec.get("Unit")
                )
        grid = tuple(range(start, int(end), period))
        context = metric_math.Context(values, tuple(values), grid)
        for query in queries:
            if "Expression" in query:
                try:
                    values[query["Id"]] = metric_math.evaluate(query["Expression"], context)
                except metric_math.MathError:
                    values[query["Id"]] = {}
        chosen = next((q for q in queries if q.get("ReturnData", True)), queries[0])
        return values.get(chosen["Id"], {})

    def decide(self, alarm: AlarmRecord, now: float) -> tuple[str, str, dict[str, Any]] | None:
        """(state, reason, reason data) the alarm is in at `now`; None to keep its state."""
        config = alarm.config
        periods = int(config["EvaluationPeriods"])
        needed = int(config.get("DatapointsToAlarm") or periods)
        period = alarm_period(config)
        end = int(now // period * period)
        start = end - periods * period
        series = self._series(alarm, start, end)
        slots = list(range(start, end, period))
        present = [(t, series[t]) for t in slots if t in series]
        compare, words = COMPARISONS.get(
            config.get("ComparisonOperator", ""), COMPARISONS["GreaterThanThreshold"]
        )
        threshold = float(config.get("Threshold", 0.0))
        treat = config.get("TreatMissingData") or "missing"
        missing = len(slots) - len(present)
        breaching = sum(1 for _, value in present if compare(value, threshold))
        if treat == "breaching":
            breaching += missing
        data: dict[str, Any] = {
            "version": "1.0",
            "queryDate": iso(now),
            "startDate": iso(start),
            "period": period,
            "recentDatapoints": [v for _, v in reversed(present)],
            "threshold": threshold,
            "evaluatedDatapoints": [{"timestamp": iso(t), "value": v} for t, v in reversed(present)],
        }
        if "Metrics" not in config:
            data["statistic"] = config.get("Statistic") or config.get("ExtendedStatistic")
        if not present and treat in ("missing", "ignore"):
            if treat == "ignore":
                return None
            count = len(slots)
            noun = f"{count} datapoints were" if count != 1 else "1 datapoint was"
            reason = f"Insufficient Data: {noun} unknown."
            return "INSUFFICIENT_DATA", reason, data
        shown = ", ".join(f"{_number(v)} ({_short(t)})" for t, v in reversed(present))
        if breaching >= needed:
            noun = f"{breaching} out of the last {len(slots)} datapoints" if len(slots) > 1 else "1 datapoint"
            verb = "were" if len(slots) > 1 else "was"
            reason = (
                f"Threshold Crossed: {noun} [{shown}] {verb} {words} the threshold ({_number(threshold)})."
            )
            return "ALARM", reason, data
        count = len(present)
        noun = f"{count} datapoint{'s' if count != 1 else ''}"
        verb = "were" if count != 1 else "was"
        reason = (
            f"Threshold Crossed: {noun} [{shown}] {verb} not {words} the threshold ({_number(threshold)})."
        )
        return "OK", reason, data

    async def evaluate(self, alarm: AlarmRecord, now: float) -> None:
        decided = self.decide(alarm, now)
        if decided is None or decided[0] == alarm.state:
            return
        state, reason, data = decided
        await self.transition(alarm, state, reason, json.dumps(data), now)

    async def transition(
        self, alarm: AlarmRecord, state: str, reason: str, data: str | None, now: float
    ) -> None:
        old_state, old_reason = alarm.state, alarm.reason
        alarm.state, alarm.reason, alarm.reason_data, alarm.state_updated = state, reason, data, now
        alarm.extra["StateTransitionedTimestamp"] = now
        await self.repository.put_alarm(alarm)
        new_state: dict[str, Any] = {"stateValue": state, "stateReason": reason}
        if data:
            new_state["stateReasonData"] = json.loads(data)
        history = {
            "version": "1.0",
            "oldState": {"stateValue": old_state, "stateReason": old_reason},
            "newState": new_state,
        }
        summary = f"Alarm updated from {old_state} to {state}"
        item = HistoryItem(alarm.name, now, "StateUpdate", summary, json.dumps(history))
        await self.repository.add_history(alarm.account, alarm.region, item)
        if alarm.actions_enabled:
            await self._run_actions(alarm, old_state, now)
        if self.on_transition is not None:
            await self.on_transition(alarm, now)

    async def _run_actions(self, alarm: AlarmRecord, old_state: str, now: float) -> None:
        key = {"ALARM": "AlarmActions", "OK": "OKActions"}.get(alarm.state, "InsufficientDataActions")
        for arn in alarm.config.get(key) or []:
            if arn.startswith(("arn:aws:sqs:", "arn:aws:sns:")) and self.send is not None:
                try:
                    region = REGION_NAMES.get(alarm.region, alarm.region)
                    subject = f'{alarm.state}: "{alarm.name}" in {region}'[:100]
                    await self.send(arn, json.dumps(self.message(alarm, old_state)), {}, subject)
                    summary = f"Successfully executed action {arn}"
                except Exception:
                    log.exception("alarm %s could not deliver to %s", alarm.name, arn)
                    summary = f"Failed to execute action {arn}"
            else:
                summary = f"Failed to execute action {arn}"  # millpond delivers alarm actions to SQS and SNS
            data = {
                "actionState": "Succeeded" if summary.startswith("Success") else "Failed",
                "notificationResource": arn,
            }
            item = HistoryItem(alarm.name, now, "Action", summary, json.dumps(data))
            await self.repository.add_history(alarm.account, alarm.region, item)

    def message(self, alarm: AlarmRecord, old_state: str) -> dict[str, Any]:
        """The state-change notification, as CloudWatch publishes it to SNS."""
        config = alarm.config
        trigger: dict[str, Any] = {
            "Period": config.get("Period"),
            "EvaluationPeriods": config.get("EvaluationPeriods"),
            "DatapointsToAlarm": config.get("DatapointsToAlarm") or config.get("EvaluationPeriods"),
            "ComparisonOperator": config.get("ComparisonOperator"),
            "Threshold": float(config.get("Threshold", 0.0)),
            "TreatMissingData": config.get("TreatMissingData") or "missing",
            "EvaluateLowSampleCountPercentile": config.get("EvaluateLowSampleCountPercentile") or "",
        }
        if "Metrics" in config:
            trigger["Metrics"] = config["Metrics"]
        else:
            statistic = config.get("Statistic")
            trigger.update(
                MetricName=config.get("MetricName"),
                Namespace=config.get("Namespace"),
                StatisticType="Statistic" if statistic else "ExtendedStatistic",
                Statistic=statistic.upper() if statistic else None,
                ExtendedStatistic=None if statistic else config.get("ExtendedStatistic"),
                Unit=config.get("Unit"),
                Dimensions=[{"value": d["Value"], "name": d["Name"]} for d in config.get("Dimensions") or []],
            )
        return {
            "AlarmName": alarm.name,
            "AlarmDescription": config.get("AlarmDescription"),
            "AWSAccountId": alarm.account,
            "AlarmConfigurationUpdatedTimestamp": iso(alarm.config_updated),
            "NewStateValue": alarm.state,
            "NewStateReason": alarm.reason,
            "StateChangeTime": iso(alarm.state_updated),
            "Region": REGION_NAMES.get(alarm.region, alarm.region),
            "AlarmArn": alarm_arn(alarm),
            "OldStateValue": old_state,
            "OKActions": config.get("OKActions") or [],
            "AlarmActions": config.get("AlarmActions") or [],
            "InsufficientDataActions": config.get("InsufficientDataActions") or [],
            "Trigger": trigger,
        }


def alarm_period(config: dict[str, Any]) -> int:
    if "Metrics" not in config:
        return int(config.get("Period") or 60)
    return min(int(q.get("MetricStat", {}).get("Period") or q.get("Period") or 60) for q in config["Metrics"])
