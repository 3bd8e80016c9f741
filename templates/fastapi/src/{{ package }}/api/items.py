"""The example resource: create, list, read and delete items."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from ..dependencies import Items
from ..schemas import ErrorDetail, Item, ItemCreate, ItemPage

router = APIRouter(prefix="/items", tags=["items"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"model": ErrorDetail, "description": "No such item"}
}


def _not_found(item_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"item {item_id} not found")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an item")
async def create_item(new: ItemCreate, items: Items, request: Request, response: Response) -> Item:
    item = await items.create(new)
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
