"""CloudWatch Logs actions and resources (Service Authorization Reference, "Amazon CloudWatch Logs").

Group operations are checked against `arn:aws:logs:<region>:<account>:log-group:<name>`, stream
operations (PutLogEvents, GetLogEvents, ...) against `...:log-group:<name>:log-stream:<stream>`.
"""

from __future__ import annotations

from millpond.services.iam.actions import ANY, Call, kinds

PREFIX = "logs"
RESOURCES: dict[str, tuple[str, ...]] = {
    "log_group": (
        "AssociateKmsKey", "CreateExportTask", "CreateLogGroup", "DeleteDataProtectionPolicy",
        "DeleteIndexPolicy", "DeleteLogGroup", "DeleteMetricFilter", "DeleteRetentionPolicy",
        "DeleteSubscriptionFilter", "DeleteSyslogConfiguration", "DeleteTransformer", "DescribeLogStreams",
        "DescribeMetricFilters", "DescribeQueries", "DescribeSubscriptionFilters", "DisassociateKmsKey",
        "FilterLogEvents", "GetDataProtectionPolicy", "GetLogGroupFields", "GetTransformer",
        "ListSyslogConfigurations", "ListTagsLogGroup", "PutBearerTokenAuthentication",
        "PutDataProtectionPolicy", "PutIndexPolicy", "PutLogGroupDeletionProtection", "PutMetricFilter",
        "PutRetentionPolicy", "PutSubscriptionFilter", "PutSyslogConfiguration", "PutTransformer",
        "StartQuery", "TagLogGroup", "UntagLogGroup", "CreateLogStream",
    ),
    "log_stream": ("DeleteLogStream", "GetLogEvents", "PutLogEvents"),
    "arn": (
        "DeleteResourcePolicy", "ListTagsForResource", "PutResourcePolicy", "TagResource", "UntagResource",
    ),
    ANY: (
        "AssociateSourceToS3TableIntegration", "CancelExportTask", "CancelImportTask", "CreateDelivery",
        "CreateImportTask", "CreateLogAnomalyDetector", "CreateLookupTable", "CreateScheduledQuery",
        "DeleteAccountPolicy", "DeleteDelivery", "DeleteDeliveryDestination",
        "DeleteDeliveryDestinationPolicy", "DeleteDeliverySource", "DeleteDestination", "DeleteIntegration",
        "DeleteLogAnomalyDetector", "DeleteLookupTable", "DeleteQueryDefinition", "DeleteScheduledQuery",
        "DescribeAccountPolicies", "DescribeConfigurationTemplates", "DescribeDeliveries",
        "DescribeDeliveryDestinations", "DescribeDeliverySources", "DescribeDestinations",
        "DescribeExportTasks", "DescribeFieldIndexes", "DescribeImportTaskBatches", "DescribeImportTasks",
        "DescribeIndexPolicies", "DescribeLogGroups", "DescribeLookupTables", "DescribeQueryDefinitions",
        "DescribeResourcePolicies", "DisassociateSourceFromS3TableIntegration", "GetDelivery",
        "GetDeliveryDestination", "GetDeliveryDestinationPolicy", "GetDeliverySource", "GetIntegration",
        "GetLogAnomalyDetector", "GetLogFields", "GetLogObject", "GetLogRecord", "GetLookupTable",
        "GetQueryResults", "GetScheduledQuery", "GetScheduledQueryHistory", "GetStorageTierPolicy",
        "ListAggregateLogGroupSummaries", "ListAnomalies", "ListIntegrations", "ListLogAnomalyDetectors",
        "ListLogGroups", "ListLogGroupsForQuery", "ListScheduledQueries", "ListSourcesForS3TableIntegration",
        "PutAccountPolicy", "PutDeliveryDestination", "PutDeliveryDestinationPolicy", "PutDeliverySource",
        "PutDestination", "PutDestinationPolicy", "PutIntegration", "PutQueryDefinition",
        "PutStorageTierPolicy", "StartLiveTail", "StopQuery", "TestMetricFilter", "TestTransformer",
        "UpdateAnomaly", "UpdateDeliveryConfiguration", "UpdateLogAnomalyDetector", "UpdateLookupTable",
        "UpdateScheduledQuery",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS: dict[str, str] = {}


def group_arn(call: Call, identifier: str) -> str:
    if identifier.startswith("arn:"):
        return identifier[:-2] if identifier.endswith(":*") else identifier
    return f"arn:aws:logs:{call.region}:{call.account}:log-group:{identifier}"


def arns(kind: str, call: Call) -> list[str]:
    params = call.params
    if kind in ("log_group", "log_stream"):
        group = params.get("logGroupName") or params.get("logGroupIdentifier")
        if not group:
            listed = params.get("logGroupNames") or params.get("logGroupIdentifiers") or []
            return [group_arn(call, str(g)) for g in listed] or [ANY]
        arn = group_arn(call, str(group))
        if kind == "log_stream" and params.get("logStreamName"):
            return [f"{arn}:log-stream:{params['logStreamName']}"]
        return [arn]
    if kind == "arn":
        return [group_arn(call, str(params["resourceArn"]))] if params.get("resourceArn") else [ANY]
    return [ANY]
