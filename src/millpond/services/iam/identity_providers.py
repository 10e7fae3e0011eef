"""IAM identity providers: OpenID Connect (URL, client ids, thumbprints) and SAML (metadata document),
keyed by their ARNs as IAM names them."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlparse

from millpond.clock import Clock
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.services.iam import common
from millpond.services.iam.entities import Entities
from millpond.services.iam.repository import IamRepository, Record

Params = dict[str, Any]
THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5


def _oidc_missing(arn: str) -> str:
    return f"OpenIDConnect Provider not found for arn {arn}"


def _saml_missing(arn: str) -> str:
    return f"Manifest not found for arn {arn}"


def _thumbprints(values: list[str] | None) -> list[str]:
    found = list(values or [])
    if len(found) > MAX_THUMBPRINTS:
        raise AwsError(
            "LimitExceededException", f"Thumbprint list must contain at most {MAX_THUMBPRINTS} entries"
        )
    for value in found:
        if not THUMBPRINT.match(value):
            raise common.validation("thumbprintList", value, "Member must have length 40 (hex digits)")
    return found


class IdentityProviderOperations:
    repository: IamRepository
    clock: Clock

    @property
    def _oidc(self) -> Entities:
        return Entities(self.repository, "oidc_provider", "OpenIDConnectProvider", _oidc_missing)

    @property
    def _saml(self) -> Entities:
        return Entities(self.repository, "saml_provider", "SAMLProvider", _saml_missing)

    # -- OpenID Connect ------------------------------------------------------------------------------------

    async def create_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        url = params["Url"]
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.netloc:
            raise common.validation("url", url, "Member must be an https URL")
        host_path = parsed.netloc + parsed.path.rstrip("/")
        arn = f"arn:aws:iam::{ctx.account_id}:oidc-provider/{host_path}"
        client_ids = list(params.get("ClientIDList") or [])
        if len(client_ids) > MAX_CLIENT_IDS:
            raise AwsError(
                "LimitExceededException",
                f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}",
            )
        record: Record = {
            "Arn": arn,
            "Url": host_path,
            "ClientIDList": client_ids,
            "ThumbprintList": _thumbprints(params.get("ThumbprintList")),
            "CreateDate": int(self.clock.now()),
            "Tags": common.check_tags(params.get("Tags"), "OpenIDConnectProvider"),
        }
        await self._oidc.create(arn, record, f"Provider with url {url} already exists.")
        result: dict[str, Any] = {"OpenIDConnectProviderArn": arn}
        if record["Tags"]:
            result["Tags"] = record["Tags"]
        return result

    def get_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        record = self._oidc.load(params["OpenIDConnectProviderArn"])
        return {
            k: record[k]
            for k in ("Url", "ClientIDList", "ThumbprintList", "CreateDate", "Tags")
            if record.get(k) is not None
        }

    def list_open_id_connect_providers(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return {"OpenIDConnectProviderList": [{"Arn": r["Arn"]} for r in self._oidc.all()]}

    async def delete_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        await self._oidc.delete(params["OpenIDConnectProviderArn"])
        return {}

    async def add_client_id_to_open_id_connect_provider(
        self, ctx: RequestContext, params: Params
    ) -> dict[str, Any]:
        client = params["ClientID"]

        def add(record: Record) -> None:
            if client not in record["ClientIDList"]:
                record["ClientIDList"].append(client)

        await self._oidc.change(params["OpenIDConnectProviderArn"], add)
        return {}

    async def remove_client_id_from_open_id_connect_provider(
        self, ctx: RequestContext, params: Params
    ) -> dict[str, Any]:
        client = params["ClientID"]
        await self._oidc.change(
            params["OpenIDConnectProviderArn"],
            lambda r: r.update(ClientIDList=[c for c in r["ClientIDList"] if c != client]),
        )
        return {}

    async def update_open_id_connect_provider_thumbprint(
        self, ctx: RequestContext, params: Params
    ) -> dict[str, Any]:
        thumbprints = _thumbprints(params.get("ThumbprintList"))
        await self._oidc.change(
            params["OpenIDConnectProviderArn"], lambda r: r.update(ThumbprintList=thumbprints)
        )
        return {}

    async def tag_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._oidc.tag(params["OpenIDConnectProviderArn"], params.get("Tags"))

    async def untag_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._oidc.untag(params["OpenIDConnectProviderArn"], params.get("TagKeys"))

    def list_open_id_connect_provider_tags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self._oidc.list_tags(params["OpenIDConnectProviderArn"], params)

    # -- SAML ----------------------------------------------------------------------------------------------

    async def create_saml_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name = common.check_name("name", params.get("Name"), 128)
        document = params["SAMLMetadataDocument"]
        if len(document) < 1000 and "EntityDescriptor" not in document:
            raise AwsError("InvalidInputException", "Could not parse metadata")
        arn = f"arn:aws:iam::{ctx.account_id}:saml-provider/{name}"
        record: Record = {
            "Arn": arn,
            "SAMLProviderUUID": str(uuid.uuid4()),
            "SAMLMetadataDocument": document,
            "CreateDate": int(self.clock.now()),
            "ValidUntil": int(self.clock.now()) + 100 * 365 * 86400,
            "Tags": common.check_tags(params.get("Tags"), "SAMLProvider"),
        }
        await self._saml.create(arn, record, f"SAMLProvider {name} already exists")
        result: dict[str, Any] = {"SAMLProviderArn": arn}
        if record["Tags"]:
            result["Tags"] = record["Tags"]
        return result

    def get_saml_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        record = self._saml.load(params["SAMLProviderArn"])
        keys = ("SAMLProviderUUID", "SAMLMetadataDocument", "CreateDate", "ValidUntil", "Tags")
        return {k: record[k] for k in keys if record.get(k)}

    def list_saml_providers(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return {
            "SAMLProviderList": [
                {"Arn": r["Arn"], "ValidUntil": r["ValidUntil"], "CreateDate": r["CreateDate"]}
                for r in self._saml.all()
            ]
        }

    async def update_saml_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        document = params.get("SAMLMetadataDocument")
        if document is not None:
            await self._saml.change(
                params["SAMLProviderArn"], lambda r: r.update(SAMLMetadataDocument=document)
            )
        return {"SAMLProviderArn": self._saml.load(params["SAMLProviderArn"])["Arn"]}

    async def delete_saml_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        await self._saml.delete(params["SAMLProviderArn"])
        return {}

    async def tag_saml_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._saml.tag(params["SAMLProviderArn"], params.get("Tags"))

    async def untag_saml_provider(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return await self._saml.untag(params["SAMLProviderArn"], params.get("TagKeys"))

    def list_saml_provider_tags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self._saml.list_tags(params["SAMLProviderArn"], params)
