"""The JSON shapes of the items API, validated on the way in and documented in OpenAPI.

One item is answered as it is stored (:class:`.storage.Item`); the models here are what the API
adds around it: the body it accepts, the page it lists, and the error it answers with.
"""

from pydantic import BaseModel, ConfigDict, Field

from .storage import Item


class ItemCreate(BaseModel):
    """The body of ``POST /items``; unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Teapot"])
    description: str | None = Field(default=None, max_length=1000, examples=["Short and stout"])


class ItemPage(BaseModel):
    """One page of items, ordered by id, with the total count for paging on."""

    items: list[Item]
    total: int
    limit: int
    offset: int


class ErrorDetail(BaseModel):
    """An error answer with a human-readable reason."""

    detail: str
