"""`POST /v1/sellers/{seller_id}/webhooks`: signed seller events, answered in milliseconds with a run id."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from workers.api import payloads, signing
from workers.api.committer import Committer
from workers.api.deps import Services
from workers.api.errors import BodyTooLarge, SignatureError
from workers.store.sellers import active_webhook_secrets

router = APIRouter()

MAX_CACHED_SELLERS = 10_000
MAX_WEBHOOK_ID = 200
SIGNATURE_HEADERS = {
    "webhook-id": "The message id; a repeated id gets the first answer again and starts nothing.",
    "webhook-timestamp": "Seconds since the epoch; within 5 minutes of the server's clock.",
    "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` signatures.",
}
MISSING_HEADERS = "webhook-id, webhook-timestamp and webhook-signature are required"


class Rejected(BaseModel):
    sku: str | None
    index: int
    errors: list[dict[str, str]]


class Accepted(BaseModel):
    run_id: str | None
    accepted: int
    rejected: list[Rejected]


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to pass `limit` (from its length, or while read)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge({"message": f"the body is over the limit of {limit:,} bytes"})
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge({"message": f"the body is over the limit of {limit:,} bytes"})
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/v1/sellers/{seller_id}/webhooks",
    status_code=202,
    response_model=Accepted,
    summary="Receive a signed seller event (Standard Webhooks)",
    responses={
        400: {"description": "The body is not JSON"},
        401: {"description": "Missing, stale or wrong signature (an unknown seller answers the same)"},
        413: {"description": "The body is over the limit"},
        422: {"description": "JSON, but not a payload of a known event"},
    },
    # The seller id and the signature headers are read from the request directly (FastAPI's parameter
    # machinery costs more than the rest of the request), so they are described here for the OpenAPI document.
    openapi_extra={
        "parameters": [
            {
                "name": "seller_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "description": "The seller whose catalogue the event is about.",
            },
            *(
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": text,
                }
                for name, text in SIGNATURE_HEADERS.items()
            ),
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": payloads.Envelope.model_json_schema()}},
        },
    },
)
async def receive_webhook(request: Request) -> Any:
    """Events: `catalog.updated` (`data.products`), `catalog.deleted` (`data.skus`), `sync.requested`
    (optionally `data.skus`, `data.marketplaces`). Answers 202 with the run that will sync the accepted
    products and the rejected ones with their errors; a repeated `webhook-id` gets the first answer again."""
    svc: Services = request.app.state.services
    seller_id: str = request.path_params["seller_id"]
    headers = request.headers
    webhook_id = headers.get("webhook-id")
    webhook_timestamp = headers.get("webhook-timestamp")
    webhook_signature = headers.get("webhook-signature")
    if not (webhook_id and webhook_timestamp and webhook_signature):
        raise SignatureError(MISSING_HEADERS)
    if len(webhook_id) > MAX_WEBHOOK_ID:
        raise SignatureError(f"webhook-id is longer than {MAX_WEBHOOK_ID} characters")
    signing.check_timestamp(webhook_timestamp, svc.clock())
    body = await read_body(request, svc.max_body)
    secrets = await seller_secrets(svc, seller_id)
    signing.verify(secrets, webhook_id, webhook_timestamp, webhook_signature, body, svc.clock())
    _, event = payloads.parse(body)
    answer = await committer(request).submit(seller_id, webhook_id, event)
    replayed = {"Webhook-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=202, headers=replayed)


def committer(request: Request) -> Committer:
    return request.app.state.committer  # type: ignore[no-any-return]


async def seller_secrets(svc: Services, seller_id: str) -> list[str]:
    """The seller's active secrets, from memory or read once for all the deliveries that ask meanwhile.

    When the kept secrets expire, every delivery in flight for that seller would otherwise read them again,
    each on a thread of its own: dozens of reads at once, every few seconds, under load.
    """
    cached = _cached_secrets(svc, seller_id)
    if cached is not None:
        return cached
    loading = svc.secrets_loading.get(seller_id)
    if loading is None:
        loading = asyncio.ensure_future(run_in_threadpool(_load_secrets, svc, seller_id))
        svc.secrets_loading[seller_id] = loading
        loading.add_done_callback(lambda _: svc.secrets_loading.pop(seller_id, None))
    return await asyncio.shield(loading)  # a delivery that goes away leaves the read to the others


def _cached_secrets(svc: Services, seller_id: str) -> list[str] | None:
    cached = svc.secrets_cache.get(seller_id)
    if cached is not None and svc.clock() - cached[0] < svc.secrets_ttl:
        return cached[1]
    return None


def _load_secrets(svc: Services, seller_id: str) -> list[str]:
    """The seller's active secrets, kept for `svc.secrets_ttl` seconds (a rotation shows within that).

    Unknown sellers are kept too (as no secrets), so that they cost what known ones do.
    """
    with svc.engine.connect() as conn:
        found = active_webhook_secrets(conn, seller_id)
    if svc.secrets_ttl > 0:
        if len(svc.secrets_cache) >= MAX_CACHED_SELLERS:
            svc.secrets_cache.clear()
        svc.secrets_cache[seller_id] = (svc.clock(), found)
    return found
