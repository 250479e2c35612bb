"""`/router/rest`: the gateway every TOP call goes through.

In order: added latency, the contract's system checks (signature, timestamp, app key, session...), flow
control (per-method QPS per seller, then the app's daily quota), the drawn fault, the business-parameter
checks, then the method itself. Every answer is HTTP 200, errors included, as on TOP.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from connectors.sandbox.faults import Fault, Faults
from connectors.sandbox.limits import RateLimiter
from connectors.sandbox.top.auth import AppCredentials
from connectors.sandbox.top.contract import check
from connectors.sandbox.top.errors import ApiError, Problem, flow_control, platform
from connectors.sandbox.top.items import Call, Items
from connectors.sandbox.top.quota import DailyQuota
from connectors.sandbox.top.wire import Captured, render, request_id

PER_METHOD = "accesscontrol.limited-by-api-access-count"
PER_APP_DAY = "accesscontrol.limited-by-app-access-count"
SERVICE_DOWN = platform("isp.top-remote-service-unavailable", "the item service is unavailable, try later")
TIMED_OUT = platform("isp.top-remote-connection-timeout", "the item service timed out, try later")


class Gateway:
    """The endpoint for `/router/rest`: `handle` answers one request."""

    def __init__(
        self,
        *,
        app: AppCredentials,
        items: Items,
        limiter: RateLimiter,
        quota: DailyQuota,
        faults: Faults,
        clock: Callable[[], float],
        window: float,
    ) -> None:
        self.app = app
        self.items = items
        self.limiter = limiter
        self.quota = quota
        self.faults = faults
        self.clock = clock
        self.window = window

    async def handle(self, request: Request) -> Response:
        plan = self.faults.plan
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        body = await request.body()
        scope = request.scope
        query = scope["query_string"].decode("latin-1")
        captured = Captured(request.method, scope["path"], query, request.headers, body)
        now = self.clock()
        checked = check(captured, self.app, now=now, window=self.window)
        fmt = checked.format
        if checked.system:
            return self._answer(checked.system[0].body(request_id()), fmt)
        method, seller = checked.method, checked.seller
        assert method is not None and seller is not None
        refusal = self._flow_control(seller, method.name)
        if refusal:
            return self._answer(refusal.body(request_id()), fmt)
        fault = self.faults.draw(method.name, write=method.write)
        if fault is Fault.THROTTLE:
            return self._answer(flow_control(PER_METHOD, 1).body(request_id()), fmt)
        if fault is Fault.ERROR:
            return self._answer(SERVICE_DOWN.body(request_id()), fmt)
        rid = request_id()
        if checked.business:
            tree = checked.business[0].body(rid)
        else:
            call = Call(seller, checked.params, checked.files, now, _base_url(request))
            try:
                inner = self.items.handlers[method.name](call)
                tree = {method.response_key: {**inner, "request_id": rid}}
            except ApiError as exc:
                tree = exc.problem.body(rid)
        if fault is Fault.LOST_WRITE:
            tree = TIMED_OUT.body(rid)
        elif fault is Fault.HANG:
            await asyncio.sleep(plan.hang_seconds)
        return self._answer(tree, fmt, truncate=fault is Fault.MALFORMED)

    def _flow_control(self, seller: str, method: str) -> Problem | None:
        wait = self.limiter.check(seller, method)
        if wait:
            return flow_control(PER_METHOD, math.ceil(wait))
        wait = self.quota.take(self.app.app_key)
        if wait:
            return flow_control(PER_APP_DAY, wait)
        return None

    @staticmethod
    def _answer(tree: dict[str, object], fmt: str, *, truncate: bool = False) -> Response:
        body, content_type = render(tree, fmt)
        if truncate:  # the answer cut off halfway: no longer valid JSON or XML
            body = body[: max(1, len(body) // 2)]
        return Response(body, media_type=content_type)


def _base_url(request: Request) -> str:
    """`scheme://host[:port]` the client used, for the image URLs in answers."""
    host = request.headers.get("host")
    if host is None:
        server_host, port = request.scope["server"]
        host = f"{server_host}:{port}"
    return f"{request.scope['scheme']}://{host}"
