"""The API description: the OpenAPI document's extra parts, and Swagger UI at ``/docs``.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; this
one serves the JavaScript and CSS from the ``swagger-ui-py`` package and its initializer as a
file of its own (``/docs/init.js``), so the page works offline and under the strict
Content-Security-Policy that ``middleware.py`` sends with it, which allows no inline script.

The item bodies are read by the routes' own dependencies (``schemas.py``), so FastAPI does not
see their schemas; :func:`install` adds them, and the ``Problem`` every error answer is, to the
document's ``components.schemas``.
"""

import html
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from ..schemas import COMPONENTS

STATIC_PATH = "/docs/static"
INIT_PATH = "/docs/init.js"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
"""


def _with_components(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, built once, with the schemas of :data:`COMPONENTS` added."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(COMPONENTS)
        app.openapi_schema = document
    return app.openapi_schema


def install(app: FastAPI, openapi_url: str) -> None:
    """Serve the Swagger UI page, its initializer and its assets on ``app``."""
    app.openapi = lambda: _with_components(app)  # type: ignore[method-assign]
    app.mount(STATIC_PATH, StaticFiles(packages=[("swagger_ui", "static")]), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a proxy that strips a path prefix, the browser needs that prefix back.
        root = request.scope.get("root_path", "")
        page = _PAGE.format(
            title=html.escape(f"{app.title} - API docs"),
            static=html.escape(root + STATIC_PATH),
            init=html.escape(root + INIT_PATH),
        )
        return HTMLResponse(page)

    @app.get(INIT_PATH, include_in_schema=False)
    async def swagger_ui_init(request: Request) -> Response:
        options = {
            "url": request.scope.get("root_path", "") + openapi_url,
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            # No badge from the public validator service: the page makes no outside request.
            "validatorUrl": None,
        }
        script = f"window.ui = SwaggerUIBundle({json.dumps(options)});\n"
        return Response(script, media_type="text/javascript")
