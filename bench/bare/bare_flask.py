"""The smallest Flask app, served exactly as a generated Flask service's ``serve`` serves.

The benchmark's yardstick for the Flask template: one route, ``GET /health/live`` answering
``{"status": "ok"}``, on gunicorn with the same worker class, workers, threads, keep-alive,
graceful timeout and heartbeat directory as ``templates/flask/.../server.py``, listening on
``HOST``/``PORT``, with no access log. It runs in the generated service's virtualenv, so it uses
only what the service depends on (Flask and gunicorn).

    HOST=127.0.0.1 PORT=8000 python bench/bare/bare_flask.py
"""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

app = Flask(__name__)


@app.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


class BareServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with the generated service's options (see its ``server.gunicorn_options``)."""

    def load_config(self) -> None:
        host = os.environ.get("HOST", "127.0.0.1")
        address = f"[{host}]" if ":" in host else host
        shm = Path("/dev/shm")
        options: dict[str, Any] = {
            "bind": [f"{address}:{os.environ.get('PORT', '8000')}"],
            "worker_class": "gthread",
            "workers": int(os.environ.get("WEB_CONCURRENCY", "1")),
            "threads": int(os.environ.get("WEB_THREADS", "8")),
            "keepalive": 5,
            "graceful_timeout": 8,
            "worker_tmp_dir": str(shm) if shm.is_dir() else None,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": os.environ.get("LOG_LEVEL", "INFO").lower(),
            "control_socket_disable": True,
        }
        for key, value in options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return app


if __name__ == "__main__":
    BareServer().run()
