"""Probes for the platform: liveness touches nothing, readiness asks every dependency."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .fast_path import add_constant_json_route

#: A readiness check raises (or times out) when its dependency does not answer.
ReadinessCheck = Callable[[], Awaitable[None]]

#: A dependency that has not answered by then counts as unreachable.
READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)


# Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool.
async def _readiness_checks(request: Request) -> Mapping[str, ReadinessCheck]:
    # The application's lifespan named them; Starlette hands them to every request's state.
    return cast(Mapping[str, ReadinessCheck], request.state.readiness_checks)


ReadinessChecks = Annotated[Mapping[str, ReadinessCheck], Depends(_readiness_checks)]


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, Literal["ok", "unreachable"]]


router = APIRouter(prefix="/health", tags=["health"])


async def _check(name: str, check: ReadinessCheck) -> Literal["ok", "unreachable"]:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await check()
    except Exception as exc:  # whatever went wrong, the dependency is not usable
        logger.warning("readiness check %r failed: %r", name, exc)
        return "unreachable"
    return "ok"


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A dependency did not answer"}},
    summary="Every dependency answers",
)
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
    """Add the probes to ``app``: liveness on the fast path, readiness as a router."""
    add_constant_json_route(
        app,
        "/health/live",
        {"status": "ok"},
        name="live",
        response_model=Liveness,
        summary="The process is serving",
        tag="health",
    )
    app.include_router(router)
