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


def test_page_past_the_end_is_empty(items_client: FlaskClient) -> None:
    items_client.post("/items", json={"name": "only"})

    page = items_client.get("/items?offset=9223372036854775806").get_json()

    assert (page["items"], page["total"]) == ([], 1)


def test_delete(items_client: FlaskClient) -> None:
    item_id = items_client.post("/items", json={"name": "doomed"}).get_json()["id"]

    assert items_client.delete(f"/items/{item_id}").status_code == 204
    assert items_client.get(f"/items/{item_id}").status_code == 404
    assert items_client.delete(f"/items/{item_id}").status_code == 404


def test_create_answers_the_location(items_client: FlaskClient) -> None:
    created = items_client.post("/items", json={"name": "located"})

    assert created.headers["Location"] == f"/items/{created.get_json()['id']}"


def test_missing_item_is_404_with_a_reason(items_client: FlaskClient) -> None:
    response = items_client.get("/items/999")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "no item has this id"


def test_patch_changes_only_the_members_sent(items_client: FlaskClient) -> None:
    item = items_client.post("/items", json={"name": "old", "description": "kept"}).get_json()

    renamed = items_client.patch(f"/items/{item['id']}", json={"name": "new"})

    assert renamed.status_code == 200
    assert renamed.get_json() == {**item, "name": "new"}
    assert items_client.get(f"/items/{item['id']}").get_json() == {**item, "name": "new"}


def test_patch_can_clear_the_description(items_client: FlaskClient) -> None:
    item = items_client.post("/items", json={"name": "pen", "description": "blue"}).get_json()

    cleared = items_client.patch(f"/items/{item['id']}", json={"description": None})

    assert cleared.status_code == 200
    assert cleared.get_json() == {**item, "description": None}


def test_patch_with_nothing_leaves_the_item_as_it_was(items_client: FlaskClient) -> None:
    item = items_client.post("/items", json={"name": "pen"}).get_json()

    unchanged = items_client.patch(f"/items/{item['id']}", json={})

    assert unchanged.status_code == 200
    assert unchanged.get_json() == item


def test_patch_of_a_missing_item_is_404(items_client: FlaskClient) -> None:
    response = items_client.patch("/items/999", json={"name": "ghost"})

    assert response.status_code == 404
    assert response.get_json()["detail"] == "no item has this id"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": None}, "name"), ({"name": ""}, "name"), ({"description": 5}, "description")],
)
def test_patch_with_a_bad_member_is_422_and_changes_nothing(
    items_client: FlaskClient, body: dict[str, object], field: str
) -> None:
    item = items_client.post("/items", json={"name": "pen"}).get_json()

    response = items_client.patch(f"/items/{item['id']}", json=body)

    assert response.status_code == 422
    assert [error["field"] for error in response.get_json()["errors"]] == [field]
    assert items_client.get(f"/items/{item['id']}").get_json() == item
