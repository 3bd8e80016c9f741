"""The smallest FastAPI app, served exactly as a generated FastAPI service's ``serve`` serves.

The benchmark's yardstick for the FastAPI template: one route, ``GET /health/live`` answering
``{"status": "ok"}``, on uvicorn with the same options as ``templates/fastapi/.../server.py``
(uvloop, httptools, ``WEB_CONCURRENCY`` workers, no access log, no server header, the same
graceful-shutdown timeout and SIGTERM exit), listening on ``HOST``/``PORT``. It runs in the
generated service's virtualenv, so it uses only what the service depends on.

    HOST=127.0.0.1 PORT=8000 python bench/bare/bare_fastapi.py
"""

import logging
import os
import signal
import sys
from types import FrameType

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


if __name__ == "__main__":
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(stream=sys.stdout, level=level)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        # An import string, as the service passes, so that WEB_CONCURRENCY > 1 works: uvicorn's
        # worker processes re-run this script as their __main__ and find `app` in it.
        "__main__:app",
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        loop="auto",
        http="httptools",
        ws="none",
        lifespan="on",
        log_config=None,
        log_level=level.lower(),
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=8,
    )
