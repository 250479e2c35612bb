"""The webhook payload (`{"type", "timestamp", "data"}`) and each event's `data`, checked before any work."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from workers.api.errors import InvalidPayload, MalformedBody
from workers.store.models import Marketplace

#: At most this many products or SKUs in one message; a bigger catalogue goes through several.
MAX_ITEMS = 1000

Sku = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Envelope(BaseModel):
    """A Standard Webhooks payload; `timestamp` is the sender's, informative only (the header is signed)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["catalog.updated", "catalog.deleted", "sync.requested"]
    timestamp: str | None = None
    data: dict[str, Any]


class CatalogUpdated(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Kept raw: each product is validated on its own so that one bad product costs only itself.
    products: list[Any] = Field(min_length=1, max_length=MAX_ITEMS)


class CatalogDeleted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skus: list[Sku] = Field(min_length=1, max_length=MAX_ITEMS)


class SyncRequested(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skus: list[Sku] | None = Field(default=None, min_length=1, max_length=MAX_ITEMS)
    marketplaces: list[Marketplace] | None = Field(default=None, min_length=1)


Event = CatalogUpdated | CatalogDeleted | SyncRequested

_EVENTS: dict[str, type[BaseModel]] = {
    "catalog.updated": CatalogUpdated,
    "catalog.deleted": CatalogDeleted,
    "sync.requested": SyncRequested,
}


def _details(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"loc": [*prefix, *err["loc"]], "message": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]


def parse(body: bytes) -> tuple[str, Any]:
    """The event type and its checked `data`; `MalformedBody` (400) or `InvalidPayload` (422) otherwise."""
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBody({"message": f"the body is not JSON: {exc}"}) from None
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise InvalidPayload({"message": "not a webhook payload", "errors": _details(exc)}) from None
    try:
        data = _EVENTS[envelope.type].model_validate(envelope.data)
    except ValidationError as exc:
        raise InvalidPayload(
            {"message": f"bad data for {envelope.type}", "errors": _details(exc, ("data",))}
        ) from None
    return envelope.type, data
