"""Error responses: the faults the routes raise, and the JSON each one is answered with.

Every error answer is a JSON object whose ``detail`` says what went wrong, the shape FastAPI
gives its own faults: an unknown path or method, an ``HTTPException``, and a body or parameter
that fails validation (422, ``detail`` listing every problem). The routes raise the exceptions
below rather than build responses, so how a fault is answered is decided here, in one place.
"""

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse


class NotFound(Exception):
    """What the request names does not exist; the message says what, and becomes ``detail``."""


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_404_NOT_FOUND)


def install(app: FastAPI) -> None:
    """Answer the faults above on ``app``."""
    app.add_exception_handler(NotFound, _not_found)
