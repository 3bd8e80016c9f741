"""Liveness and readiness, for the orchestrator.

``/health/live`` only says the process serves; it touches nothing, so a slow database never
gets a healthy container restarted. ``/health/ready`` asks every dependency and answers 503,
naming the one that failed, so traffic waits until they all answer.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

from flask import Flask, Response, current_app
from flask_smorest import Blueprint

from ..schemas import HealthSchema, ReadinessSchema

logger = logging.getLogger(__name__)

blueprint = Blueprint("health", __name__, url_prefix="/health", description="Health probes")

#: A readiness check returns when its dependency answers, else raises.
Check = Callable[[], None]

_CHECKS = f"{__name__}.checks"


def use_checks(app: Flask, checks: Mapping[str, Check]) -> None:
    """Let ``/health/ready`` of ``app`` run ``checks``, reported by their names."""
    app.extensions[_CHECKS] = checks


# Probed often and always the same, so it is written once; the schema only documents it.
_LIVE_BODY = b'{"status":"ok"}\n'


@blueprint.route("/live", methods=["GET"])
@blueprint.response(200, HealthSchema)
def live() -> Response:
    """The process serves"""
    return Response(_LIVE_BODY, content_type="application/json")


@blueprint.route("/ready", methods=["GET"])
@blueprint.response(200, ReadinessSchema)
@blueprint.alt_response(503, schema=ReadinessSchema, description="A dependency is down")
def ready() -> tuple[dict[str, Any], int]:
    """Every dependency answers"""
    results: dict[str, str] = {}
    for name, check in cast(Mapping[str, Check], current_app.extensions[_CHECKS]).items():
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = "unreachable"
        else:
            results[name] = "ok"
    all_ok = all(result == "ok" for result in results.values())
    return {"status": "ok" if all_ok else "unavailable", "checks": results}, 200 if all_ok else 503
