"""CloudWatch actions and resources (Service Authorization Reference, "Amazon CloudWatch"): alarms by
alarm ARN, dashboards by their region-less ARN, metric operations on "*" (PutMetricData brings the
cloudwatch:namespace key)."""

from __future__ import annotations

from collections.abc import Mapping

from millpond.services.iam.actions import ANY, Call, kinds

PREFIX = "cloudwatch"
RESOURCES: dict[str, tuple[str, ...]] = {
    "alarm": (
        "DescribeAlarmContributors", "DescribeAlarmHistory", "PutCompositeAlarm", "PutLogAlarm",
        "PutMetricAlarm", "SetAlarmState", "DeleteAlarms", "DescribeAlarms", "DisableAlarmActions",
        "EnableAlarmActions",
    ),
    "dashboard": ("GetDashboard", "PutDashboard", "DeleteDashboards"),
    "arn": (
        "CreateResourceMetricsConfiguration", "DeleteResourceMetricsConfiguration",
        "GetResourceMetricsConfiguration", "ListManagedInsightRules", "ListTagsForResource", "TagResource",
        "UntagResource", "UpdateResourceMetricsConfiguration",
    ),
    ANY: (
        "AssociateDatasetKmsKey", "DeleteAlarmMuteRule", "DeleteAnomalyDetector", "DeleteInsightRules",
        "DeleteMetricDataQueryDefinition", "DeleteMetricStream", "DescribeAlarmsForMetric",
        "DescribeAnomalyDetectors", "DescribeInsightRules",
        "DisableInsightRules", "DisassociateDatasetKmsKey",
        "EnableInsightRules", "GetAlarmMuteRule", "GetDataset", "GetInsightRuleReport", "GetMetricData",
        "GetMetricDataQueryDefinition", "GetMetricStatistics", "GetMetricStream", "GetMetricWidgetImage",
        "GetOTelEnrichment", "ListAlarmMuteRules", "ListDashboards", "ListMetricDataQueryDefinitions",
        "ListMetricStreams", "ListMetrics", "PutAlarmMuteRule", "PutAnomalyDetector", "PutInsightRule",
        "PutManagedInsightRules", "PutMetricData", "PutMetricDataQueryDefinition", "PutMetricStream",
        "StartMetricStreams", "StartOTelEnrichment", "StopMetricStreams", "StopOTelEnrichment",
        "UpdateOTelEnrichment",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS: dict[str, str] = {}


def arns(kind: str, call: Call) -> list[str]:
    params = call.params
    if kind == "alarm":
        names = params.get("AlarmNames") or ([params["AlarmName"]] if params.get("AlarmName") else [])
        return [f"arn:aws:cloudwatch:{call.region}:{call.account}:alarm:{n}" for n in names] or [ANY]
    if kind == "dashboard":
        names = params.get("DashboardNames") or (
            [params["DashboardName"]] if params.get("DashboardName") else []
        )
        return [f"arn:aws:cloudwatch::{call.account}:dashboard/{n}" for n in names] or [ANY]
    if kind == "arn":
        return [str(params.get("ResourceARN") or params.get("ResourceArn") or ANY)]
    return [ANY]


def context(call: Call) -> Mapping[str, list[str]]:
    if call.operation == "PutMetricData" and call.params.get("Namespace"):
        return {"cloudwatch:namespace": [str(call.params["Namespace"])]}
    return {}
