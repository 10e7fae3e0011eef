"""IAM and STS through real clients: roles, policies, users, keys, simulation, errors as AWS shapes them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.support.server import ServerProcess, make_server, run_aws
from tests.unit.services.iam.policy_cases import CASES, Case

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SQS_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
SQS_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_aws_cli_serverless_role_lifecycle(server: ServerProcess, tmp_path: Path) -> None:
    name = unique("serverless-lab")
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(TRUST))
    created = json.loads(
        run_aws(
            server,
            "iam",
            "create-role",
            "--role-name",
            name,
            "--assume-role-policy-document",
            f"file://{trust}",
        ).stdout
    )
    role = created["Role"]
    assert role["Arn"] == f"arn:aws:iam::000000000000:role/{name}"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["AssumeRolePolicyDocument"] == TRUST
    run_aws(server, "iam", "attach-role-policy", "--role-name", name, "--policy-arn", BASIC)
    run_aws(server, "iam", "attach-role-policy", "--role-name", name, "--policy-arn", SQS_EXEC)
    inline = json.dumps(SQS_POLICY)
    run_aws(
        server,
        "iam",
        "put-role-policy",
        "--role-name",
        name,
        "--policy-name",
        "queues",
        "--policy-document",
        inline,
    )
    got = json.loads(run_aws(server, "iam", "get-role", "--role-name", name).stdout)["Role"]
    assert got["RoleName"] == name and got["MaxSessionDuration"] == 3600
    attached = json.loads(run_aws(server, "iam", "list-attached-role-policies", "--role-name", name).stdout)
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [BASIC, SQS_EXEC]
    conflict = run_aws(server, "iam", "delete-role", "--role-name", name, check=False)
    assert conflict.returncode != 0 and "DeleteConflict" in conflict.stderr
    for arn in (BASIC, SQS_EXEC):
        run_aws(server, "iam", "detach-role-policy", "--role-name", name, "--policy-arn", arn)
    still = run_aws(server, "iam", "delete-role", "--role-name", name, check=False)
    assert "must delete policies first" in still.stderr
    run_aws(server, "iam", "delete-role-policy", "--role-name", name, "--policy-name", "queues")
    run_aws(server, "iam", "delete-role", "--role-name", name)
    missing = run_aws(server, "iam", "get-role", "--role-name", name, check=False)
    assert (
        "NoSuchEntity" in missing.stderr and f"The role with name {name} cannot be found." in missing.stderr
    )


def test_role_operations_and_errors(server: ServerProcess) -> None:
    iam = server.client("iam")
    name = unique("role")
    iam.create_role(
        RoleName=name,
        Path="/app/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="worker",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "data"}],
    )
    with pytest.raises(ClientError) as raised:
        iam.create_role(RoleName=name.upper(), AssumeRolePolicyDocument=json.dumps(TRUST))
    assert error_of(raised) == ("EntityAlreadyExists", 409, f"Role with name {name.upper()} already exists.")
    role = iam.get_role(RoleName=name)["Role"]
    assert role["Path"] == "/app/" and role["Arn"].endswith(f":role/app/{name}")
    assert role["Description"] == "worker" and role["MaxSessionDuration"] == 7200
    iam.update_role(RoleName=name, Description="changed", MaxSessionDuration=3600)
    iam.tag_role(RoleName=name, Tags=[{"Key": "env", "Value": "dev"}])
    iam.untag_role(RoleName=name, TagKeys=["team"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "env", "Value": "dev"}]
    new_trust = {
        **TRUST,
        "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "arn:aws:iam::000000000000:root"}}],
    }
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(new_trust))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == new_trust
    listed = iam.list_roles(PathPrefix="/app/")["Roles"]
    assert name in [r["RoleName"] for r in listed]
    with pytest.raises(ClientError) as raised:
        iam.put_role_policy(RoleName=name, PolicyName="bad", PolicyDocument=json.dumps({"Statement": []}))
    assert error_of(raised)[:2] == ("MalformedPolicyDocument", 400)
    with pytest.raises(ClientError) as raised:
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert error_of(raised) == (
        "NoSuchEntity",
        404,
        "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.",
    )
    with pytest.raises(ClientError) as raised:
        iam.create_role(RoleName="bad name!", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert error_of(raised)[:2] == ("ValidationError", 400)
    iam.delete_role(RoleName=name)


def test_managed_policies_and_versions(server: ServerProcess) -> None:
    iam = server.client("iam")
    aws = {p["PolicyName"]: p for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert aws["AWSLambdaBasicExecutionRole"]["Arn"] == BASIC
    assert aws["AWSLambdaBasicExecutionRole"]["PolicyId"] == "ANPAJNCQGXC42545SKXIK"
    basic = iam.get_policy_version(PolicyArn=BASIC, VersionId="v1")["PolicyVersion"]["Document"]
    assert basic["Statement"][0]["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    name = unique("policy")
    policy = iam.create_policy(
        PolicyName=name, Path="/team/", PolicyDocument=json.dumps(SQS_POLICY), Description="d"
    )["Policy"]
    arn = policy["Arn"]
    assert (
        policy["PolicyId"].startswith("ANPA")
        and policy["DefaultVersionId"] == "v1"
        and arn.endswith(f"/team/{name}")
    )
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Description"] == "d"
    for n in range(2, 6):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(SQS_POLICY), SetAsDefault=n == 3)
    with pytest.raises(ClientError) as raised:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(SQS_POLICY))
    assert error_of(raised)[:2] == ("LimitExceeded", 409)
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v3"]
    with pytest.raises(ClientError) as raised:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(raised)[:2] == ("DeleteConflict", 409)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    user = unique("user")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]]
    with pytest.raises(ClientError) as raised:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(raised) == ("DeleteConflict", 409, "Cannot delete a policy attached to entities.")
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    for version in ("v1", "v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    iam.delete_user(UserName=user)
    with pytest.raises(ClientError) as raised:
        iam.get_policy(PolicyArn=arn)
    assert error_of(raised)[:2] == ("NoSuchEntity", 404)


def test_pagination_with_marker(server: ServerProcess) -> None:
    iam = server.client("iam")
    prefix = f"/{unique('page')}/"
    names = sorted(unique("u") for _ in range(5))
    for name in names:
        iam.create_user(UserName=name, Path=prefix)
    first = iam.list_users(PathPrefix=prefix, MaxItems=2)
    assert first["IsTruncated"] and first["Marker"] and len(first["Users"]) == 2
    paged = [
        u["UserName"]
        for page in iam.get_paginator("list_users").paginate(
            PathPrefix=prefix, PaginationConfig={"PageSize": 2}
        )
        for u in page["Users"]
    ]
    assert paged == names


def test_users_keys_groups_and_caller_identity(server: ServerProcess) -> None:
    iam = server.client("iam")
    name = unique("alice")
    user = iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "data"}])["User"]
    assert user["UserId"].startswith("AIDA") and user["Arn"] == f"arn:aws:iam::000000000000:user/{name}"
    key = iam.create_access_key(UserName=name)["AccessKey"]
    assert (
        key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20 and key["Status"] == "Active"
    )
    as_user = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    identity = server.client("sts", **as_user).get_caller_identity()
    assert identity["Arn"] == user["Arn"] and identity["UserId"] == user["UserId"]
    assert server.client("iam", **as_user).get_user()["User"]["UserName"] == name
    session = server.client("sts", **as_user).get_session_token(DurationSeconds=900)["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    as_session = server.client(
        "sts",
        aws_access_key_id=session["AccessKeyId"],
        aws_secret_access_key=session["SecretAccessKey"],
        aws_session_token=session["SessionToken"],
    )
    assert as_session.get_caller_identity()["Arn"] == user["Arn"]
    iam.create_access_key(UserName=name)
    with pytest.raises(ClientError) as raised:
        iam.create_access_key(UserName=name)
    assert error_of(raised) == ("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    statuses = {
        k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    }
    assert statuses[key["AccessKeyId"]] == "Inactive" and len(statuses) == 2
    group = unique("devs")
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=name)
    iam.put_group_policy(GroupName=group, PolicyName="q", PolicyDocument=json.dumps(SQS_POLICY))
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [name]
    simulated = iam.simulate_principal_policy(
        PolicySourceArn=user["Arn"], ActionNames=["sqs:SendMessage", "iam:CreateUser"]
    )
    assert [r["EvalDecision"] for r in simulated["EvaluationResults"]] == ["allowed", "implicitDeny"]
    with pytest.raises(ClientError) as raised:
        iam.delete_user(UserName=name)
    assert error_of(raised) == ("DeleteConflict", 409, "Cannot delete entity, must delete access keys first.")
    for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
    iam.remove_user_from_group(GroupName=group, UserName=name)
    iam.delete_group_policy(GroupName=group, PolicyName="q")
    iam.delete_group(GroupName=group)
    iam.delete_user(UserName=name)
    details = iam.get_account_authorization_details(Filter=["User"])
    assert name not in [u["UserName"] for u in details["UserDetailList"]]


def test_assume_role_uses_the_iam_role(server: ServerProcess) -> None:
    iam, sts = server.client("iam"), server.client("sts")
    name = unique("assumable")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert assumed["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:s1"
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s2", DurationSeconds=7200)
    assert error_of(raised) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    iam.delete_role(RoleName=name)


def test_assume_role_checks_trust_when_enforcing(tmp_path: Path) -> None:
    server = make_server(tmp_path, "--in-memory", MILLPOND_ENFORCE_IAM="1").start()
    try:
        iam, sts = server.client("iam"), server.client("sts")
        missing = "arn:aws:iam::000000000000:role/missing"
        with pytest.raises(ClientError) as raised:
            sts.assume_role(RoleArn=missing, RoleSessionName="s1")
        assert error_of(raised) == (
            "AccessDenied",
            403,
            "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: "
            + missing,
        )
        lambda_only = iam.create_role(RoleName="lambda-only", AssumeRolePolicyDocument=json.dumps(TRUST))[
            "Role"
        ]
        with pytest.raises(ClientError) as raised:
            sts.assume_role(RoleArn=lambda_only["Arn"], RoleSessionName="s1")
        assert error_of(raised)[:2] == ("AccessDenied", 403)
        account_trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "sts:AssumeRole"}
            ],
        }
        ok = iam.create_role(RoleName="account", AssumeRolePolicyDocument=json.dumps(account_trust))["Role"]
        assert sts.assume_role(RoleArn=ok["Arn"], RoleSessionName="s1")["Credentials"][
            "AccessKeyId"
        ].startswith("ASIA")
    finally:
        server.stop()


def _context_entries(case: Case) -> list[dict[str, object]]:
    return [
        {
            "ContextKeyName": key,
            "ContextKeyValues": values,
            "ContextKeyType": "stringList" if len(values) > 1 else "string",
        }
        for key, values in case.context.items()
    ]


def test_simulate_custom_policy_agrees_with_the_table(server: ServerProcess) -> None:
    iam = server.client("iam")
    for case in CASES:
        if not case.policies:
            continue
        result = iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(d) for d in case.policies],
            ActionNames=[case.action],
            ResourceArns=[case.resource],
            ContextEntries=_context_entries(case),
        )["EvaluationResults"][0]
        assert (case.id, result["EvalDecision"]) == (case.id, case.expected)
        assert result["EvalActionName"] == case.action and result["EvalResourceName"] == case.resource
