"""The API description: a valid OpenAPI document, and Swagger UI that needs no internet."""

import re

import httpx
from openapi_spec_validator import validate

ROUTES = {
    "/health/live": {"get"},
    "/health/ready": {"get"},
    "/items": {"get", "post"},
    "/items/{item_id}": {"get", "patch", "delete"},
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
    init = await client.get("/docs/init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert '"url": "/openapi.json"' in init.text


async def test_docs_page_runs_no_inline_script(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes
        assert not body.strip()


async def test_every_error_answer_is_documented_as_a_problem(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert {"Problem", "ItemCreate", "ItemChanges"} <= set(spec["components"]["schemas"])
    for path, operations in spec["paths"].items():
        if not path.startswith("/items"):
            continue
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
            assert {"422", "500", "503"} <= set(errors), (method, path)
            for response in errors.values():
                assert list(response["content"]) == ["application/problem+json"], (method, path)
    for method in ("post", "patch"):
        operation = spec["paths"]["/items" if method == "post" else "/items/{item_id}"][method]
        assert {"400", "413", "415"} <= set(operation["responses"])
        assert "application/json" in operation["requestBody"]["content"]
