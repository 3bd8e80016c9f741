"""Swagger UI at ``/docs``, with its JavaScript and CSS served by this service.

FastAPI's default page loads them from a CDN; this one works offline and behind strict
content-security policies. The files come from the ``swagger-ui-py`` package.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PATH = "/docs/static"


def install(app: FastAPI, openapi_url: str) -> None:
    """Serve the Swagger UI page and its assets on ``app``."""
    app.mount(STATIC_PATH, StaticFiles(packages=[("swagger_ui", "static")]), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a proxy that strips a path prefix, the browser needs that prefix back.
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - API docs",
            swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_PATH}/favicon-32x32.png",
            # No badge from the public validator service: the page makes no outside request.
            swagger_ui_parameters={"validatorUrl": None},
        )
