"""Read endpoints for a seller's own system: a sync run's progress, and its listings page by page.

Both take the seller's API key as a bearer token; another seller's run or listings answer 404, as if they
did not exist.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from workers import runs
from workers.api.deps import Services, services
from workers.api.errors import InvalidPayload, NotFound, Unauthorized
from workers.store.models import Listing, ListingStatus, Marketplace, SyncRun
from workers.store.sellers import seller_for_api_key

router = APIRouter()
bearer = HTTPBearer(auto_error=False, description="The seller's API key (`lsk_...`)")

MAX_PAGE = 500


async def authenticated_seller(
    svc: Annotated[Services, Depends(services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The seller whose API key was given; 401 otherwise. Keys are compared by their SHA-256."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized()

    def lookup() -> str | None:
        with svc.engine.connect() as conn:
            return seller_for_api_key(conn, credentials.credentials)

    seller_id = await run_in_threadpool(lookup)
    if seller_id is None:
        raise Unauthorized()
    return seller_id


Seller = Annotated[str, Depends(authenticated_seller)]


@router.get("/v1/runs/{run_id}", summary="A sync run: its status and progress per marketplace")
async def get_run(
    run_id: str, seller_id: Seller, svc: Annotated[Services, Depends(services)]
) -> dict[str, Any]:
    def load() -> dict[str, Any] | None:
        with svc.engine.connect() as conn:
            owner = conn.execute(
                sa.select(SyncRun.seller_id).where(SyncRun.id == run_id)
            ).scalar_one_or_none()
            return runs.run_progress(conn, run_id) if owner == seller_id else None

    found = await run_in_threadpool(load)
    if found is None:
        raise NotFound({"message": f"no run {run_id!r}"})
    return found


@router.get(
    "/v1/sellers/{seller_id}/listings",
    summary="The seller's listings, oldest first, a page at a time (keyset pagination)",
)
async def list_listings(
    seller_id: str,
    authenticated: Seller,
    svc: Annotated[Services, Depends(services)],
    status: ListingStatus | None = None,
    marketplace: Marketplace | None = None,
    cursor: Annotated[
        str | None, Query(max_length=100, description="`next_cursor` of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    """`{"items": [...], "next_cursor": ...}`; `next_cursor` is null on the last page."""
    if seller_id != authenticated:
        raise NotFound({"message": f"no seller {seller_id!r}"})
    after = decode_cursor(cursor) if cursor else 0

    def load() -> list[Any]:
        query = sa.select(Listing).where(Listing.seller_id == seller_id, Listing.id > after)
        if status is not None:
            query = query.where(Listing.status == status)
        if marketplace is not None:
            query = query.where(Listing.marketplace == marketplace)
        with svc.engine.connect() as conn:
            return list(conn.execute(query.order_by(Listing.id).limit(limit + 1)))

    rows = await run_in_threadpool(load)
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
    return {"items": [_listing(row) for row in page], "next_cursor": next_cursor}


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"l{last_id}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        if text[:1] == "l" and text[1:].isdigit():
            return int(text[1:])
    except (binascii.Error, ValueError):
        pass
    raise InvalidPayload({"message": "cursor: not a next_cursor this API gave"})


def _listing(row: Any) -> dict[str, Any]:
    error = None
    if row.last_error_code or row.last_error_message:
        error = {
            "code": row.last_error_code,
            "message": row.last_error_message,
            "field": row.last_error_field,
        }
    return {
        "sku": row.sku,
        "marketplace": str(row.marketplace),
        "status": str(row.status),
        "remote_ids": row.remote_ids,
        "error": error,
        "attempts": row.attempts,
        "updated_at": _iso(row.updated_at),
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
