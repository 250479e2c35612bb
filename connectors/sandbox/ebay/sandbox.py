"""`EbaySandbox`: a local eBay (OAuth, Sell Inventory v1, Browse search) held to eBay's contract."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

from starlette.applications import Starlette

from connectors.sandbox.base import Sandbox
from connectors.sandbox.ebay import app as http
from connectors.sandbox.ebay import errors, inventory, listings, offers
from connectors.sandbox.ebay.auth import USER_SCOPES, AppCredentials, Authority, Principal
from connectors.sandbox.ebay.browse import BROWSE_DAILY_QUOTA, BrowseApi
from connectors.sandbox.ebay.model import load
from connectors.sandbox.ebay.quota import EBAY_TIME, Calendar, DailyQuota
from connectors.sandbox.ebay.state import Settings, Store
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.limits import Rate, RateLimiter
from connectors.sandbox.seeding import check_seed


class EbaySandbox(Sandbox):
    """eBay's OAuth token endpoint, Sell Inventory API v1 and Browse item search on one port.

    Options (keyword only, defaults in brackets):

    - `limits` [True]: enforce the daily quotas (and `per_second` if set); False turns every limit off.
    - `faults` [None]: a seeded `FaultPlan` of 5xx answers, throttles, hangs, cut bodies and lost writes.
    - `client_id`, `client_secret`, `secret` [env `LISTING_SYNC_SANDBOX_EBAY_*`, else built-in values]:
      the app's credentials and the secret that seller refresh tokens and access tokens are signed with.
    - `daily_quota` [2,000,000]: Inventory API calls a day for the app, as eBay allots them.
    - `token_daily_quota` [50,000]: refresh-token grants a day for the app (client-credentials grants get
      the same allowance).
    - `browse_daily_quota` [5,000]: Browse API searches a day for the app (eBay's default application tier).
    - `per_second` [None]: an optional `Rate` per seller and operation; eBay publishes none, so it is off.
    - `revisions_per_day` [250]: revisions a listing may have in one eBay calendar day.
    - `out_of_stock_control` [True]: a live listing whose quantity drops to 0 stays, out of stock; with
      False it ends, as for sellers without eBay's out-of-stock option.
    - `required_aspects` [("Brand",)]: item specifics a listing must have to be published.
    - `clock` [time.time] and `timezone` ["America/Los_Angeles", eBay time]: for token expiry, quotas and
      calendar days; tests pass a fake clock.
    """

    name = "ebay"
    RATES: Mapping[str, Rate] = MappingProxyType({})  # eBay publishes daily quotas, not per-second rates

    def __init__(
        self,
        *,
        limits: bool = True,
        faults: FaultPlan | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        secret: str | None = None,
        daily_quota: int = 2_000_000,
        token_daily_quota: int = 50_000,
        browse_daily_quota: int = BROWSE_DAILY_QUOTA,
        per_second: Rate | None = None,
        revisions_per_day: int = 250,
        out_of_stock_control: bool = True,
        required_aspects: Iterable[str] = ("Brand",),
        clock: Callable[[], float] = time.time,
        timezone: str = EBAY_TIME,
    ) -> None:
        super().__init__(limits=limits, faults=faults)
        self.model = load()
        self.credentials = AppCredentials.from_env(
            client_id=client_id, client_secret=client_secret, secret=secret
        )
        self.clock = clock
        self.calendar = Calendar(clock, timezone)
        self.authority = Authority(self.credentials, clock)
        quotas = {
            "inventory": daily_quota,
            "refresh_token": token_daily_quota,
            "client_credentials": token_daily_quota,
            "browse": browse_daily_quota,
        }
        self.quota = DailyQuota(quotas, self.calendar, enabled=limits)
        rates = {op.id: per_second for op in self.model.operations} if per_second else {}
        self.limiter = RateLimiter(rates, enabled=limits, clock=clock)
        settings = Settings(revisions_per_day, out_of_stock_control, tuple(required_aspects))
        self.store = Store(settings, self.ledger, self.calendar.today)
        self.stats: Counter[str] = Counter()
        self.browse = BrowseApi(self)

    @cached_property
    def app(self) -> Starlette:
        return http.build(self)

    # --- credentials -------------------------------------------------------------------------------------

    def credentials_for(self, seller_id: str, scopes: Iterable[str] | None = None) -> dict[str, str]:
        """What a seller would hold after consenting: the app's id and secret and the seller's refresh token.

        The same seller id always gets the same refresh token (also after a restart). `scopes` narrows what
        the token grants (default: the sandbox's user scopes, which include sell.inventory).
        """
        granted = tuple(scopes) if scopes is not None else USER_SCOPES
        return {
            "seller_id": seller_id,
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
            "refresh_token": self.authority.refresh_token(seller_id, granted),
            "scope": " ".join(granted),
        }

    def expire_tokens(self) -> None:
        """Make every access token issued so far invalid, as if two hours had passed."""
        self.authority.expire()

    def authenticate(self, header: str | None) -> Principal:
        """The holder of the call's bearer token; refuses in eBay's shape when there is none or it is bad."""
        if not header:
            raise errors.missing_token()
        scheme, _, token = header.partition(" ")
        principal = self.authority.principal(token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise errors.invalid_token()
        return principal

    # --- other sellers ------------------------------------------------------------------------------------

    def seed(self, **record: Any) -> dict[str, Any]:
        """Plant another seller's listing for Browse searches: `title`, `seller`, `price`, `currency`,
        `images` (bytes, main first), optional `feedback_score` and `feedback_percentage`. Answers its
        `itemId` and `legacyItemId`; `SeedError` names a bad field."""
        return self.browse.seed(check_seed(0, **record))

    # --- inspection --------------------------------------------------------------------------------------

    def sellers(self) -> list[str]:
        with self.store.lock:
            return sorted(self.store.sellers)

    def live(self, seller_id: str) -> list[dict[str, Any]]:
        """The seller's listings that are up (ACTIVE or OUT_OF_STOCK), one entry per listing."""
        with self.store.lock:
            seller = self.store.seller(seller_id)
            return [
                listings.live_view(seller, listing)
                for listing in seller.listings.values()
                if listing.status != "ENDED"
            ]

    def inventory(self, seller_id: str) -> dict[str, dict[str, Any]]:
        """The seller's inventory item records by SKU, as getInventoryItem answers them."""
        with self.store.lock:
            return {sku: inventory.view(item) for sku, item in self.store.seller(seller_id).items.items()}

    def offers(self, seller_id: str, sku: str | None = None) -> list[dict[str, Any]]:
        """The seller's offers (of one SKU if given), as getOffer answers them."""
        with self.store.lock:
            seller = self.store.seller(seller_id)
            chosen = seller.offers_of(sku) if sku is not None else list(seller.offers.values())
            return [offers.view(self.store, seller_id, offer) for offer in chosen]

    def locations(self, seller_id: str) -> list[str]:
        with self.store.lock:
            return list(self.store.seller(seller_id).locations)

    def history(self, seller_id: str, sku: str) -> dict[str, int]:
        """How often each kind of accepted write happened to the SKU (item_created, published, ...)."""
        with self.store.lock:
            return dict(self.store.seller(seller_id).history.get(sku, {}))

    def sku(self, seller_id: str, sku: str) -> dict[str, Any]:
        """Everything about one SKU: item, offers, live listings, ledger counts and history."""
        counts = self.ledger.counts(seller_id, sku)
        return {
            "sku": sku,
            "item": self.inventory(seller_id).get(sku),
            "offers": self.offers(seller_id, sku),
            "live": [entry for entry in self.live(seller_id) if entry["sku"] == sku],
            "ledger": {"creates": counts.creates, "updates": counts.updates, "ends": counts.ends},
            "history": self.history(seller_id, sku),
        }

    def summary(self) -> dict[str, Any]:
        """Calls per operation, throttling and injected faults: for the demo and benchmarks."""
        return {
            "calls": dict(self.stats),
            "throttled": self.limiter.throttled + self.quota.refused,
            "faults": {fault.value: count for fault, count in self.faults.injected.items()},
            "writes": self.ledger.total_writes(),
        }
