"""What the routes share: the resources the lifespan opens, handed to each request.

The lifespan builds one :class:`Resources` and Starlette copies it into every request's state;
the ``Annotated`` aliases below let a route ask for what it needs by type.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from .storage import ItemRepository

#: A readiness check raises (or times out) when its dependency does not answer.
ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Resources:
    """Everything the routes use that outlives a request."""

    items: ItemRepository
    readiness_checks: Mapping[str, ReadinessCheck]


def _resources(request: Request) -> Resources:
    return cast(Resources, request.state.resources)


# Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool.
async def _items(request: Request) -> ItemRepository:
    return _resources(request).items


async def _readiness_checks(request: Request) -> Mapping[str, ReadinessCheck]:
    return _resources(request).readiness_checks


Items = Annotated[ItemRepository, Depends(_items)]
ReadinessChecks = Annotated[Mapping[str, ReadinessCheck], Depends(_readiness_checks)]
