"""The example resource: create, list with pagination, read, delete, and bad input."""

import pytest
from flask.testing import FlaskClient


def test_create_then_read(items_client: FlaskClient) -> None:
    created = items_client.post("/items", json={"name": "first", "description": "an item"})

    assert created.status_code == 201
    item = created.get_json()
    assert item["name"] == "first"
    assert item["description"] == "an item"
    assert isinstance(item["id"], int)
    assert "T" in item["created_at"]
    assert items_client.get(f"/items/{item['id']}").get_json() == item


def test_description_is_optional(items_client: FlaskClient) -> None:
    created = items_client.post("/items", json={"name": "plain"})

    assert created.status_code == 201
    assert created.get_json()["description"] is None


def test_list_is_paginated_in_id_order(items_client: FlaskClient) -> None:
    for number in range(5):
        items_client.post("/items", json={"name": f"item {number}"})

    page = items_client.get("/items?limit=2&offset=1").get_json()

    assert [item["name"] for item in page["items"]] == ["item 1", "item 2"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)


def test_list_defaults(items_client: FlaskClient) -> None:
    assert items_client.get("/items").get_json() == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
    }


def test_delete(items_client: FlaskClient) -> None:
    item_id = items_client.post("/items", json={"name": "doomed"}).get_json()["id"]

    assert items_client.delete(f"/items/{item_id}").status_code == 204
    assert items_client.get(f"/items/{item_id}").status_code == 404
    assert items_client.delete(f"/items/{item_id}").status_code == 404


def test_missing_item_is_404_with_a_reason(items_client: FlaskClient) -> None:
    response = items_client.get("/items/999")

    assert response.status_code == 404
    assert response.get_json() == {"detail": "item 999 not found"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": 42},
        {"name": "ok", "description": "x" * 1001},
        {"name": "ok", "unknown": True},
    ],
)
def test_bad_body_is_422_with_the_reason(client: FlaskClient, body: dict[str, object]) -> None:
    response = client.post("/items", json=body)

    assert response.status_code == 422
    error = response.get_json()
    assert error["detail"]
    assert "json" in error["errors"]


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/items", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.get_json()["detail"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=many"])
def test_bad_page_is_422(client: FlaskClient, query: str) -> None:
    response = client.get(f"/items?{query}")

    assert response.status_code == 422
    assert "query" in response.get_json()["errors"]
