"""The eBay sandbox over HTTP: the OAuth token endpoint, Sell Inventory v1, and `/_sandbox` inspection.

An Inventory call goes: find the operation in the model, authenticate, count it against the daily quota
(and the optional per-second rate), check it against the contract, draw its fault, do the work under the
store's lock, answer. Every refusal is in eBay's error shape.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.sandbox.ebay import errors, oauth
from connectors.sandbox.ebay.auth import APP
from connectors.sandbox.ebay.contract import check_call
from connectors.sandbox.ebay.handlers import HANDLERS, Call
from connectors.sandbox.ebay.inspection import routes as inspection_routes
from connectors.sandbox.ebay.model import BASE_PATH, Operation
from connectors.sandbox.ebay.problems import Problem
from connectors.sandbox.ebay.responses import malformed, refuse, respond
from connectors.sandbox.faults import Fault

if TYPE_CHECKING:
    from connectors.sandbox.ebay.sandbox import EbaySandbox

_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
log = logging.getLogger(__name__)


async def _nowhere(request: Request) -> Response:
    return refuse(errors.not_found(request.url.path))


def _refusal(problems: list[Problem]) -> errors.ApiError:
    status = max(p.status for p in problems)
    return errors.ApiError(status, [p.as_error() for p in problems if p.status == status])


class InventoryApi:
    """The ASGI endpoint for every path under /sell/inventory/v1."""

    def __init__(self, sandbox: EbaySandbox) -> None:
        self.sandbox = sandbox
        self.model = sandbox.model

    async def endpoint(self, request: Request) -> Response:
        sandbox = self.sandbox
        op, params, _ = self.model.match(request.method, request.url.path)
        if op is None:
            sandbox.stats["unknown"] += 1
            return refuse(errors.not_found(request.url.path))
        sandbox.stats[op.id] += 1
        latency = sandbox.faults.plan.latency_seconds
        if latency:
            await asyncio.sleep(latency)
        try:
            return await self._handle(request, op, params)
        except errors.EbaySandboxError as refusal:
            return refuse(refusal)
        except Exception:
            log.exception("eBay sandbox failed on %s", op.id)
            return refuse(errors.system_error())

    async def _handle(self, request: Request, op: Operation, params: dict[str, str]) -> Response:
        sandbox = self.sandbox
        principal = sandbox.authenticate(request.headers.get("authorization"))
        if principal.kind == APP or not (op.scopes & principal.scopes):
            raise errors.access_denied()
        if not sandbox.quota.take(sandbox.credentials.client_id, "inventory"):
            raise errors.too_many_requests()
        if sandbox.limiter.check(principal.seller, op.id):
            raise errors.too_many_requests()
        body = await request.body() if op.body is not None else None
        query = request.query_params.multi_items()
        problems, data = check_call(op, params, query, request.headers, body)
        whole = [p for p in problems if p.item is None]
        if whole:
            raise _refusal(whole)
        bad: defaultdict[int, list[Problem]] = defaultdict(list)
        for p in problems:
            if p.item is not None:
                bad[p.item].append(p)
        fault = sandbox.faults.draw(op.id, write=op.write)
        if fault is Fault.ERROR:
            raise errors.system_error("Please try again later.")
        if fault is Fault.THROTTLE:
            raise errors.too_many_requests()
        if fault is Fault.HANG:
            await asyncio.sleep(sandbox.faults.plan.hang_seconds)
        handler = HANDLERS.get(op.id)
        if handler is None:
            raise errors.system_error(f"The sandbox does not implement {op.id}.", status=501)
        language = request.headers.get("content-language", "en-US")
        call = Call(
            op, principal.seller, params, dict(query), data, bad, language.replace("-", "_"), str(request.url)
        )
        with sandbox.store.lock:
            status, answer = handler(sandbox.store, call)
        if fault is Fault.LOST_WRITE:
            raise errors.system_error("Please try again later.")
        if fault is Fault.MALFORMED:
            return malformed(answer)
        return respond(status, answer)


def build(sandbox: EbaySandbox) -> Starlette:
    api = InventoryApi(sandbox)
    routes = [
        Route("/identity/v1/oauth2/token", oauth.TokenEndpoint(sandbox).endpoint, methods=["POST"]),
        Route(BASE_PATH + "/{rest:path}", api.endpoint, methods=_METHODS),
        *sandbox.browse.routes(),
        *inspection_routes(sandbox),
        Route("/{path:path}", _nowhere, methods=_METHODS),
    ]
    return Starlette(routes=routes)
