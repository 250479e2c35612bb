"""`TopSandbox`: a local Taobao/Tmall Open Platform gateway with items, pictures, limits and faults."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from connectors.sandbox.base import Sandbox
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.ledger import SkuCounts
from connectors.sandbox.limits import Rate, RateLimiter
from connectors.sandbox.seeding import Seed, check_seed
from connectors.sandbox.server import BackgroundServer
from connectors.sandbox.top import search
from connectors.sandbox.top.app import build_app
from connectors.sandbox.top.auth import AppCredentials
from connectors.sandbox.top.categories import BRANDS
from connectors.sandbox.top.contract import TIMESTAMP_WINDOW_SECONDS
from connectors.sandbox.top.errors import ConfigError
from connectors.sandbox.top.gateway import Gateway
from connectors.sandbox.top.items import Items
from connectors.sandbox.top.model import ITEM_FIELDS, METHODS
from connectors.sandbox.top.quota import DailyQuota
from connectors.sandbox.top.state import Store

DEFAULT_METHOD_QPS = 5.0  # a sandbox choice: TOP.md gives no per-method figure, so a conservative one
DEFAULT_DAILY_QUOTA = 5_000  # TOP's test environment (TOP.md)


class TopSandbox(Sandbox):
    """The TOP gateway at `/router/rest`, plus JSON inspection under `/_sandbox/` and images at `/imgextra/`.

    Options (keyword arguments):
    - `app_key`, `app_secret`: the app's credentials; default to `LISTING_SYNC_SANDBOX_TOP_APP_KEY` /
      `LISTING_SYNC_SANDBOX_TOP_APP_SECRET`, else `12345678` / `sandbox-top-app-secret`.
    - `method_qps` (5.0) and `method_burst` (ceil of the QPS): calls per second per seller and method before
      code 7 `accesscontrol.limited-by-api-access-count`.
    - `daily_quota` (5,000, TOP's test environment): calls per app and GMT+8 day before code 7
      `accesscontrol.limited-by-app-access-count`, banned until midnight.
    - `timestamp_window` (600 s): how far `timestamp` may be from the sandbox's clock.
    - `brand_authorizations`: seller id -> brand vids the seller may list (see `categories.py`).
    - `clock` (`time.time`): seconds since the epoch, for flow control and the timestamp check.
    """

    name = "top"
    RATES: Mapping[str, Rate] = {
        method: Rate(DEFAULT_METHOD_QPS, math.ceil(DEFAULT_METHOD_QPS)) for method in METHODS
    }

    def __init__(
        self,
        *,
        limits: bool = True,
        faults: FaultPlan | None = None,
        app_key: str | None = None,
        app_secret: str | None = None,
        method_qps: float = DEFAULT_METHOD_QPS,
        method_burst: int | None = None,
        daily_quota: int = DEFAULT_DAILY_QUOTA,
        timestamp_window: float = TIMESTAMP_WINDOW_SECONDS,
        brand_authorizations: Mapping[str, Iterable[int]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(limits=limits, faults=faults)
        if method_qps <= 0 or daily_quota < 1 or timestamp_window <= 0:
            raise ConfigError("method_qps, daily_quota and timestamp_window must be positive")
        self.credentials = AppCredentials.resolve(app_key, app_secret)
        rate = Rate(method_qps, method_burst or math.ceil(method_qps))
        self.limiter = RateLimiter({method: rate for method in METHODS}, enabled=limits, clock=clock)
        self.quota = DailyQuota(daily_quota, clock=clock, enabled=limits)
        self.store = Store()
        self.items = Items(self.store, self.ledger)
        for seller, vids in (brand_authorizations or {}).items():
            for vid in vids:
                self.authorize_brand(seller, vid)
        self.gateway = Gateway(
            app=self.credentials,
            items=self.items,
            limiter=self.limiter,
            quota=self.quota,
            faults=self.faults,
            clock=clock,
            window=timestamp_window,
        )
        self.base_url = "http://127.0.0.1"
        self._app: Any = None

    @property
    def app(self) -> Any:
        if self._app is None:
            self._app = build_app(self)
        return self._app

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> BackgroundServer:
        server = super().serve(host, port)
        self.base_url = server.url
        return server

    def credentials_for(self, seller_id: str) -> dict[str, str]:
        """What a connector needs to act for `seller_id`: the app's key and secret, the seller's session."""
        return {
            "app_key": self.credentials.app_key,
            "app_secret": self.credentials.app_secret,
            "session": self.credentials.session_for(seller_id),
            "seller_id": seller_id,
        }

    def authorize_brand(self, seller_id: str, vid: int) -> None:
        """Let `seller_id` list goods of brand `vid` (Tmall's brand authorization)."""
        if vid not in BRANDS:
            raise ConfigError(f"unknown brand vid {vid}")
        with self.store.lock:
            self.store.brands[seller_id].add(vid)

    def seed(self, **record: Any) -> dict[str, Any]:
        """Put another seller's item on sale for `taobao.tbk.item.get`: `title`, `seller` (its nick),
        `price` (yuan), `images` (bytes, main first), optional `desc`, `state`, `city`, `user_type` (0, the
        default: a Taobao shop; 1: a Tmall store). Answers `num_iid`,
        `nick` and `seller_id`; `SeedError` names a bad field."""
        return self.plant(check_seed(0, **{"currency": "CNY", **record}))

    def plant(self, seed: Seed, index: int = 0) -> dict[str, Any]:
        return search.plant(self, seed, self.gateway.clock(), index)

    def items_of(self, seller_id: str, outer_id: str | None = None) -> list[dict[str, Any]]:
        """Every item the seller has (on sale or in stock), optionally only those with `outer_id`."""
        with self.store.lock:
            found = (
                self.store.by_outer_id(seller_id, outer_id)
                if outer_id is not None
                else self.store.seller_items(seller_id)
            )
            return [self.items.render(item, ITEM_FIELDS, self.base_url) for item in found]

    def live(self, seller_id: str) -> list[dict[str, Any]]:
        """The seller's items on sale."""
        return [item for item in self.items_of(seller_id) if item["approve_status"] == "onsale"]

    def item(self, num_iid: int) -> dict[str, Any]:
        """One item by num_iid, whoever's it is; KeyError when there is none."""
        with self.store.lock:
            return self.items.render(self.store.items[num_iid], ITEM_FIELDS, self.base_url)

    def pictures(self, seller_id: str) -> list[dict[str, Any]]:
        """The seller's picture space."""
        with self.store.lock:
            return [
                {
                    "picture_id": p.picture_id,
                    "picture_path": p.path,
                    "url": self.items.url(self.base_url, p),
                    "title": p.title,
                    "type": p.kind,
                    "sizes": len(p.data),
                }
                for p in self.store.pictures.values()
                if p.seller == seller_id
            ]

    def counts(self, seller_id: str) -> dict[str, SkuCounts]:
        """Per SKU (outer_id) the creates, updates and ends the sandbox accepted for the seller."""
        return self.ledger.all(seller_id)

    def stats(self) -> dict[str, Any]:
        return {
            "throttled": self.limiter.throttled,
            "calls_today": self.quota.used(self.credentials.app_key),
            "faults": {fault.value: n for fault, n in self.faults.injected.items()},
            "writes": self.ledger.total_writes(),
            "items": len(self.store.items),
        }

    def reset(self) -> None:
        """Forget items, pictures, counts and flow control (brand authorizations stay)."""
        self.store.reset()
        self.limiter.reset()
        self.quota.reset()
        self.ledger = self.items.ledger = type(self.ledger)()
