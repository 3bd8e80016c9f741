"""Probes for the platform: liveness touches nothing, readiness asks every dependency."""

import asyncio
import logging
from typing import Literal

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ..dependencies import ReadinessCheck, ReadinessChecks

#: A dependency that has not answered by then counts as unreachable.
READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, Literal["ok", "unreachable"]]


# Serialised once: liveness is probed often (and benchmarked), so it should cost next to nothing.
_ALIVE = b'{"status":"ok"}'


async def live() -> Response:
    return Response(_ALIVE, media_type="application/json")


async def _check(name: str, check: ReadinessCheck) -> Literal["ok", "unreachable"]:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await check()
    except Exception as exc:  # whatever went wrong, the dependency is not usable
        logger.warning("readiness check %r failed: %r", name, exc)
        return "unreachable"
    return "ok"


async def ready(checks: ReadinessChecks) -> JSONResponse:
    results = await asyncio.gather(*(_check(name, check) for name, check in checks.items()))
    readiness = Readiness(
        status="ok" if all(result == "ok" for result in results) else "unavailable",
        checks=dict(zip(checks, results, strict=True)),
    )
    return JSONResponse(
        readiness.model_dump(), status_code=200 if readiness.status == "ok" else 503
    )


def install(app: FastAPI) -> None:
    """Add the probes to the application itself, ahead of every other route.

    Not through an ``APIRouter``: FastAPI matches an included router's routes one level
    deeper, which costs every request several microseconds, and probes come often.
    """
    app.add_api_route(
        "/health/live",
        live,
        response_model=Liveness,
        tags=["health"],
        summary="The process is serving",
    )
    app.add_api_route(
        "/health/ready",
        ready,
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency did not answer"}},
        tags=["health"],
        summary="Every dependency answers",
    )
