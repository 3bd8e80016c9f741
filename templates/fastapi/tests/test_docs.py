"""The API description: a valid OpenAPI document, and Swagger UI that needs no internet."""

import re

import httpx
from openapi_spec_validator import validate

ROUTES = {
    "/health/live": {"get"},
    "/health/ready": {"get"},
    "/items": {"get", "post"},
    "/items/{item_id}": {"get", "delete"},
}


async def test_openapi_document_is_valid_and_complete(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path, methods in ROUTES.items():
        assert methods <= set(spec["paths"][path]), path


async def test_swagger_ui_assets_are_served_locally(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the service"
        assert (await client.get(asset)).status_code == 200, asset
    assert "url: '/openapi.json'" in page.text
