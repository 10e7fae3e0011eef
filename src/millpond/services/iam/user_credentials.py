"""A user's other credentials: the console login profile (and ChangePassword), virtual MFA devices, SSH
public keys, signing certificates, service-specific credentials; and the account's server certificates."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.iam import common
from millpond.services.iam.entities import Entities
from millpond.services.iam.principals import USER, load
from millpond.services.iam.repository import IamRepository, Record

Params = dict[str, Any]
MAX_SIGNING_CERTIFICATES = 2
MAX_SSH_KEYS = 5
MAX_SERVICE_CREDENTIALS = 2


def _status(value: str) -> str:
    if value not in ("Active", "Inactive"):
        raise common.validation("status", value, "Member must satisfy enum value set: [Active, Inactive]")
    return value


class UserCredentialOperations:
    repository: IamRepository
    clock: Clock

    def _entities(self, kind: str, title: str, what: str) -> Entities:
        return Entities(
            self.repository, kind, title, lambda key: f"The {what} with id {key} cannot be found."
        )

    def _user(self, params: Params) -> str:
        return str(load(self.repository, USER, params.get("UserName") or "")["UserName"])

    # -- login profiles ------------------------------------------------------------------------------------

    @property
    def _logins(self) -> Entities:
        return Entities(
            self.repository,
            "login_profile",
            "LoginProfile",
            lambda name: f"Login Profile for User {name} cannot be found.",
        )

    def _check_password(self, password: str) -> None:
        policy = (self.repository.get("account", "settings") or {}).get("PasswordPolicy") or {}
        minimum = int(policy.get("MinimumPasswordLength", 8))
        checks = {
            "RequireSymbols": (lambda c: not c.isalnum(), "one symbol"),
            "RequireNumbers": (str.isdigit, "one number"),
            "RequireUppercaseCharacters": (str.isupper, "one uppercase letter"),
            "RequireLowercaseCharacters": (str.islower, "one lowercase letter"),
        }
        rules = [(len(password) >= minimum, f"{minimum} characters")]
        for setting, (test, what) in checks.items():
            rules.append((not policy.get(setting) or any(test(c) for c in password), what))
        for ok, what in rules:
            if not ok:
                raise AwsError("PasswordPolicyViolation", f"Password should have at least {what}")

    async def create_login_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._user(params)
        password = params.get("Password") or ""
        self._check_password(password)
        record = {
            "UserName": user,
            "CreateDate": int(self.clock.now()),
            "PasswordResetRequired": bool(params.get("PasswordResetRequired")),
            "PasswordHash": hashlib.sha256(password.encode()).hexdigest(),
        }
        await self._logins.create(user, record, f"Login Profile for user {user} already exists.")
        return {"LoginProfile": {k: v for k, v in record.items() if k != "PasswordHash"}}

    def get_login_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        record = self._logins.load(self._user(params))
        return {"LoginProfile": {k: v for k, v in record.items() if k != "PasswordHash"}}

    async def update_login_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._user(params)
        password = params.get("Password")
        if password is not None:
            self._check_password(password)

        def change(record: Record) -> None:
            if password is not None:
                record["PasswordHash"] = hashlib.sha256(password.encode()).hexdigest()
            if params.get("PasswordResetRequired") is not None:
                record["PasswordResetRequired"] = bool(params["PasswordResetRequired"])

        await self._logins.change(user, change)
        return {}

    async def delete_login_profile(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        await self._logins.delete(self._user(params))
        return {}

    async def change_password(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, {})  # type: ignore[attr-defined]
        record = self._logins.load(user)
        if record["PasswordHash"] != hashlib.sha256(params["OldPassword"].encode()).hexdigest():
            # AWS does not document the code of a wrong old password; AccessDenied is what it most likely is.
            raise AwsError("AccessDenied", "The old password is incorrect.", 403)
        self._check_password(params["NewPassword"])
        digest = hashlib.sha256(params["NewPassword"].encode()).hexdigest()
        await self._logins.change(user, lambda r: r.update(PasswordHash=digest, PasswordResetRequired=False))
        return {}

    # -- virtual MFA devices -------------------------------------------------------------------------------

    @property
    def _mfa(self) -> Entities:
        return Entities(
            self.repository,
            "mfa_device",
            "MFADevice",
            lambda serial: f"MFA Device with serial number {serial} does not exist.",
        )

    async def create_virtual_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = common.check_name("virtualMFADeviceName", params.get("VirtualMFADeviceName"), 226)
        path = common.check_path(params.get("Path"))
        serial = common.arn(ctx.account_id, "mfa", path, name)
        seed = base64.b32encode(secrets.token_bytes(20)).decode()
        record = {
            "SerialNumber": serial,
            "Base32StringSeed": seed,
            "CreateDate": int(self.clock.now()),
            "Tags": common.check_tags(params.get("Tags"), "MFADevice"),
        }
        await self._mfa.create(serial, record, "MFADevice entity at the same path and name already exists.")
        device = {
            "SerialNumber": serial,
            "Base32StringSeed": seed.encode(),
            "QRCodePNG": b"",  # no image library here: the seed is what authenticator apps need
            "Tags": record["Tags"],
        }
        return {"VirtualMFADevice": device}

    async def enable_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._user(params)
        for code in (params["AuthenticationCode1"], params["AuthenticationCode2"]):
            if not (len(code) == 6 and code.isdigit()):
                raise AwsError("InvalidAuthenticationCode", "Authentication code for device is not valid.")

        def enable(record: Record) -> None:
            if record.get("User"):
                raise AwsError("EntityAlreadyExistsException", "MFA Device is already in use.")
            record.update(User=user, EnableDate=int(self.clock.now()))

        await self._mfa.change(params["SerialNumber"], enable)
        return {}

    async def deactivate_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._user(params) if params.get("UserName") else None

        def deactivate(record: Record) -> None:
            if not record.get("User") or (user and record["User"] != user):
                raise common.no_such_entity(
                    f"MFA Device with serial number {params['SerialNumber']} does not exist."
                )
            record.pop("User")
            record.pop("EnableDate", None)

        await self._mfa.change(params["SerialNumber"], deactivate)
        return {}

    async def resync_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        self._user(params)
        self._mfa.load(params["SerialNumber"])
        return {}

    async def delete_virtual_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        def check(record: Record) -> None:
            if record.get("User"):
                raise AwsError(
                    "DeleteConflictException", "MFA Device is in use and must be deactivated first."
                )

        await self._mfa.delete(params["SerialNumber"], check)
        return {}

    def _device_shape(self, record: Record, virtual: bool) -> dict[str, Any]:
        shape: dict[str, Any] = {"SerialNumber": record["SerialNumber"]}
        if record.get("User"):
            user = self.repository.get("user", record["User"].lower())
            shape["EnableDate"] = record.get("EnableDate")
            if virtual and user is not None:
                shape["User"] = {k: user[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate")}
            elif not virtual:
                shape["UserName"] = record["User"]
        if virtual and record.get("Tags"):
            shape["Tags"] = record["Tags"]
        return shape

    def list_mfa_devices(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        devices = [self._device_shape(d, False) for d in self._mfa.all() if d.get("User") == user]
        return common.paginate(devices, params, "MFADevices")

    def list_virtual_mfa_devices(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        status = params.get("AssignmentStatus") or "Any"
        devices = [
            d for d in self._mfa.all() if status == "Any" or (status == "Assigned") == bool(d.get("User"))
        ]
        return common.paginate([self._device_shape(d, True) for d in devices], params, "VirtualMFADevices")

    def get_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        record = self._mfa.load(params["SerialNumber"])
        shape: dict[str, Any] = {"SerialNumber": record["SerialNumber"]}
        if record.get("User"):
            shape.update(UserName=record["User"], EnableDate=record.get("EnableDate"))
        return shape

    async def tag_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._mfa.tag(params["SerialNumber"], params.get("Tags"))

    async def untag_mfa_device(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._mfa.untag(params["SerialNumber"], params.get("TagKeys"))

    def list_mfa_device_tags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self._mfa.list_tags(params["SerialNumber"], params)

    # -- SSH public keys -----------------------------------------------------------------------------------

    @property
    def _ssh(self) -> Entities:
        return self._entities("ssh_key", "SSHPublicKey", "Public Key")

    async def upload_ssh_public_key(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._user(params)
        body = params["SSHPublicKeyBody"].strip()
        parts = body.split()
        if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-")):
            raise AwsError("InvalidPublicKey", "Public key is not in a supported format.")
        if sum(1 for k in self._ssh.all() if k["UserName"] == user) >= MAX_SSH_KEYS:
            raise AwsError(
                "LimitExceededException", f"Cannot exceed quota for PublicKeysPerUser: {MAX_SSH_KEYS}"
            )
        key_id = common.unique_id("APKA")
        record = {
            "UserName": user,
            "SSHPublicKeyId": key_id,
            "Fingerprint": ":".join(
                f"{b:02x}" for b in hashlib.md5(base64.b64decode(parts[1] + "==")).digest()
            ),
            "SSHPublicKeyBody": body,
            "Status": "Active",
            "UploadDate": int(self.clock.now()),
        }
        await self._ssh.create(key_id, record, "The SSH public key already exists.")
        return {"SSHPublicKey": record}

    def _user_key(self, entities: Entities, key_id: str, user: str) -> Record:
        record = entities.load(key_id)
        if record["UserName"] != user:
            raise common.no_such_entity(entities.missing(key_id))
        return record

    def get_ssh_public_key(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return {"SSHPublicKey": self._user_key(self._ssh, params["SSHPublicKeyId"], self._user(params))}

    def list_ssh_public_keys(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        keys = [
            {k: r[k] for k in ("UserName", "SSHPublicKeyId", "Status", "UploadDate")}
            for r in self._ssh.all()
            if r["UserName"] == user
        ]
        return common.paginate(keys, params, "SSHPublicKeys")

    async def update_ssh_public_key(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        self._user_key(self._ssh, params["SSHPublicKeyId"], self._user(params))
        status = _status(params["Status"])
        await self._ssh.change(params["SSHPublicKeyId"], lambda r: r.update(Status=status))
        return {}

    async def delete_ssh_public_key(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        self._user_key(self._ssh, params["SSHPublicKeyId"], self._user(params))
        await self._ssh.delete(params["SSHPublicKeyId"])
        return {}

    # -- signing certificates ------------------------------------------------------------------------------

    @property
    def _signing(self) -> Entities:
        return self._entities("signing_certificate", "SigningCertificate", "Signing Certificate")

    async def upload_signing_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        body = params["CertificateBody"].strip()
        if "BEGIN CERTIFICATE" not in body:
            raise AwsError("MalformedCertificate", "Certificate is not in PEM format.")
        if sum(1 for c in self._signing.all() if c["UserName"] == user) >= MAX_SIGNING_CERTIFICATES:
            raise AwsError(
                "LimitExceededException",
                f"Cannot exceed quota for SigningCertificatesPerUser: {MAX_SIGNING_CERTIFICATES}",
            )
        cert_id = hashlib.sha1(body.encode()).hexdigest().upper()[:32]
        record = {
            "UserName": user,
            "CertificateId": cert_id,
            "CertificateBody": body,
            "Status": "Active",
            "UploadDate": int(self.clock.now()),
        }
        await self._signing.create(cert_id, record, "The Certificate already exists.")
        return {"Certificate": record}

    def list_signing_certificates(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        return common.paginate(
            [c for c in self._signing.all() if c["UserName"] == user], params, "Certificates"
        )

    async def update_signing_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        self._user_key(self._signing, params["CertificateId"], user)
        status = _status(params["Status"])
        await self._signing.change(params["CertificateId"], lambda r: r.update(Status=status))
        return {}

    async def delete_signing_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        self._user_key(self._signing, params["CertificateId"], user)
        await self._signing.delete(params["CertificateId"])
        return {}

    # -- service-specific credentials ----------------------------------------------------------------------

    @property
    def _service_credentials(self) -> Entities:
        return self._entities(
            "service_credential", "ServiceSpecificCredential", "Service Specific Credential"
        )

    def _credential_shape(self, record: Record, secret: bool) -> dict[str, Any]:
        keys = [
            "CreateDate",
            "ServiceName",
            "ServiceUserName",
            "ServiceSpecificCredentialId",
            "UserName",
            "Status",
        ]
        if secret:
            keys.insert(3, "ServicePassword")
        return {k: record[k] for k in keys}

    async def create_service_specific_credential(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._user(params)
        if (
            sum(
                1
                for c in self._service_credentials.all()
                if c["UserName"] == user and c["ServiceName"] == params["ServiceName"]
            )
            >= MAX_SERVICE_CREDENTIALS
        ):
            raise AwsError(
                "LimitExceededException",
                "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2",
            )
        credential_id = common.unique_id("ACCA")
        record = {
            "CreateDate": int(self.clock.now()),
            "ServiceName": params["ServiceName"],
            "ServiceUserName": f"{user}-at-{ctx.account_id}",
            "ServicePassword": base64.b64encode(secrets.token_bytes(30)).decode(),
            "ServiceSpecificCredentialId": credential_id,
            "UserName": user,
            "Status": "Active",
        }
        await self._service_credentials.create(credential_id, record, "The credential already exists.")
        return {"ServiceSpecificCredential": self._credential_shape(record, True)}

    def list_service_specific_credentials(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        user = self._caller_user(ctx, params)  # type: ignore[attr-defined]
        service = params.get("ServiceName")
        found = [
            self._credential_shape(c, False)
            for c in self._service_credentials.all()
            if c["UserName"] == user and service in (None, c["ServiceName"])
        ]
        return {"ServiceSpecificCredentials": found}

    async def update_service_specific_credential(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        status = _status(params["Status"])
        await self._service_credentials.change(
            params["ServiceSpecificCredentialId"], lambda r: r.update(Status=status)
        )
        return {}

    async def reset_service_specific_credential(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        password = base64.b64encode(secrets.token_bytes(30)).decode()
        stored = await self._service_credentials.change(
            params["ServiceSpecificCredentialId"], lambda r: r.update(ServicePassword=password)
        )
        return {"ServiceSpecificCredential": self._credential_shape(stored, True)}

    async def delete_service_specific_credential(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        await self._service_credentials.delete(params["ServiceSpecificCredentialId"])
        return {}

    # -- server certificates -------------------------------------------------------------------------------

    @property
    def _servers(self) -> Entities:
        return Entities(
            self.repository,
            "server_certificate",
            "ServerCertificate",
            lambda name: f"The Server Certificate with name {name} cannot be found.",
        )

    def _server_metadata(self, record: Record) -> dict[str, Any]:
        keys = ("Path", "ServerCertificateName", "ServerCertificateId", "Arn", "UploadDate", "Expiration")
        return {k: record[k] for k in keys}

    async def upload_server_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = common.check_name("serverCertificateName", params.get("ServerCertificateName"), 128)
        path = common.check_path(params.get("Path"))
        body = params["CertificateBody"]
        if "BEGIN CERTIFICATE" not in body or "PRIVATE KEY" not in params.get("PrivateKey", ""):
            raise AwsError("MalformedCertificate", "Certificate body or private key is not in PEM format.")
        record = {
            "Path": path,
            "ServerCertificateName": name,
            "ServerCertificateId": common.unique_id("ASCA"),
            "Arn": common.arn(ctx.account_id, "server-certificate", path, name),
            "UploadDate": int(self.clock.now()),
            "Expiration": int(self.clock.now()) + 365 * 86400,
            "CertificateBody": body,
            "CertificateChain": params.get("CertificateChain"),
            "Tags": common.check_tags(params.get("Tags"), "ServerCertificate"),
        }
        await self._servers.create(name, record, f"The Server Certificate with name {name} already exists.")
        return {"ServerCertificateMetadata": self._server_metadata(record), "Tags": record["Tags"]}

    def get_server_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        record = self._servers.load(params["ServerCertificateName"])
        certificate: dict[str, Any] = {
            "ServerCertificateMetadata": self._server_metadata(record),
            "CertificateBody": record["CertificateBody"],
            "Tags": record.get("Tags", []),
        }
        if record.get("CertificateChain"):
            certificate["CertificateChain"] = record["CertificateChain"]
        return {"ServerCertificate": certificate}

    def list_server_certificates(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        found = common.with_prefix(self._servers.all(), params.get("PathPrefix"))
        return common.paginate(
            [self._server_metadata(r) for r in found], params, "ServerCertificateMetadataList"
        )

    async def update_server_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = params["ServerCertificateName"]
        record = dict(self._servers.load(name))
        new_name = params.get("NewServerCertificateName") or record["ServerCertificateName"]
        new_path = common.check_path(params["NewPath"]) if params.get("NewPath") else record["Path"]
        record.update(
            ServerCertificateName=new_name,
            Path=new_path,
            Arn=common.arn(ctx.account_id, "server-certificate", new_path, new_name),
        )
        await self.repository.update("server_certificate", new_name.lower(), lambda current: record)
        if new_name.lower() != name.lower():
            await self.repository.update("server_certificate", name.lower(), lambda current: None)
        return {}

    async def delete_server_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        await self._servers.delete(params["ServerCertificateName"])
        return {}

    async def tag_server_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._servers.tag(params["ServerCertificateName"], params.get("Tags"))

    async def untag_server_certificate(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._servers.untag(params["ServerCertificateName"], params.get("TagKeys"))

    def list_server_certificate_tags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self._servers.list_tags(params["ServerCertificateName"], params)
