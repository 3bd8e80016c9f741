"""The example resource through HTTP: create, list, read, delete, and refused input."""

from datetime import datetime
from typing import Any

import httpx
import pytest


async def _create(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/items", json=body)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


async def test_create_returns_the_item_and_its_location(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "Teapot", "description": "Short"})
    assert response.status_code == 201
    item = response.json()
    assert set(item) == {"id", "name", "description", "created_at"}
    assert item["name"] == "Teapot"
    assert item["description"] == "Short"
    assert isinstance(item["id"], int)
    assert datetime.fromisoformat(item["created_at"]).tzinfo is not None
    assert response.headers["location"].endswith(f"/items/{item['id']}")


async def test_description_is_optional(client: httpx.AsyncClient) -> None:
    item = await _create(client, name="Cup")
    assert item["description"] is None


async def test_read_returns_the_stored_item(client: httpx.AsyncClient) -> None:
    created = await _create(client, name="Saucer", description=None)
    response = await client.get(f"/items/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


async def test_list_pages_in_id_order(client: httpx.AsyncClient) -> None:
    created = [await _create(client, name=f"item {n}") for n in range(5)]

    first = (await client.get("/items")).json()
    assert first == {"items": created, "total": 5, "limit": 20, "offset": 0}

    page = (await client.get("/items", params={"limit": 2, "offset": 3})).json()
    assert page == {"items": created[3:5], "total": 5, "limit": 2, "offset": 3}

    past_the_end = (await client.get("/items", params={"offset": 10})).json()
    assert past_the_end["items"] == []
    assert past_the_end["total"] == 5


async def test_delete_removes_the_item(client: httpx.AsyncClient) -> None:
    created = await _create(client, name="Spoon")
    response = await client.delete(f"/items/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/items/{created['id']}")).status_code == 404
    assert (await client.delete(f"/items/{created['id']}")).status_code == 404


async def test_patch_changes_only_the_members_sent(client: httpx.AsyncClient) -> None:
    created = await _create(client, name="Kettle", description="Loud")
    response = await client.patch(f"/items/{created['id']}", json={"description": None})
    assert response.status_code == 200
    assert response.json() == {**created, "description": None}
    response = await client.patch(f"/items/{created['id']}", json={"name": "Quiet kettle"})
    assert response.json() == {**created, "name": "Quiet kettle", "description": None}
    assert (await client.get(f"/items/{created['id']}")).json() == response.json()


async def test_patch_with_no_members_changes_nothing(client: httpx.AsyncClient) -> None:
    created = await _create(client, name="Mug")
    response = await client.patch(f"/items/{created['id']}", json={})
    assert response.status_code == 200
    assert response.json() == created


async def test_patch_of_a_missing_item_is_404(client: httpx.AsyncClient) -> None:
    response = await client.patch("/items/424242", json={"name": "Ghost"})
    assert response.status_code == 404
    assert response.json()["detail"] == "no item has this id"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": None}, "name"), ({"name": ""}, "name"), ({"description": 5}, "description")],
)
async def test_patch_refuses_invalid_members_and_keeps_the_item(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    created = await _create(client, name="Jug")
    response = await client.patch(f"/items/{created['id']}", json=body)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert (await client.get(f"/items/{created['id']}")).json() == created
