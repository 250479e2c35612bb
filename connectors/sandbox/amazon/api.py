"""The path every SP-API call takes: route, authenticate, throttle, inject faults, check, answer."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from connectors.sandbox.amazon import contract, feeds, listings, spec
from connectors.sandbox.amazon.errors import (
    AmazonSandboxError,
    ApiError,
    InternalFailure,
    LwaError,
    QuotaExceeded,
    Unauthorized,
    dumps,
    json_response,
)
from connectors.sandbox.faults import Fault

if TYPE_CHECKING:
    from connectors.sandbox.amazon.app import AmazonSandbox

log = logging.getLogger(__name__)

MAX_BODY = 10 * 1024 * 1024


@dataclass
class Call:
    """One authenticated, checked SP-API call, as handlers see it."""

    sandbox: AmazonSandbox
    request: Request
    request_id: str
    seller_id: str
    operation: spec.Operation
    path: dict[str, str]
    query: dict[str, Any]
    body: Any


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]

HANDLERS: dict[str, Handler] = {
    "putListingsItem": listings.put_listings_item,
    "patchListingsItem": listings.patch_listings_item,
    "deleteListingsItem": listings.delete_listings_item,
    "getListingsItem": listings.get_listings_item,
    "searchListingsItems": listings.search_listings_items,
    "createFeedDocument": feeds.create_feed_document,
    "createFeed": feeds.create_feed,
    "getFeed": feeds.get_feed,
    "getFeeds": feeds.get_feeds,
    "cancelFeed": feeds.cancel_feed,
    "getFeedDocument": feeds.get_feed_document,
}


def _problems_error(problems: list[contract.Problem]) -> ApiError:
    status = 415 if any(p.status == 415 for p in problems) else 400
    code = "UnsupportedMediaType" if status == 415 else "InvalidInput"
    return ApiError.many(status, [{"code": code, "message": str(p), "details": ""} for p in problems])


async def dispatch(sandbox: AmazonSandbox, request: Request) -> Response:
    """Answer one SP-API request in Amazon's shapes, whatever happens to it."""
    request_id = str(uuid.uuid4())
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?", 1)[0]
    operation, path = contract.match(request.method, raw_path)
    if operation is None:
        error = ApiError(404, "NotFound", "Resource not found.")
        if any(op.pattern.match(raw_path) for op in spec.operations()):
            error = ApiError(405, "MethodNotAllowed", f"{request.method} is not allowed on this resource.")
        return error.response(request_id)
    fault: Fault | None = None
    try:
        seller_id = sandbox.tokens.seller_of_access_token(request.headers.get("x-amz-access-token"))
        if "sellerId" in path and path["sellerId"] != seller_id:
            raise Unauthorized("The access token was not issued for this seller.")
        if sandbox.limiter.check(seller_id, operation.operation_id):
            raise QuotaExceeded()
        fault = sandbox.faults.draw(operation.operation_id, write=operation.write)
        await _delay(sandbox, fault)
        if fault is Fault.ERROR:
            raise InternalFailure()
        if fault is Fault.THROTTLE:
            raise QuotaExceeded()
        body = await request.body()
        if len(body) > MAX_BODY:
            raise ApiError(413, "RequestEntityTooLarge", f"The request body is larger than {MAX_BODY} bytes.")
        captured = contract.CapturedRequest(
            request.method, raw_path, request.scope["query_string"].decode("latin-1"), request.headers, body
        )
        analysis = contract.analyse(captured, operation=operation)
        if analysis.problems:
            raise _problems_error(analysis.problems)
        call = Call(sandbox, request, request_id, seller_id, operation, path, analysis.query, analysis.body)
        status, payload = await HANDLERS[operation.operation_id](call)
    except AmazonSandboxError as error:
        response = error.response(request_id)
        if error.status in (400, 404):  # the model lists the limit header on these too
            response.headers["x-amzn-RateLimit-Limit"] = sandbox.rate_header(operation.operation_id)
        return response
    except Exception:  # a fault of the sandbox itself still answers in Amazon's shape
        log.exception("%s failed inside the sandbox", operation.operation_id)
        return InternalFailure().response(request_id)
    if fault is Fault.LOST_WRITE:
        return InternalFailure().response(request_id)
    headers = {
        "x-amzn-RequestId": request_id,
        "x-amzn-RateLimit-Limit": sandbox.rate_header(operation.operation_id),
    }
    content = dumps(payload)
    if fault is Fault.MALFORMED:
        content = content[: len(content) // 2]
    return Response(content, status, headers, media_type="application/json")


async def _delay(sandbox: AmazonSandbox, fault: Fault | None) -> None:
    plan = sandbox.faults.plan
    wait = plan.latency_seconds + (plan.hang_seconds if fault is Fault.HANG else 0.0)
    if wait > 0:
        await asyncio.sleep(wait)


async def token(sandbox: AmazonSandbox, request: Request) -> Response:
    """Login with Amazon's token endpoint (refresh-token grant)."""
    request_id = str(uuid.uuid4())
    body = await request.body()
    try:
        if (
            contract.media_type(request.headers.get("content-type", ""))
            != "application/x-www-form-urlencoded"
        ):
            raise LwaError(400, "invalid_request", "The request must be form-encoded")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        answer = sandbox.tokens.grant(form)
    except AmazonSandboxError as error:
        return error.response(request_id)
    return json_response(answer, 200, {"x-amzn-RequestId": request_id, "Cache-Control": "no-store"})
