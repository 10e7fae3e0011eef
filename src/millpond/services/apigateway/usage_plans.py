"""API keys and usage plans: the control plane (keys, plans, the keys of a plan, GetUsage, UpdateUsage)
and what a method with apiKeyRequired asks of a request.

A request to such a method needs an enabled key (from the x-api-key header, or the authorizer's
usageIdentifierKey when the API's apiKeySource is AUTHORIZER) that belongs to a usage plan covering the
API's stage: otherwise 403 Forbidden. The plan's throttle (rateLimit requests a second, burstLimit at
once) is a token bucket per key on the virtual clock, and its quota counts requests per key per period
(DAY, WEEK from Sunday, MONTH from the 1st, moved on by `offset` days, in UTC) in storage; over either is
429, "Too Many Requests" or "Limit Exceeded" as AWS words them.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from millpond.services.apigateway import patch
from millpond.services.apigateway.common import bad_request, compact, conflict, new_id, not_found, page
from millpond.services.apigateway.repository import Owner

PERIODS = ("DAY", "WEEK", "MONTH")
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_FIELDS: dict[str, patch.Kind] = {
    "name": "string",
    "description": "string",
    "enabled": "boolean",
    "customerId": "string",
}
PLAN_FIELDS: dict[str, patch.Kind] = {"name": "string", "description": "string", "productCode": "string"}


class AccountStore(Protocol):
    """Per account and region: documents by kind and id, and request counts by plan, key and day."""

    async def put(self, owner: Owner, kind: str, item_id: str, body: dict[str, Any]) -> None: ...

    def get(self, owner: Owner, kind: str, item_id: str) -> dict[str, Any] | None: ...

    def all(self, owner: Owner, kind: str) -> list[dict[str, Any]]:
        """Oldest first."""
        ...

    async def delete(self, owner: Owner, kind: str, item_id: str) -> bool: ...

    async def count(self, owner: Owner, plan: str, key: str, day: str, limit: int | None, since: str) -> bool:
        """Count one request on `day` unless the days since `since` already reach `limit`; True if counted."""
        ...

    def usage(
        self, owner: Owner, plan: str, key: str | None, start: str, end: str
    ) -> dict[str, dict[str, int]]:
        """{key id: {day: requests}} for days start..end."""
        ...

    async def set_usage(self, owner: Owner, plan: str, key: str, day: str, used: int) -> None: ...


def period_start(day: date, period: str, offset: int) -> date:
    if period == "DAY":
        return day
    # AWS does not document the day a WEEK quota starts on: Sunday is our guess.
    start = day - timedelta(days=(day.weekday() + 1) % 7) if period == "WEEK" else day.replace(day=1)
    start += timedelta(days=offset)
    if start > day:  # the offset moved it past today: the period began a week (or month) before
        start -= timedelta(days=7) if period == "WEEK" else timedelta(days=start.day)
    return start


class UsagePlans:
    def __init__(self, store: AccountStore) -> None:
        self.store = store
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (plan, key) -> (tokens, at)

    # -- API keys ------------------------------------------------------------------------------------------

    async def create_api_key(self, owner: Owner, params: dict[str, Any], now: float) -> dict[str, Any]:
        value = params.get("value") or "".join(secrets.choice(KEY_ALPHABET) for _ in range(40))
        if len(value) < 20:
            raise bad_request("API Key value should be at least 20 characters")
        if any(k["value"] == value for k in self.store.all(owner, "api-key")):
            raise conflict("API Key already exists")
        key = compact(
            {
                "id": new_id(10),
                "value": value,
                "name": params.get("name"),
                "customerId": params.get("customerId"),
                "description": params.get("description"),
                "enabled": bool(params.get("enabled", False)),
                "createdDate": now,
                "lastUpdatedDate": now,
                "stageKeys": params.get("stageKeys") or [],
                "tags": params.get("tags") or None,
            }
        )
        await self.store.put(owner, "api-key", key["id"], key)
        return key

    def _key(self, owner: Owner, key_id: str) -> dict[str, Any]:
        found = self.store.get(owner, "api-key", key_id)
        if found is None:
            raise not_found("Invalid API Key identifier specified")
        return found

    @staticmethod
    def _shown(key: dict[str, Any], include_value: bool) -> dict[str, Any]:
        return key if include_value else {k: v for k, v in key.items() if k != "value"}

    def get_api_key(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        return self._shown(self._key(owner, params["apiKey"]), bool(params.get("includeValue")))

    def get_api_keys(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        keys = self.store.all(owner, "api-key")
        if params.get("nameQuery"):
            keys = [k for k in keys if str(k.get("name", "")).startswith(params["nameQuery"])]
        if params.get("customerId"):
            keys = [k for k in keys if k.get("customerId") == params["customerId"]]
        return page([self._shown(k, bool(params.get("includeValues"))) for k in keys], params)

    async def update_api_key(self, owner: Owner, params: dict[str, Any], now: float) -> dict[str, Any]:
        key = self._key(owner, params["apiKey"])
        patch.apply(key, params.get("patchOperations") or [], KEY_FIELDS)
        key["lastUpdatedDate"] = now
        await self.store.put(owner, "api-key", key["id"], key)
        return self._shown(key, False)

    async def delete_api_key(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        if not await self.store.delete(owner, "api-key", params["apiKey"]):
            raise not_found("Invalid API Key identifier specified")
        for plan in self.store.all(owner, "usage-plan"):
            await self.store.delete(owner, f"usage-plan-key/{plan['id']}", params["apiKey"])
        return {}

    # -- usage plans ---------------------------------------------------------------------------------------

    async def create_usage_plan(
        self, owner: Owner, params: dict[str, Any], api_exists: Any
    ) -> dict[str, Any]:
        quota = params.get("quota")
        if quota is not None and quota.get("period") not in PERIODS:
            raise bad_request(f"Invalid quota period. Valid options are {','.join(PERIODS)}")
        for stage in params.get("apiStages") or []:
            if not api_exists(stage["apiId"], stage["stage"]):
                raise bad_request(
                    f"Invalid API stage identifier specified: {stage['apiId']}/{stage['stage']}"
                )
        plan = compact(
            {
                "id": new_id(6),
                "name": params["name"],
                "description": params.get("description"),
                "apiStages": params.get("apiStages") or [],
                "throttle": params.get("throttle"),
                "quota": quota,
                "productCode": params.get("productCode"),
                "tags": params.get("tags") or None,
            }
        )
        await self.store.put(owner, "usage-plan", plan["id"], plan)
        return plan

    def _plan(self, owner: Owner, plan_id: str) -> dict[str, Any]:
        found = self.store.get(owner, "usage-plan", plan_id)
        if found is None:
            raise not_found("Invalid Usage Plan ID specified")
        return found

    def get_usage_plan(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        return self._plan(owner, params["usagePlanId"])

    def get_usage_plans(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        plans = self.store.all(owner, "usage-plan")
        if params.get("keyId"):
            plans = [p for p in plans if self.store.get(owner, f"usage-plan-key/{p['id']}", params["keyId"])]
        return page(plans, params)

    async def update_usage_plan(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(owner, params["usagePlanId"])
        for operation in params.get("patchOperations") or []:
            path, value = operation.get("path", ""), operation.get("value")
            if path.startswith(("/throttle/", "/quota/")):
                section, name = path.strip("/").split("/", 1)
                target = plan.setdefault(section, {})
                if operation["op"] == "remove":
                    target.pop(name, None)
                else:
                    target[name] = (
                        value
                        if name == "period"
                        else (float(value) if "rate" in name.lower() else int(value))
                    )
            elif path == "/apiStages" and operation["op"] in ("add", "remove"):
                api_id, _, stage = str(value).partition(":")
                stages = [s for s in plan["apiStages"] if (s["apiId"], s["stage"]) != (api_id, stage)]
                plan["apiStages"] = stages + (
                    [{"apiId": api_id, "stage": stage}] if operation["op"] == "add" else []
                )
            else:
                patch.apply(plan, [operation], PLAN_FIELDS)
        await self.store.put(owner, "usage-plan", plan["id"], plan)
        return plan

    async def delete_usage_plan(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        if not await self.store.delete(owner, "usage-plan", params["usagePlanId"]):
            raise not_found("Invalid Usage Plan ID specified")
        return {}

    async def create_usage_plan_key(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(owner, params["usagePlanId"])
        if params.get("keyType") != "API_KEY":
            raise bad_request("Invalid key type specified. Valid options are API_KEY")
        key = self._key(owner, params["keyId"])
        if self.store.get(owner, f"usage-plan-key/{plan['id']}", key["id"]):
            raise conflict(
                f"Usage Plan {plan['id']} cannot be added because API Key {key['id']} is already in it"
            )
        entry = {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": key.get("name")}
        await self.store.put(owner, f"usage-plan-key/{plan['id']}", key["id"], compact(entry))
        return compact(entry)

    def get_usage_plan_key(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        self._plan(owner, params["usagePlanId"])
        found = self.store.get(owner, f"usage-plan-key/{params['usagePlanId']}", params["keyId"])
        if found is None:
            raise not_found("Invalid Usage Plan Key identifier specified")
        return found

    def get_usage_plan_keys(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        self._plan(owner, params["usagePlanId"])
        keys = self.store.all(owner, f"usage-plan-key/{params['usagePlanId']}")
        if params.get("nameQuery"):
            keys = [k for k in keys if str(k.get("name", "")).startswith(params["nameQuery"])]
        return page(keys, params)

    async def delete_usage_plan_key(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        self._plan(owner, params["usagePlanId"])
        if not await self.store.delete(owner, f"usage-plan-key/{params['usagePlanId']}", params["keyId"]):
            raise not_found("Invalid Usage Plan Key identifier specified")
        return {}

    def get_usage(self, owner: Owner, params: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(owner, params["usagePlanId"])
        start, end = date.fromisoformat(params["startDate"]), date.fromisoformat(params["endDate"])
        if end < start:
            raise bad_request("The end date must not be before the start date")
        counted = self.store.usage(owner, plan["id"], params.get("keyId"), start.isoformat(), end.isoformat())
        limit = (plan.get("quota") or {}).get("limit")
        items: dict[str, list[list[int]]] = {}
        for key in self.store.all(owner, f"usage-plan-key/{plan['id']}"):
            if params.get("keyId") and key["id"] != params["keyId"]:
                continue
            days, day = [], start
            while day <= end:
                used = counted.get(key["id"], {}).get(day.isoformat(), 0)
                days.append([used, max(0, limit - used) if limit is not None else 0])
                day += timedelta(days=1)
            items[key["id"]] = days
        return {
            "usagePlanId": plan["id"],
            "startDate": params["startDate"],
            "endDate": params["endDate"],
            "items": items,
        }

    async def update_usage(self, owner: Owner, params: dict[str, Any], now: float) -> dict[str, Any]:
        plan = self._plan(owner, params["usagePlanId"])
        today = datetime.fromtimestamp(now, UTC).date().isoformat()
        for operation in params.get("patchOperations") or []:
            if operation.get("path") == "/remaining" and operation.get("op") == "replace":
                limit = int((plan.get("quota") or {}).get("limit", 0))
                await self.store.set_usage(
                    owner, plan["id"], params["keyId"], today, max(0, limit - int(operation["value"]))
                )
        return self.get_usage(
            owner, {"usagePlanId": plan["id"], "keyId": params["keyId"], "startDate": today, "endDate": today}
        )

    # -- the data plane ------------------------------------------------------------------------------------

    async def admit(self, owner: Owner, api_id: str, stage: str, value: str | None, now: float) -> str | None:
        """None when the request may go on; else the refusal: "forbidden", "throttled" or "quota"."""
        key = (
            next((k for k in self.store.all(owner, "api-key") if k["value"] == value), None)
            if value
            else None
        )
        if key is None or not key.get("enabled"):
            return "forbidden"
        for plan in self.store.all(owner, "usage-plan"):
            if not any(s["apiId"] == api_id and s["stage"] == stage for s in plan.get("apiStages", [])):
                continue
            if self.store.get(owner, f"usage-plan-key/{plan['id']}", key["id"]) is None:
                continue
            if not self._take_token(plan, key["id"], now):
                return "throttled"
            quota = plan.get("quota")
            today = datetime.fromtimestamp(now, UTC).date()
            since = period_start(today, quota["period"], int(quota.get("offset", 0))) if quota else today
            limit = int(quota["limit"]) if quota else None
            if not await self.store.count(
                owner, plan["id"], key["id"], today.isoformat(), limit, since.isoformat()
            ):
                return "quota"
            return None
        return "forbidden"

    def _take_token(self, plan: dict[str, Any], key_id: str, now: float) -> bool:
        throttle = plan.get("throttle") or {}
        rate, burst = throttle.get("rateLimit"), throttle.get("burstLimit")
        if not rate and not burst:
            return True
        rate = float(rate or burst or 0)
        burst = float(burst or rate)
        tokens, at = self._buckets.get((plan["id"], key_id), (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        if tokens < 1:
            self._buckets[(plan["id"], key_id)] = (tokens, now)
            return False
        self._buckets[(plan["id"], key_id)] = (tokens - 1, now)
        return True
