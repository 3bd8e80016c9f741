"""``GET /metrics``: the Prometheus text of the package's ``metrics`` module, documented too."""

from flask import Response
from flask_smorest import Blueprint

from ..metrics import render

blueprint = Blueprint("metrics", __name__, description="Prometheus metrics")


@blueprint.route("/metrics", methods=["GET"])
@blueprint.response(
    200,
    {"type": "string"},
    content_type="text/plain",
    description="Request counts and latencies, in the Prometheus text format",
)
def metrics() -> Response:
    """Prometheus metrics"""
    body, content_type = render()
    return Response(body, content_type=content_type)
