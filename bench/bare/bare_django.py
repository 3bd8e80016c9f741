"""The smallest Django app, the benchmark's baseline: ``GET /health/live`` -> ``{"status": "ok"}``.

Run inside a generated Django service's virtualenv: ``python bench/bare/bare_django.py``. It is
served exactly as the service's ``python -m <package> serve`` serves (see its ``server.py``):
gunicorn, ``gthread`` workers, ``WEB_CONCURRENCY`` processes (default 1) of ``WEB_THREADS``
threads (default 4), the application preloaded and then frozen out of the garbage collector's
reach (``gc.freeze``), no access log, no control socket, on ``HOST``/``PORT`` (defaults
127.0.0.1:8000). Only Django and gunicorn are used, both of which the
service depends on. What the service adds on top (settings, middleware, DRF, logging, metrics)
is what the benchmark measures.

With ``BARE_DB`` set it is also the yardstick of the database scenarios, on the ``items`` table
of a migrated db=postgres service at ``DATABASE_URL``: ``GET /items/{id}``, ``GET /items`` (a
page of 20 and the total) and ``POST /items``, written as Django's tutorial writes views.
``BARE_DB=orm`` uses the service's ORM and driver (Django's ORM on psycopg 3, a persistent
connection per server thread, ``CONN_MAX_AGE``); ``BARE_DB=raw`` the bare driver (a psycopg
connection per server thread, in autocommit).
"""

import gc
import json
import os
import threading
from typing import Any

import django
from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from gunicorn.app.base import BaseApplication

BARE_DB = os.environ.get("BARE_DB", "")
COLUMNS = "id, name, description, created_at"


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health/live", live)]

DATABASES: dict[str, Any] = {}
if BARE_DB == "orm":
    import environ

    DATABASES["default"] = {
        **environ.Env.db_url_config(os.environ["DATABASE_URL"]),
        "CONN_MAX_AGE": None,
    }

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-benchmark",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_I18N=False,
    USE_TZ=True,
    LOGGING_CONFIG=None,
    DATABASES=DATABASES,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (needs the settings above)


def as_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "created_at": item.created_at.isoformat(),
    }


def orm_routes() -> None:
    from django.db import models

    class Item(models.Model):
        id = models.BigAutoField(primary_key=True)
        name = models.CharField(max_length=100)
        description = models.CharField(max_length=1000, null=True)
        created_at = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "bare"
            db_table = "items"
            managed = False

    def get_item(request: HttpRequest, item_id: int) -> JsonResponse:
        try:
            return JsonResponse(as_json(Item.objects.get(pk=item_id)))
        except Item.DoesNotExist:
            raise Http404 from None

    def items(request: HttpRequest) -> JsonResponse:
        if request.method == "POST":
            body = json.loads(request.body)
            item = Item.objects.create(name=body["name"], description=body.get("description"))
            return JsonResponse(as_json(item), status=201)
        limit = int(request.GET.get("limit", 20))
        offset = int(request.GET.get("offset", 0))
        rows = Item.objects.order_by("id")
        page = [as_json(row) for row in rows[offset : offset + limit]]
        return JsonResponse(
            {"items": page, "total": rows.count(), "limit": limit, "offset": offset}
        )

    urlpatterns.extend([path("items/<int:item_id>", get_item), path("items", items)])


def raw_routes() -> None:
    import psycopg
    from psycopg.rows import namedtuple_row

    local = threading.local()
    url = os.environ["DATABASE_URL"]

    def connection() -> psycopg.Connection[Any]:
        if getattr(local, "connection", None) is None:
            local.connection = psycopg.connect(url, autocommit=True, row_factory=namedtuple_row)
        return local.connection

    def get_item(request: HttpRequest, item_id: int) -> JsonResponse:
        query = f"SELECT {COLUMNS} FROM items WHERE id = %s"
        item = connection().execute(query, (item_id,)).fetchone()
        if item is None:
            raise Http404
        return JsonResponse(as_json(item))

    def items(request: HttpRequest) -> JsonResponse:
        db = connection()
        if request.method == "POST":
            body = json.loads(request.body)
            # Django's table has no default for created_at: the ORM sets it, so must this.
            insert = (
                "INSERT INTO items (name, description, created_at) VALUES (%s, %s, now()) "
                f"RETURNING {COLUMNS}"
            )
            row = db.execute(insert, (body["name"], body.get("description"))).fetchone()
            return JsonResponse(as_json(row), status=201)
        limit = int(request.GET.get("limit", 20))
        offset = int(request.GET.get("offset", 0))
        query = f"SELECT {COLUMNS} FROM items ORDER BY id LIMIT %s OFFSET %s"
        page = [as_json(row) for row in db.execute(query, (limit, offset))]
        total = db.execute("SELECT count(*) AS total FROM items").fetchone().total
        return JsonResponse({"items": page, "total": total, "limit": limit, "offset": offset})

    urlpatterns.extend([path("items/<int:item_id>", get_item), path("items", items)])


if BARE_DB:
    {"orm": orm_routes, "raw": raw_routes}[BARE_DB]()

application = get_wsgi_application()


class BareServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    host = f"[{host}]" if ":" in host else host
    gc.freeze()
    BareServer(
        {
            "bind": [f"{host}:{os.environ.get('PORT', '8000')}"],
            "worker_class": "gthread",
            "workers": int(os.environ.get("WEB_CONCURRENCY") or 1),
            "threads": int(os.environ.get("WEB_THREADS") or 4),
            "graceful_timeout": 8,
            "preload_app": True,
            "accesslog": None,
            "loglevel": "info",
            "worker_tmp_dir": "/dev/shm" if os.access("/dev/shm", os.W_OK) else None,
            "control_socket_disable": True,
        }
    ).run()


if __name__ == "__main__":
    main()
