"""The example resource: create, list, read, change and delete items.

Ids, limits and offsets are declared with their ranges (``errors.PARAMETERS``), so a number
the ``bigint`` column cannot hold is a 422 before any storage sees it, and must be written in
ASCII digits (:func:`_ascii_digits`). Bodies are read and
checked by the dependencies of ``schemas.py``, which FastAPI solves before the path
parameters: a bad body is answered before a bad id.
"""

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BeforeValidator

from .. import problems
from ..errors import not_found
from ..schemas import (
    BODY_ERRORS,
    NOT_FOUND,
    SERVER_ERRORS,
    UNPROCESSABLE,
    ItemFields,
    ItemPage,
    item_changes,
    new_item,
    request_body,
)
from ..storage import Item, ItemRepository


# Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool.
async def _repository(request: Request) -> ItemRepository:
    # The application's lifespan opened it; Starlette hands it to every request's state.
    return cast(ItemRepository, request.state.items)


def _ascii_digits(value: object) -> object:
    """Let only a number written in ASCII digits on to pydantic's integer parsing.

    Pydantic reads an integer leniently: ``1.0`` is 1, and Python's ``int`` takes other
    scripts' digits (``\u0665`` is 5). Each service made from this template takes the same
    spellings, plain decimal digits, and a negative number is refused by its range anyway.
    """
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("not written in ASCII digits")
    return value


#: A path or query integer: ASCII digits only, then the range its ``Path``/``Query`` gives.
_Digits = BeforeValidator(_ascii_digits)
#: The item store, for a route to ask for by type.
Items = Annotated[ItemRepository, Depends(_repository)]
#: An item's id in the path: 1 to the largest ``bigint``.
ItemId = Annotated[int, _Digits, Path(ge=1, le=problems.MAX_ID, description="The item's id")]

_LIMIT_MIN, _LIMIT_MAX = problems.LIMIT_RANGE

router = APIRouter(prefix="/items", tags=["items"], responses={**UNPROCESSABLE, **SERVER_ERRORS})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=BODY_ERRORS,
    openapi_extra=request_body("ItemCreate"),
    summary="Create an item",
)
async def create_item(
    new: Annotated[ItemFields, Depends(new_item)],
    items: Items,
    request: Request,
    response: Response,
) -> Item:
    item = await items.create(cast(str, new["name"]), new.get("description"))
    response.headers["Location"] = str(request.url_for("get_item", item_id=item.id))
    return item


@router.get("", summary="List items, oldest first")
async def list_items(
    items: Items,
    limit: Annotated[
        int, _Digits, Query(ge=_LIMIT_MIN, le=_LIMIT_MAX, description="Items per page")
    ] = 20,
    offset: Annotated[
        int, _Digits, Query(ge=0, le=problems.MAX_OFFSET, description="Items to skip")
    ] = 0,
) -> ItemPage:
    page, total = await items.page(limit, offset)
    return ItemPage(items=page, total=total, limit=limit, offset=offset)


@router.get("/{item_id}", responses=NOT_FOUND, summary="Read an item")
async def get_item(item_id: ItemId, items: Items) -> Item:
    item = await items.get(item_id)
    if item is None:
        raise not_found()
    return item


@router.patch(
    "/{item_id}",
    responses={**NOT_FOUND, **BODY_ERRORS},
    openapi_extra=request_body("ItemChanges"),
    summary="Change an item's name or description",
)
async def update_item(
    changes: Annotated[ItemFields, Depends(item_changes)], item_id: ItemId, items: Items
) -> Item:
    item = await items.update(item_id, changes)
    if item is None:
        raise not_found()
    return item


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
    summary="Delete an item",
)
async def delete_item(item_id: ItemId, items: Items) -> None:
    if not await items.delete(item_id):
        raise not_found()
