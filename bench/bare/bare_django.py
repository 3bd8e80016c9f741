"""The smallest Django app, the benchmark's baseline: ``GET /health/live`` -> ``{"status": "ok"}``.

Run inside a generated Django service's virtualenv: ``python bench/bare/bare_django.py``. It is
served exactly as the service's ``python -m <package> serve`` serves (see its ``server.py``):
gunicorn, ``gthread`` workers, ``WEB_CONCURRENCY`` processes (default 1) of ``WEB_THREADS``
threads (default 4), the application preloaded and then frozen out of the garbage collector's
reach (``gc.freeze``), no access log, no control socket, on ``HOST``/``PORT`` (defaults
127.0.0.1:8000). Only Django and gunicorn are used, both of which the
service depends on. What the service adds on top (settings, middleware, DRF, logging, metrics)
is what the benchmark measures.
"""

import gc
import os
from typing import Any

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from gunicorn.app.base import BaseApplication


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health/live", live)]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-benchmark",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_I18N=False,
    LOGGING_CONFIG=None,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (needs the settings above)

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
