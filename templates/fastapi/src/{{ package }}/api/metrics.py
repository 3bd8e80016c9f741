"""``GET /metrics``: the Prometheus scrape endpoint."""

from fastapi import APIRouter, Response

from .. import metrics

router = APIRouter(tags=["monitoring"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def scrape() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
