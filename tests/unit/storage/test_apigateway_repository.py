"""The API Gateway repository on every backend: REST APIs are found, listed, changed and deleted only
through their owner (account and region), by id alone for the data plane; rows stored before APIs had an
owner are adopted by the server's default account and region."""

from __future__ import annotations

import json
import sqlite3

from millpond.services.apigateway.repository import Owner, RestApiRecord
from millpond.storage.apigateway import SqliteApiGatewayRepository
from tests.unit.storage.conftest import Backend

EAST = Owner("000000000000", "us-east-1")
WEST = Owner("000000000000", "us-west-2")


def record(api_id: str, owner: Owner) -> RestApiRecord:
    return RestApiRecord(
        api={"id": api_id, "name": api_id}, resources={"r": {"id": "r", "path": "/"}}, owner=owner
    )


async def test_apis_are_reached_through_their_owner(backend: Backend) -> None:
    async with backend.engine() as engine:
        repo = SqliteApiGatewayRepository(engine)
        await repo.create_api(record("east", EAST))
        await repo.create_api(record("west", WEST))
        assert [r.id for r in repo.list_apis(EAST)] == ["east"]
        assert [r.id for r in repo.list_apis(WEST)] == ["west"]
        assert repo.get_api("west", EAST) is None
        found = repo.get_api("west")
        assert (
            found is not None and found.owner == WEST and found.resources == {"r": {"id": "r", "path": "/"}}
        )
        assert await repo.update_api(EAST, "west", lambda r: r.api.update(name="x")) == (False, None)
        assert await repo.update_api(WEST, "west", lambda r: r.api.update(name="x")) == (True, None)
        renamed = repo.get_api("west", WEST)
        assert renamed is not None and renamed.api["name"] == "x" and renamed.owner == WEST
        assert not await repo.delete_api(EAST, "west")
        assert await repo.delete_api(WEST, "west")
        assert repo.get_api("west") is None


async def test_apis_from_before_owners_are_adopted(backend: Backend) -> None:
    async with backend.engine() as engine:
        old = {"api": {"id": "old", "name": "old"}, "resources": {}, "stages": {}, "deployments": {}}

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO apigateway_rest_apis (id, document) VALUES ('old', ?)", (json.dumps(old),)
            )

        await engine.write(insert)
        repo = SqliteApiGatewayRepository(engine)
        assert repo.list_apis(EAST) == []
        await repo.adopt(EAST)
        assert [(r.id, r.owner) for r in repo.list_apis(EAST)] == [("old", EAST)]
        await repo.adopt(WEST)  # adopting again leaves owned APIs where they are
        assert repo.list_apis(WEST) == []
