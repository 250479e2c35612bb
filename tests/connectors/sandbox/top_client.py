"""A TOP client for tests: signs calls the way the official SDKs send them, plus a settable clock."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import requests

from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.server import BackgroundServer
from connectors.sandbox.top import TopSandbox
from connectors.top_signing import sign

PNG = b"\x89PNG\r\n\x1a\n" + bytes(120)
JPEG = b"\xff\xd8\xff\xe0" + bytes(120)
GIF = b"GIF89a" + bytes(120)
TOP_ITEM = {
    "num": "10",
    "price": "199.90",
    "type": "fixed",
    "stuff_status": "new",
    "title": "纯棉T恤 Cotton tee",
    "desc": "A plain cotton T-shirt.",
    "cid": "50000671",
    "props": "20000:3246379;1627207:28320;20509:28314",
    "location.state": "浙江",
    "location.city": "杭州",
    "approve_status": "onsale",
}


class Clock:
    """A settable clock (seconds since the epoch) for flow control and timestamp checks."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class TopClient:
    """Signs and sends TOP calls the way the official SDKs do: system parameters in the query string."""

    def __init__(self, url: str, creds: Mapping[str, str], clock: Clock) -> None:
        self.url = url + "/router/rest"
        self.creds = dict(creds)
        self.clock = clock
        self.http = requests.Session()

    def as_seller(self, sandbox: TopSandbox, seller_id: str) -> TopClient:
        """A client of the same sandbox acting for another seller."""
        return TopClient(
            self.url.removesuffix("/router/rest"), sandbox.credentials_for(seller_id), self.clock
        )

    def system(
        self,
        method: str,
        business: Mapping[str, str],
        *,
        sign_method: str = "md5",
        fmt: str | None = "json",
        timestamp: str | None = None,
        secret: str | None = None,
        **overrides: str | None,
    ) -> dict[str, str]:
        """Signed system parameters; an override of None leaves that parameter out."""
        params: dict[str, str | None] = {
            "method": method,
            "app_key": self.creds["app_key"],
            "session": self.creds["session"],
            "timestamp": timestamp or str(int(self.clock() * 1000)),
            "v": "2.0",
            "sign_method": sign_method,
            "format": fmt,
            **overrides,
        }
        kept = {k: v for k, v in params.items() if v is not None}
        kept["sign"] = sign({**kept, **business}, secret or self.creds["app_secret"], sign_method)
        return kept

    def call(
        self,
        method: str,
        business: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        *,
        http: str = "POST",
        timeout: float = 10,
        **system: Any,
    ) -> requests.Response:
        business = dict(business or {})
        query = self.system(method, business, **system)
        if http == "GET":
            return self.http.get(self.url, params={**query, **business}, timeout=timeout)
        return self.http.request(http, self.url, params=query, data=business, files=files, timeout=timeout)

    def ok(self, method: str, business: Mapping[str, str] | None = None, **kw: Any) -> dict[str, Any]:
        """The inner answer of a call that must succeed."""
        answer = self.call(method, business, **kw).json()
        key = method.removeprefix("taobao.").replace(".", "_") + "_response"
        assert key in answer, answer
        return answer[key]

    def error(self, method: str, business: Mapping[str, str] | None = None, **kw: Any) -> dict[str, Any]:
        """The `error_response` of a call that must fail (with HTTP 200, as TOP answers errors)."""
        response = self.call(method, business, **kw)
        assert response.status_code == 200
        answer = response.json()
        assert "error_response" in answer, answer
        return answer["error_response"]

    def add_item(self, outer_id: str | None = "SKU-1", **changes: str) -> int:
        business = {**TOP_ITEM, **changes}
        if outer_id is not None:
            business["outer_id"] = outer_id
        files = None if "pic_path" in business else {"image": ("tee.png", PNG, "image/png")}
        return int(self.ok("taobao.item.add", business, files=files)["item"]["num_iid"])


class TopFactory:
    """Starts TOP sandboxes on free ports and stops them when the test ends."""

    def __init__(self) -> None:
        self.servers: list[BackgroundServer] = []
        self.clock = Clock()

    def __call__(
        self,
        *,
        limits: bool = False,
        faults: FaultPlan | None = None,
        seller: str = "seller-1",
        **options: Any,
    ) -> tuple[TopSandbox, TopClient]:
        sandbox = TopSandbox(limits=limits, faults=faults, clock=self.clock, **options)
        server = sandbox.serve()
        self.servers.append(server)
        return sandbox, TopClient(server.url, sandbox.credentials_for(seller), self.clock)
