"""IAM beyond roles, users and policies, through boto3: instance profiles, OIDC and SAML providers, login
profiles under a password policy, virtual MFA devices, SSH keys, certificates, service-specific
credentials, the account alias and summary, the credential report, service-linked roles, policy tags,
ListEntitiesForPolicy, UpdateGroup, and permissions boundaries evaluated under --enforce-iam."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.integration.iam.conftest import client, code_of
from tests.support.server import ServerProcess

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n"
PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n"
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsnb3Vyc2UgdGhpcyBpcyBub3QgYSByZWFsIGtleQ== me@laptop"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_instance_profiles_hold_one_role_and_guard_its_deletion(server: ServerProcess) -> None:
    iam = server.client("iam")
    role, profile = unique("role"), unique("profile")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
    created = iam.create_instance_profile(
        InstanceProfileName=profile, Path="/app/", Tags=[{"Key": "k", "Value": "v"}]
    )
    assert created["InstanceProfile"]["Arn"] == f"arn:aws:iam::000000000000:instance-profile/app/{profile}"
    assert created["InstanceProfile"]["InstanceProfileId"].startswith("AIPA")
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    fetched = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert [r["RoleName"] for r in fetched["Roles"]] == [role]
    assert [
        p["InstanceProfileName"]
        for p in iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    ] == [profile]
    assert (
        code_of(lambda: iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role))[0]
        == "LimitExceeded"
    )
    assert code_of(lambda: iam.delete_role(RoleName=role))[0] == "DeleteConflict"
    assert code_of(lambda: iam.delete_instance_profile(InstanceProfileName=profile))[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    assert iam.list_instance_profile_tags(InstanceProfileName=profile)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.delete_instance_profile(InstanceProfileName=profile)
    iam.delete_role(RoleName=role)
    assert code_of(lambda: iam.get_instance_profile(InstanceProfileName=profile))[0] == "NoSuchEntity"


def test_oidc_and_saml_providers(server: ServerProcess) -> None:
    iam = server.client("iam")
    host = f"{uuid.uuid4().hex[:8]}.example.com"
    arn = iam.create_open_id_connect_provider(
        Url=f"https://{host}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::000000000000:oidc-provider/{host}"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="my-app")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert provider["Url"] == host and provider["ClientIDList"] == ["sts.amazonaws.com", "my-app"]
    assert provider["ThumbprintList"] == ["b" * 40]
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert code_of(lambda: iam.create_open_id_connect_provider(Url=f"https://{host}", ThumbprintList=[]))[
        0
    ] == ("EntityAlreadyExists")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    saml = unique("idp")
    metadata = (
        "<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata'>"
        + "<!-- -->" * 130
        + "</EntityDescriptor>"
    )
    saml_arn = iam.create_saml_provider(Name=saml, SAMLMetadataDocument=metadata)["SAMLProviderArn"]
    assert iam.get_saml_provider(SAMLProviderArn=saml_arn)["SAMLMetadataDocument"] == metadata
    assert saml_arn in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]
    iam.delete_saml_provider(SAMLProviderArn=saml_arn)


def test_login_profiles_follow_the_password_policy(server: ServerProcess) -> None:
    iam, user = server.client("iam"), unique("user")
    iam.create_user(UserName=user)
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True)
    try:
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 12
        assert (
            code_of(lambda: iam.create_login_profile(UserName=user, Password="short1"))[0]
            == "PasswordPolicyViolation"
        )
        assert code_of(lambda: iam.create_login_profile(UserName=user, Password="longbutnodigits"))[0] == (
            "PasswordPolicyViolation"
        )
        profile = iam.create_login_profile(
            UserName=user, Password="long-enough-1", PasswordResetRequired=True
        )
        assert (
            profile["LoginProfile"]["UserName"] == user and profile["LoginProfile"]["PasswordResetRequired"]
        )
        iam.update_login_profile(UserName=user, PasswordResetRequired=False)
        assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"] is False
        iam.delete_login_profile(UserName=user)
        assert code_of(lambda: iam.get_login_profile(UserName=user))[0] == "NoSuchEntity"
    finally:
        iam.delete_account_password_policy()
    assert code_of(lambda: iam.get_account_password_policy())[0] == "NoSuchEntity"


def test_virtual_mfa_ssh_keys_certificates_and_service_credentials(server: ServerProcess) -> None:
    iam, user = server.client("iam"), unique("user")
    iam.create_user(UserName=user)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial.startswith("arn:aws:iam::000000000000:mfa/") and len(device["Base32StringSeed"]) == 32
    iam.enable_mfa_device(
        UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=user)["MFADevices"]] == [serial]
    assert code_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))[0] == "DeleteConflict"
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)

    key = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=SSH_KEY)["SSHPublicKey"]
    assert key["Status"] == "Active" and key["SSHPublicKeyId"].startswith("APKA")
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"], Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [(key["SSHPublicKeyId"], "Inactive")]
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"])

    cert = iam.upload_signing_certificate(UserName=user, CertificateBody=CERTIFICATE)["Certificate"]
    assert [c["CertificateId"] for c in iam.list_signing_certificates(UserName=user)["Certificates"]] == [
        cert["CertificateId"]
    ]
    iam.delete_signing_certificate(UserName=user, CertificateId=cert["CertificateId"])

    name = unique("cert")
    uploaded = iam.upload_server_certificate(
        ServerCertificateName=name, CertificateBody=CERTIFICATE, PrivateKey=PRIVATE_KEY
    )
    assert (
        uploaded["ServerCertificateMetadata"]["Arn"] == f"arn:aws:iam::000000000000:server-certificate/{name}"
    )
    assert (
        iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]["CertificateBody"]
        == CERTIFICATE
    )
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=name + "-2")
    names = [
        c["ServerCertificateName"] for c in iam.list_server_certificates()["ServerCertificateMetadataList"]
    ]
    assert name + "-2" in names and name not in names
    iam.delete_server_certificate(ServerCertificateName=name + "-2")

    credential = iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
    secret = credential["ServiceSpecificCredential"]
    assert secret["ServicePassword"] and secret["ServiceUserName"].startswith(user)
    reset = iam.reset_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=secret["ServiceSpecificCredentialId"]
    )
    assert reset["ServiceSpecificCredential"]["ServicePassword"] != secret["ServicePassword"]
    listed_credentials = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed_credentials] == [
        secret["ServiceSpecificCredentialId"]
    ]
    assert "ServicePassword" not in listed_credentials[0]
    iam.delete_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=secret["ServiceSpecificCredentialId"]
    )


def test_account_alias_summary_report_and_service_linked_roles(server: ServerProcess) -> None:
    iam = server.client("iam")
    iam.create_account_alias(AccountAlias="millpond-test")
    assert iam.list_account_aliases()["AccountAliases"] == ["millpond-test"]
    assert code_of(lambda: iam.create_account_alias(AccountAlias="Not_Valid"))[0] == "ValidationError"
    iam.delete_account_alias(AccountAlias="millpond-test")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["UsersQuota"] == 5000 and summary["Roles"] >= 0
    iam.create_user(UserName=unique("reported"))
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv" and report["Content"].startswith(
        b"user,arn,user_creation_time"
    )
    role = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix=unique("s")
    )["Role"]
    assert role["RoleName"].startswith("AWSServiceRoleForAutoScaling_")
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert code_of(lambda: iam.get_role(RoleName=role["RoleName"]))[0] == "NoSuchEntity"


def test_policy_tags_entities_for_policy_and_update_group(server: ServerProcess) -> None:
    iam = server.client("iam")
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    )
    arn = iam.create_policy(PolicyName=unique("p"), PolicyDocument=document)["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "team", "Value": "orders"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "team", "Value": "orders"}]
    group, user = unique("g"), unique("u")
    iam.create_group(GroupName=group)
    iam.create_user(UserName=user)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=arn)
    attached = iam.list_entities_for_policy(PolicyArn=arn)
    assert [g["GroupName"] for g in attached["PolicyGroups"]] == [group] and attached["PolicyUsers"] == []
    bounded = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in bounded["PolicyUsers"]] == [user]
    assert iam.get_user(UserName=user)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    iam.update_group(GroupName=group, NewGroupName=group + "-renamed", NewPath="/teams/")
    renamed = iam.get_group(GroupName=group + "-renamed")["Group"]
    assert renamed["Path"] == "/teams/" and renamed["Arn"].endswith(f":group/teams/{group}-renamed")
    assert code_of(lambda: iam.get_group(GroupName=group))[0] == "NoSuchEntity"


def test_a_permissions_boundary_caps_what_policies_grant(enforced: ServerProcess) -> None:
    root = client(enforced, "iam", "test", "test")
    user = unique("bounded")
    root.create_user(UserName=user)
    everything = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    root.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=everything)
    sqs_only = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    )
    boundary = root.create_policy(PolicyName=unique("boundary"), PolicyDocument=sqs_only)["Policy"]["Arn"]
    key = root.create_access_key(UserName=user)["AccessKey"]
    credentials = (key["AccessKeyId"], key["SecretAccessKey"])
    client(enforced, "kinesis", *credentials).list_streams()  # allowed before the boundary
    root.put_user_permissions_boundary(UserName=user, PermissionsBoundary=boundary)
    client(enforced, "sqs", *credentials).list_queues()
    with pytest.raises(ClientError) as refused:
        client(enforced, "kinesis", *credentials).list_streams()
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    root.delete_user_permissions_boundary(UserName=user)
    client(enforced, "kinesis", *credentials).list_streams()
