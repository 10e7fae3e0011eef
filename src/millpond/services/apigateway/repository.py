"""What API Gateway needs from storage: REST API documents and immutable deployment snapshots.

A `RestApiRecord` holds everything of one API but the snapshots: its settings (the RestApi shape), its
resources with their methods and integrations, its stages and its deployments' summaries. Changes run
as closures inside one write, so checks and updates never race.

REST APIs belong to an account and a region: the control plane reaches them through their `Owner`, the data
plane by id alone (ids are unique across regions) and learns the owner from the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Owner:
    account_id: str
    region: str


@dataclass(slots=True)
class RestApiRecord:
    api: dict[str, Any]  # the RestApi as GetRestApi returns it
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id, with resourceMethods
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)  # by stage name, as GetStage returns it
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id, as GetDeployment returns it
    # The API's other parts by kind ("authorizers", ...), each by id as its Get operation returns it.
    children: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    owner: Owner = Owner("", "")  # the account and region the API lives in

    @property
    def id(self) -> str:
        return str(self.api["id"])


class ApiGatewayRepository(Protocol):
    async def create_api(self, record: RestApiRecord) -> None: ...

    def get_api(self, api_id: str, owner: Owner | None = None) -> RestApiRecord | None:
        """The API with this id, if `owner` (None: any account and region) has it."""
        ...

    def list_apis(self, owner: Owner) -> list[RestApiRecord]:
        """The owner's APIs, oldest first."""
        ...

    async def update_api(
        self, owner: Owner, api_id: str, change: Callable[[RestApiRecord], T]
    ) -> tuple[bool, T | None]:
        """Run `change` on the stored record inside one write and save it; (False, None) if no such API.

        An exception `change` raises rolls the write back and reaches the caller.
        """
        ...

    async def deploy(
        self, owner: Owner, api_id: str, change: Callable[[RestApiRecord], tuple[T, str, dict[str, Any]]]
    ) -> tuple[bool, T | None]:
        """As update_api, where `change` also returns (deployment id, snapshot) to store beside it."""
        ...

    async def delete_api(self, owner: Owner, api_id: str) -> bool: ...

    def get_snapshot(self, api_id: str, deployment_id: str) -> dict[str, Any] | None: ...

    async def delete_snapshot(self, api_id: str, deployment_id: str) -> None: ...
