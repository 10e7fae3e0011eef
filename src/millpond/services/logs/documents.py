"""What CloudWatch Logs stores and hands back: resource policies, data protection policies, account
policies, saved Insights query definitions, cross-account destinations and a group's KMS key. Each is
validated as AWS does (JSON documents parse, names match their patterns, quotas hold) and kept whole."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from millpond.context import RequestContext
from millpond.errors import AwsError

MAX_RESOURCE_POLICIES = 10  # per account and region
DESTINATION_NAME = re.compile(r"^[^:*]{1,512}$")
ACCOUNT_POLICY_TYPES = (
    "DATA_PROTECTION_POLICY",
    "SUBSCRIPTION_FILTER_POLICY",
    "FIELD_INDEX_POLICY",
    "TRANSFORMER_POLICY",
    "METRIC_EXTRACTION_POLICY",
)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def _json_document(text: str, what: str) -> None:
    try:
        json.loads(text)
    except ValueError:
        raise _invalid(f"{what} is not a valid JSON document") from None


class LogDocuments:
    def __init__(self, store: Any, now_ms: Callable[[], int], group_exists: Callable[[str], bool]) -> None:
        self.store = store  # a LogFiltersRepository
        self.now_ms = now_ms
        self.group_exists = group_exists

    def _group(self, identifier: str) -> str:
        name = (
            identifier.split(":log-group:", 1)[-1].removesuffix(":*")
            if identifier.startswith("arn:")
            else identifier
        )
        if not self.group_exists(name):
            raise _not_found("The specified log group does not exist.")
        return name

    # -- resource policies ---------------------------------------------------------------------------------

    async def put_resource_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        name, document = params.get("policyName"), params.get("policyDocument")
        if not name or not document:
            raise _invalid("policyName and policyDocument are required")
        _json_document(document, "policyDocument")
        existing = {p["policyName"] for p in self.store.documents("resource-policy")}
        if name not in existing and len(existing) >= MAX_RESOURCE_POLICIES:
            raise AwsError("LimitExceededException", "Resource limit exceeded.")
        revision = uuid.uuid4().hex
        policy = {
            "policyName": name,
            "policyDocument": document,
            "lastUpdatedTime": self.now_ms(),
            "policyScope": "ACCOUNT",
            "revisionId": revision,
        }
        await self.store.put_document("resource-policy", name, policy, policy["lastUpdatedTime"])
        return {"resourcePolicy": policy, "revisionId": revision}

    def describe_resource_policies(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"resourcePolicies": self.store.documents("resource-policy")}

    async def delete_resource_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("policyName") or ""
        if not await self.store.delete_document("resource-policy", name):
            raise _not_found(f"Policy with name [{name}] does not exist")
        return {}

    # -- data protection -----------------------------------------------------------------------------------

    async def put_data_protection_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._group(params["logGroupIdentifier"])
        _json_document(params["policyDocument"], "policyDocument")
        policy = {
            "logGroupIdentifier": params["logGroupIdentifier"],
            "policyDocument": params["policyDocument"],
            "lastUpdatedTime": self.now_ms(),
        }
        await self.store.put_document("data-protection", group, policy, policy["lastUpdatedTime"])
        return policy

    def get_data_protection_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._group(params["logGroupIdentifier"])
        found = self.store.get_document("data-protection", group)
        return found or {"logGroupIdentifier": params["logGroupIdentifier"]}

    async def delete_data_protection_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._group(params["logGroupIdentifier"])
        if not await self.store.delete_document("data-protection", group):
            raise _not_found("No data protection policy exists for this log group")
        return {}

    # -- account policies ----------------------------------------------------------------------------------

    async def put_account_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        kind = params["policyType"]
        if kind not in ACCOUNT_POLICY_TYPES:
            raise _invalid(f"Invalid policyType: {kind}")
        _json_document(params["policyDocument"], "policyDocument")
        policy = {
            "policyName": params["policyName"],
            "policyDocument": params["policyDocument"],
            "lastUpdatedTime": self.now_ms(),
            "policyType": kind,
            "scope": params.get("scope") or "ALL",
            "accountId": ctx.account_id,
        }
        if params.get("selectionCriteria"):
            policy["selectionCriteria"] = params["selectionCriteria"]
        if not params.get("dryRun"):
            await self.store.put_document(
                f"account-policy/{kind}", policy["policyName"], policy, self.now_ms()
            )
        return {"accountPolicy": policy}

    def describe_account_policies(self, params: dict[str, Any]) -> dict[str, Any]:
        kind = params["policyType"]
        found = self.store.documents(f"account-policy/{kind}")
        if params.get("policyName"):
            found = [p for p in found if p["policyName"] == params["policyName"]]
        return {"accountPolicies": found}

    async def delete_account_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        kind, name = params["policyType"], params["policyName"]
        if not await self.store.delete_document(f"account-policy/{kind}", name):
            raise _not_found(f"Policy with name [{name}] does not exist")
        return {}

    # -- query definitions ---------------------------------------------------------------------------------

    async def put_query_definition(self, params: dict[str, Any]) -> dict[str, Any]:
        definition_id = params.get("queryDefinitionId") or str(uuid.uuid4())
        if (
            params.get("queryDefinitionId")
            and self.store.get_document("query-definition", definition_id) is None
        ):
            raise _not_found("Query definition does not exist")
        definition = {
            "queryLanguage": params.get("queryLanguage") or "CWLI",
            "queryDefinitionId": definition_id,
            "name": params["name"],
            "queryString": params["queryString"],
            "lastModified": self.now_ms(),
            "logGroupNames": list(params.get("logGroupNames") or []),
        }
        await self.store.put_document(
            "query-definition", definition_id, definition, definition["lastModified"]
        )
        return {"queryDefinitionId": definition_id}

    def describe_query_definitions(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("queryDefinitionNamePrefix") or ""
        found = [d for d in self.store.documents("query-definition") if d["name"].startswith(prefix)]
        found.sort(key=lambda d: (d["name"], d["queryDefinitionId"]))
        return {"queryDefinitions": found[: int(params.get("maxResults") or 1000)]}

    async def delete_query_definition(self, params: dict[str, Any]) -> dict[str, Any]:
        if not await self.store.delete_document("query-definition", params["queryDefinitionId"]):
            raise _not_found("Query definition does not exist")
        return {"success": True}

    # -- destinations --------------------------------------------------------------------------------------

    async def put_destination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["destinationName"]
        if not DESTINATION_NAME.match(name):
            raise _invalid(f"Invalid destinationName: {name}")
        if not str(params["targetArn"]).startswith("arn:"):
            raise _invalid(f"Invalid targetArn: {params['targetArn']}")
        previous = self.store.get_document("destination", name) or {}
        destination = {
            "destinationName": name,
            "targetArn": params["targetArn"],
            "roleArn": params["roleArn"],
            "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:destination:{name}",
            "creationTime": previous.get("creationTime") or self.now_ms(),
        }
        if previous.get("accessPolicy"):
            destination["accessPolicy"] = previous["accessPolicy"]
        await self.store.put_document("destination", name, destination, self.now_ms())
        return {"destination": destination}

    async def put_destination_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["destinationName"]
        destination = self.store.get_document("destination", name)
        if destination is None:
            raise _not_found("The specified destination does not exist.")
        _json_document(params["accessPolicy"], "accessPolicy")
        destination["accessPolicy"] = params["accessPolicy"]
        await self.store.put_document("destination", name, destination, self.now_ms())
        return {}

    def describe_destinations(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "destinations": self.store.documents("destination", params.get("DestinationNamePrefix") or "")
        }

    async def delete_destination(self, params: dict[str, Any]) -> dict[str, Any]:
        if not await self.store.delete_document("destination", params["destinationName"]):
            raise _not_found("The specified destination does not exist.")
        return {}

    # -- KMS keys ------------------------------------------------------------------------------------------

    async def associate_kms_key(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._group(params.get("logGroupName") or params.get("resourceIdentifier") or "")
        key = params["kmsKeyId"]
        if not re.match(r"^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key/.+$", key):
            raise _invalid(f"Specified KMS key {key} is not a key ARN")
        await self.store.put_document("kms", group, {"kmsKeyId": key}, self.now_ms())
        return {}

    async def disassociate_kms_key(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._group(params.get("logGroupName") or params.get("resourceIdentifier") or "")
        await self.store.delete_document("kms", group)
        return {}

    def kms_key(self, group: str) -> str | None:
        found = self.store.get_document("kms", group)
        return None if found is None else str(found["kmsKeyId"])
