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


@pytest.mark.parametrize("item_id", ["999999", "0", "-1", "99999999999999999999999"])
async def test_missing_item_is_404_with_a_reason(client: httpx.AsyncClient, item_id: str) -> None:
    response = await client.get(f"/items/{item_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"item {item_id} not found"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": 42},
        {"name": "ok", "description": "x" * 1001},
        {"name": "ok", "colour": "blue"},
        ["not", "an", "object"],
    ],
)
async def test_bad_body_is_422_with_the_reason(client: httpx.AsyncClient, body: Any) -> None:
    response = await client.post("/items", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/items", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}]
)
async def test_bad_paging_is_422(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/items", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_non_numeric_id_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.get("/items/abc")).status_code == 422
