"""The example resource: create, list, read and delete items."""

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response, status

from ..errors import NotFound
from ..schemas import ErrorDetail, ItemCreate, ItemPage
from ..storage import Item, ItemRepository


# Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool.
async def _repository(request: Request) -> ItemRepository:
    # The application's lifespan opened it; Starlette hands it to every request's state.
    return cast(ItemRepository, request.state.items)


#: The item store, for a route to ask for by type.
Items = Annotated[ItemRepository, Depends(_repository)]

router = APIRouter(prefix="/items", tags=["items"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"model": ErrorDetail, "description": "No such item"}
}


def _not_found(item_id: int) -> NotFound:
    return NotFound(f"item {item_id} not found")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an item")
async def create_item(new: ItemCreate, items: Items, request: Request, response: Response) -> Item:
    item = await items.create(new.name, new.description)
    response.headers["Location"] = str(request.url_for("get_item", item_id=item.id))
    return item


@router.get("", summary="List items, oldest first")
async def list_items(
    items: Items,
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page")] = 20,
    offset: Annotated[int, Query(ge=0, description="Items to skip")] = 0,
) -> ItemPage:
    page, total = await items.page(limit, offset)
    return ItemPage(items=page, total=total, limit=limit, offset=offset)


@router.get("/{item_id}", responses=_NOT_FOUND, summary="Read an item")
async def get_item(item_id: int, items: Items) -> Item:
    item = await items.get(item_id)
    if item is None:
        raise _not_found(item_id)
    return item


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_NOT_FOUND,
    summary="Delete an item",
)
async def delete_item(item_id: int, items: Items) -> None:
    if not await items.delete(item_id):
        raise _not_found(item_id)
