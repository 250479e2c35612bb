"""`AmazonSandbox`: Login with Amazon, Listings Items and JSON_LISTINGS_FEED feeds on one local port."""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.sandbox.amazon import api, catalog, catalog_wire, feedproc, feeds, inspection, spec
from connectors.sandbox.amazon.auth import AppCredentials, Tokens
from connectors.sandbox.amazon.feeds import Document, Feed, FeedStore
from connectors.sandbox.amazon.marketplaces import US
from connectors.sandbox.amazon.state import ListingStore
from connectors.sandbox.amazon.submissions import Submissions
from connectors.sandbox.base import Sandbox
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.ledger import Ledger
from connectors.sandbox.limits import Rate, RateLimiter
from connectors.sandbox.seeding import check_seed

LISTINGS_OPERATIONS = (
    "putListingsItem",
    "patchListingsItem",
    "deleteListingsItem",
    "getListingsItem",
    "searchListingsItems",
)


def _documented_rates() -> dict[str, Rate]:
    """Each operation's usage plan from the models; Listings Items at 5/s burst 5, the stricter of the model
    and Amazon's rate-limit page (which differ for put and get)."""
    rates = {op.operation_id: Rate(*op.rate) for op in spec.operations() if op.rate}
    rates.update({name: Rate(5.0, 5) for name in LISTINGS_OPERATIONS})
    rates.update(catalog_wire.RATES)  # searchCatalogItems 2/s burst 2, getItemOffers 0.5/s burst 1
    return rates


@dataclass(frozen=True)
class AmazonOptions:
    """The Amazon sandbox's settings; every one is a keyword argument of `AmazonSandbox`.

    client_id, client_secret, secret: the LWA app's credentials and the key seller tokens derive from
        (default: `LISTING_SYNC_SANDBOX_AMAZON_CLIENT_ID`, `..._CLIENT_SECRET`, `..._SECRET`, else built-ins).
    token_lifetime: seconds an access token lives (3600, as LWA).
    upload_url_seconds: seconds a pre-signed document URL works (300, as Amazon).
    feed_queue_seconds, feed_progress_seconds: how long a feed stays IN_QUEUE, then IN_PROGRESS (0.05 each).
    feed_submission_limit, feed_submission_window: JSON_LISTINGS_FEED submissions allowed per seller per
        window in seconds (5 per 300, as Amazon).
    max_feed_messages: messages one feed may hold (25,000, as Amazon).
    gzip_reports: write processing reports GZIP-compressed (compressionAlgorithm GZIP), as Amazon may.
    rates: per-operation `Rate`s replacing the documented ones (e.g. {"putListingsItem": Rate(10, 10)}).
    """

    client_id: str | None = None
    client_secret: str | None = None
    secret: str | None = None
    token_lifetime: int = 3600
    upload_url_seconds: float = 300.0
    feed_queue_seconds: float = 0.05
    feed_progress_seconds: float = 0.05
    feed_submission_limit: int = 5
    feed_submission_window: float = 300.0
    max_feed_messages: int = 25_000
    gzip_reports: bool = False
    rates: Mapping[str, Rate] | None = None


class AmazonSandbox(Sandbox):
    """A local Amazon: LWA tokens, Listings Items 2021-08-01 and Feeds 2021-06-30, checked against the models.

    `clock` (seconds, default `time.time`) drives token expiry, URL expiry, the rate limits and timestamps;
    tests pass their own to move time without waiting.
    """

    name = "amazon"
    RATES = _documented_rates()

    def __init__(
        self,
        *,
        limits: bool = True,
        faults: FaultPlan | None = None,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        super().__init__(limits=limits, faults=faults)
        self.options = AmazonOptions(**options)
        self.clock = clock
        rates = {**self.RATES, **(self.options.rates or {})}
        self.limiter = RateLimiter(rates, enabled=limits, clock=clock)
        self._rate_headers = {name: str(float(rate.per_second)) for name, rate in rates.items()}
        self.credentials = AppCredentials.resolve(
            self.options.client_id, self.options.client_secret, self.options.secret
        )
        self.tokens = Tokens(self.credentials, clock=clock, lifetime=self.options.token_lifetime)
        self.store = ListingStore()
        self.submissions = Submissions(self.store, self.ledger, clock)
        self.feedstore = FeedStore(self.credentials.secret)
        self.catalog = catalog.CatalogApi(self)
        self._app: Starlette | None = None
        spec.operations()  # load and compile the models now, not on the first request

    # -- credentials -------------------------------------------------------------------------------------

    def credentials_for(self, seller_id: str) -> dict[str, str]:
        """client_id, client_secret and refresh_token for `seller_id`; always the same for the same seller."""
        return self.tokens.credentials_for(seller_id)

    def expire_tokens(self) -> None:
        """Expire every access token issued so far (clients must refresh); refresh tokens keep working."""
        self.tokens.expire_all()

    def reset(self) -> None:
        """Forget listings, seeded items, feeds, documents, the ledger and the rate-limit state; credentials
        stay valid."""
        self.feedstore.reset()
        self.store.reset()
        self.limiter.reset()
        self.catalog.catalog.reset()
        self.ledger = self.submissions.ledger = Ledger()

    def rate_header(self, operation_id: str) -> str:
        return self._rate_headers.get(operation_id, "")

    def seed(self, **record: Any) -> dict[str, Any]:
        """Plant another seller's offer for catalog searches: `title`, `seller` (its seller id), `price`,
        `currency`, `images` (bytes, main first), optional `brand`, `asin` (offer an existing catalog item)
        and `marketplace_id`. Answers `asin`, `sellerId`, `marketplaceId`; `SeedError` names a bad field."""
        return self.catalog.seeded(check_seed(0, **record))

    # -- inspection ----------------------------------------------------------------------------------------

    def listings(self, seller_id: str, marketplace_id: str = US) -> dict[str, dict[str, Any]]:
        """What the seller has live in the marketplace: SKU -> the `Item` getListingsItem would return."""
        listings = self.store.for_seller(seller_id, marketplace_id)
        return copy.deepcopy({listing.sku: listing.view() for listing in listings})

    def listing(self, seller_id: str, sku: str, marketplace_id: str = US) -> dict[str, Any] | None:
        listing = self.store.get(seller_id, marketplace_id, sku)
        return copy.deepcopy(listing.view()) if listing is not None else None

    def offers(self, seller_id: str, marketplace_id: str = US) -> dict[str, list[dict[str, Any]]]:
        """SKU -> the offers (price, currency) the seller has live in the marketplace."""
        return {listing.sku: listing.offers() for listing in self.store.for_seller(seller_id, marketplace_id)}

    def feeds(self, seller_id: str) -> list[dict[str, Any]]:
        """The seller's feeds, oldest first: what getFeed returns plus `history`, the statuses it went
        through."""
        found = [feed for feed in list(self.feedstore.feeds.values()) if feed.seller_id == seller_id]
        return [self.feed(feed.feed_id) for feed in sorted(found, key=lambda feed: feed.created)]

    def feed(self, feed_id: str) -> dict[str, Any]:
        feed = self.feedstore.feeds[feed_id]
        return {**feed.model(), "history": list(feed.history)}

    def feed_report(self, feed_id: str) -> dict[str, Any] | None:
        """The processing report of a finished feed, parsed; None before it is written."""
        feed = self.feedstore.feeds[feed_id]
        if feed.result_document_id is None:
            return None
        document = self.feedstore.documents[feed.result_document_id]
        data = document.data or b""
        return json.loads(gzip.decompress(data) if document.compression else data)

    def wait_for_feed(self, feed_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Block until the feed is DONE, FATAL or CANCELLED, and return it; TimeoutError otherwise."""
        if not self.feedstore.feeds[feed_id].finished.wait(timeout):
            raise TimeoutError(f"feed {feed_id} did not finish within {timeout} s")
        return self.feed(feed_id)

    def stats(self) -> dict[str, Any]:
        """Counters for a glance: listings live, accepted writes, throttled calls, faults injected."""
        return {
            "listings": self.store.count(),
            "writes": self.ledger.total_writes(),
            "throttled": self.limiter.throttled,
            "faults": {fault.value: n for fault, n in self.faults.injected.items()},
            "feeds": len(self.feedstore.feeds),
        }

    # -- serving -------------------------------------------------------------------------------------------

    def start_processing(self, feed: Feed) -> None:
        """Process the feed in the background on the server's event loop."""
        options = self.options

        def save(document: Document) -> None:
            self.feedstore.documents[document.document_id] = document

        task = asyncio.get_running_loop().create_task(
            feedproc.run(
                feed,
                submissions=self.submissions,
                store=self.store,
                data=self.feedstore.documents[feed.input_document_id].data or b"",
                queue_seconds=options.feed_queue_seconds,
                progress_seconds=options.feed_progress_seconds,
                max_messages=options.max_feed_messages,
                compress=options.gzip_reports,
                clock=self.clock,
                save=save,
            )
        )
        self.feedstore.tasks.add(task)
        task.add_done_callback(self.feedstore.tasks.discard)

    @property
    def app(self) -> Starlette:
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def _build_app(self) -> Starlette:
        async def token(request: Request) -> Response:
            return await api.token(self, request)

        async def storage(request: Request) -> Response:
            return await feeds.storage(self, request)

        async def dispatch(request: Request) -> Response:
            return await api.dispatch(self, request)

        methods = ["GET", "PUT", "POST", "PATCH", "DELETE"]
        return Starlette(
            routes=[
                Route("/auth/o2/token", token, methods=["POST"]),
                Route("/_storage/{document_id}", storage, methods=["GET", "PUT"]),
                *self.catalog.routes(),
                *inspection.routes(self),
                Route("/{rest:path}", dispatch, methods=methods),
            ]
        )
