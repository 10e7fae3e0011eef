"""What CloudWatch Logs stores and hands back — resource, data protection and account policies, query
definitions, destinations, KMS keys — and ListLogGroups, GetLogGroupFields and GetLogRecord, via boto3."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess

POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "logs:*"}]}
)


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_resource_and_account_policies(server: ServerProcess) -> None:
    logs, name = server.client("logs"), f"p-{uuid.uuid4().hex[:8]}"
    stored = logs.put_resource_policy(policyName=name, policyDocument=POLICY)["resourcePolicy"]
    assert stored["policyName"] == name and json.loads(stored["policyDocument"]) == json.loads(POLICY)
    assert name in [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    with pytest.raises(ClientError) as bad:
        logs.put_resource_policy(policyName=name, policyDocument="{not json")
    assert code(bad) == "InvalidParameterException"
    logs.delete_resource_policy(policyName=name)
    with pytest.raises(ClientError) as gone:
        logs.delete_resource_policy(policyName=name)
    assert code(gone) == "ResourceNotFoundException"
    account = logs.put_account_policy(
        policyName=name, policyDocument=POLICY, policyType="DATA_PROTECTION_POLICY"
    )["accountPolicy"]
    assert account["accountId"] == "000000000000" and account["scope"] == "ALL"
    listed = logs.describe_account_policies(policyType="DATA_PROTECTION_POLICY")["accountPolicies"]
    assert name in [p["policyName"] for p in listed]
    logs.delete_account_policy(policyName=name, policyType="DATA_PROTECTION_POLICY")


def test_group_scoped_documents_follow_the_group(server: ServerProcess) -> None:
    logs, group = server.client("logs"), f"/docs/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=POLICY)
    assert json.loads(
        logs.get_data_protection_policy(logGroupIdentifier=group)["policyDocument"]
    ) == json.loads(POLICY)
    key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logs.associate_kms_key(logGroupName=group, kmsKeyId=key)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["kmsKeyId"] == key
    logs.disassociate_kms_key(logGroupName=group)
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    with pytest.raises(ClientError) as missing:
        logs.put_data_protection_policy(logGroupIdentifier="/no/such", policyDocument=POLICY)
    assert code(missing) == "ResourceNotFoundException"
    logs.delete_log_group(logGroupName=group)
    logs.create_log_group(logGroupName=group)  # a new group of the name starts with none of it
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)


def test_query_definitions_and_destinations(server: ServerProcess) -> None:
    logs, name = server.client("logs"), f"q-{uuid.uuid4().hex[:8]}"
    definition = logs.put_query_definition(name=name, queryString="fields @message | limit 5")[
        "queryDefinitionId"
    ]
    logs.put_query_definition(name=name, queryDefinitionId=definition, queryString="stats count(*)")
    [found] = logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"]
    assert found["queryDefinitionId"] == definition and found["queryString"] == "stats count(*)"
    assert logs.delete_query_definition(queryDefinitionId=definition)["success"] is True
    target = "arn:aws:kinesis:us-east-1:000000000000:stream/shared"
    destination = logs.put_destination(
        destinationName=name, targetArn=target, roleArn="arn:aws:iam::000000000000:role/cwl"
    )["destination"]
    assert destination["arn"] == f"arn:aws:logs:us-east-1:000000000000:destination:{name}"
    logs.put_destination_policy(destinationName=name, accessPolicy=POLICY)
    [described] = logs.describe_destinations(DestinationNamePrefix=name)["destinations"]
    assert described["targetArn"] == target and json.loads(described["accessPolicy"]) == json.loads(POLICY)
    logs.delete_destination(destinationName=name)
    assert logs.describe_destinations(DestinationNamePrefix=name)["destinations"] == []


def test_list_log_groups_fields_and_records(server: ServerProcess) -> None:
    logs, group = server.client("logs"), f"/fields-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(server.get("/_millpond/clock")["now"] * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now, "message": json.dumps({"user": "ann", "ms": 3})},
            {"timestamp": now + 1, "message": "plain"},
        ],
    )
    [listed] = logs.list_log_groups(logGroupNamePattern=group[1:])["logGroups"]
    assert listed == {
        "logGroupName": group,
        "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}",
        "logGroupClass": "STANDARD",
    }
    fields = {
        f["name"]: f["percent"] for f in logs.get_log_group_fields(logGroupName=group)["logGroupFields"]
    }
    assert fields["@message"] == 100 and fields["user"] == 50 and fields["ms"] == 50
    query_id = logs.start_query(
        logGroupName=group,
        startTime=now // 1000 - 60,
        endTime=now // 1000 + 60,
        queryString="filter user = 'ann'",
    )["queryId"]
    for _ in range(50):
        reply = logs.get_query_results(queryId=query_id)
        if reply["status"] == "Complete":
            break
        time.sleep(0.05)
    pointer = next(c["value"] for c in reply["results"][0] if c["field"] == "@ptr")
    record = logs.get_log_record(logRecordPointer=pointer)["logRecord"]
    assert record["user"] == "ann" and record["@logStream"] == "s" and record["@log"] == group
