"""Marketplace scans: find other sellers' listings that copy a brand's images, and record them as findings.

`scan_brand(ctx, brand, marketplaces)` searches each marketplace with the brand's name and each alias (every
page, at most `max_listings` a keyword), leaves out listings by sellers the brand authorised and listings it
dismissed, fetches each remaining listing's images through the scan image cache, matches them against the
brand's images, records a finding with its evidence for the best match of each listing, and hands findings
to alert to `workers.actors.mail_alerts`. A marketplace that fails is reported in the summary with its
reason; what the others found is recorded all the same.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from connectors.errors import ConnectorError
from connectors.search import FoundListing, Search
from fingerprints import DEFAULT_THRESHOLD, FingerprintError, ImageLoader
from workers.accounts import AccountError
from workers.brands import (
    BrandIndex,
    BrandInfo,
    Snapshot,
    UnknownBrandError,
    Verdict,
    VerdictKind,
    get_brand,
    list_brands,
)
from workers.context import Context, writing
from workers.findings import FindingError, match_from_verdict, record_finding, seller_is_allowed
from workers.scan_accounts import open_search, scan_marketplaces, scan_seller
from workers.scan_images import ImageCache, ListingImage
from workers.settings import Settings
from workers.store.brand_models import Finding, FindingState

log = logging.getLogger(__name__)

#: Listings read per keyword and marketplace at most; images looked at per listing at most.
MAX_LISTINGS = 1000
MAX_IMAGES = 6
MAX_ERRORS_KEPT = 20
#: Listings whose images are fetched and matched at once.
IMAGE_THREADS = 4


@dataclass
class MarketplaceScan:
    """What a scan did on one marketplace."""

    marketplace: str
    listings: int = 0
    authorized: int = 0  # by a seller the brand authorised
    dismissed: int = 0  # a listing the brand owner dismissed before
    unreadable: int = 0  # in the search answer, but not readable
    images_fetched: int = 0
    images_cached: int = 0
    matches: int = 0
    new_findings: int = 0
    changed_findings: int = 0
    alerts: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    failed: str | None = None  # why the marketplace could not be scanned to the end

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERRORS_KEPT:
            self.error_samples.append(text[:500])


COUNTS = (
    *("listings", "authorized", "dismissed", "unreadable", "images_fetched", "images_cached", "matches"),
    *("new_findings", "changed_findings", "alerts", "errors"),
)


@dataclass
class ScanSummary:
    """A scan's progress while it runs and its totals at the end."""

    brand: str
    marketplaces: dict[str, MarketplaceScan] = field(default_factory=dict)
    finding_ids: list[int] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(m, name) for m in self.marketplaces.values()) for name in COUNTS}

    @property
    def failed(self) -> list[str]:
        return [name for name, m in self.marketplaces.items() if m.failed]

    def to_json(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "totals": self.totals(),
            "marketplaces": {name: asdict(m) for name, m in self.marketplaces.items()},
            "failed": self.failed,
            "finding_ids": list(self.finding_ids),
        }

    def line(self) -> str:
        t = self.totals()
        return (
            f"{self.brand}: {t['listings']} listings seen, {t['images_fetched']} images fetched "
            f"({t['images_cached']} from the cache), {t['matches']} matches, "
            f"{t['new_findings']} new findings, {t['errors']} errors"
            + (f"; failed: {', '.join(self.failed)}" if self.failed else "")
        )


@dataclass
class ScanTools:
    """What scans share in one process: the brand index, the image cache, and how alerts are sent."""

    index: BrandIndex
    images: ImageCache
    alert: Callable[[int], list[int]]
    secret_key: str | None
    seller: str

    @classmethod
    def build(cls, ctx: Context, loader: ImageLoader, *, seller: str | None = None) -> ScanTools:
        """Tools over the context's store; alerts go to `workers.actors.mail_alerts`."""

        def alert(finding_id: int) -> list[int]:
            from workers.actors import mail_alerts

            return mail_alerts(ctx, finding_id)

        images = ImageCache(ctx.engine, loader)
        return cls(BrandIndex(ctx.engine), images, alert, ctx.connectors.secret_key, seller or scan_seller())


def scan_tools(ctx: Context) -> ScanTools:
    """The context's `ScanTools` (tests set `extras["scan_tools"]`), else built from the environment, once."""
    found = ctx.extras.get("scan_tools")
    if found is None:
        settings = Settings.from_env()
        found = ScanTools.build(ctx, ImageLoader(allow_private=settings.allow_private_images))
        ctx.extras["scan_tools"] = found
    assert isinstance(found, ScanTools)
    return found


def scan_brand(
    ctx: Context,
    brand: str | int,
    marketplaces: Iterable[str] = (),
    *,
    progress: Callable[[ScanSummary], None] | None = None,
    max_listings: int = MAX_LISTINGS,
) -> ScanSummary:
    """Scan `marketplaces` (default: every one the scan seller connected) for copies of `brand`'s images."""
    tools = scan_tools(ctx)
    with ctx.engine.connect() as conn:
        info = brand_info(conn, brand)
        chosen = scan_marketplaces(conn, tools.seller, list(marketplaces))
        dismissed = _dismissed(conn, info.id)
    summary = ScanSummary(info.name, {m: MarketplaceScan(m) for m in chosen})
    for marketplace in chosen:
        done = summary.marketplaces[marketplace]
        try:
            search = open_search(ctx.engine, tools.secret_key, tools.seller, marketplace, limiter=ctx.limiter)
            _scan_marketplace(ctx, tools, info, search, done, dismissed, summary, progress, max_listings)
        except (ConnectorError, AccountError) as exc:
            done.failed = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("scan of %s on %s failed: %s", info.name, marketplace, done.failed)
        if progress is not None:
            progress(summary)
    log.info("scan done: %s", summary.line())
    return summary


def brand_info(conn: sa.Connection, brand: str | int) -> BrandInfo:
    """The brand by id or name; `UnknownBrandError` when there is none."""
    if isinstance(brand, int):
        found = list_brands(conn, ids=[brand])
        if not found:
            raise UnknownBrandError(str(brand))
        return found[0]
    return get_brand(conn, brand)


def _dismissed(conn: sa.Connection, brand_id: int) -> set[tuple[str, str]]:
    rows = conn.execute(
        sa.select(Finding.marketplace, Finding.listing_id).where(
            Finding.brand_id == brand_id, Finding.state == FindingState.DISMISSED
        )
    )
    return {(str(m), str(listing)) for m, listing in rows}


def _scan_marketplace(
    ctx: Context,
    tools: ScanTools,
    info: BrandInfo,
    search: Search,
    done: MarketplaceScan,
    dismissed: set[tuple[str, str]],
    summary: ScanSummary,
    progress: Callable[[ScanSummary], None] | None,
    max_listings: int,
) -> None:
    """Read the search's listings and look at their images a few at a time (fetching overlaps with the
    search's next calls); findings are recorded in the order the search gave the listings."""
    seen: set[str] = set()
    pending: deque[tuple[FoundListing, Future[Looked]]] = deque()

    def settle() -> None:
        listing, looked = pending.popleft()
        _record(ctx, tools, info, listing, looked.result(), done, summary)
        if progress is not None:
            progress(summary)

    with ThreadPoolExecutor(IMAGE_THREADS, thread_name_prefix="scan-images") as pool:
        try:
            for keyword in dict.fromkeys([info.name, *info.aliases]):
                for listing in _listings(search, keyword, max_listings, done):
                    if listing.listing_id in seen:
                        continue
                    seen.add(listing.listing_id)
                    done.listings += 1
                    if seller_is_allowed(
                        info, listing.marketplace, listing.seller, listing.ids.get("seller_id")
                    ):
                        done.authorized += 1
                    elif (listing.marketplace, listing.listing_id) in dismissed:
                        done.dismissed += 1
                    else:
                        pending.append((listing, pool.submit(_look, tools, info, listing)))
                    while len(pending) > 2 * IMAGE_THREADS:
                        settle()
        finally:  # a search that failed half way keeps what it found
            while pending:
                settle()


def _listings(search: Search, keyword: str, limit: int, done: MarketplaceScan) -> Iterator[FoundListing]:
    """The search's listings for one keyword; a keyword the marketplace cannot search for (no searchable
    word) is an error of the scan, not of the marketplace."""
    found = search.search(keyword, limit=limit)
    try:
        while True:
            try:
                listing = next(found)
            except StopIteration:
                return
            except ValueError as exc:
                done.error(f"keyword {keyword!r}: {exc}")
                return
            yield listing
    finally:
        done.unreadable = len(search.skipped)


@dataclass
class Looked:
    """What looking at one listing's images gave: the best match of the brand, if any, and the counts."""

    best: tuple[Verdict, ListingImage] | None = None
    fetched: int = 0
    cached: int = 0
    errors: list[str] = field(default_factory=list)


def _look(tools: ScanTools, info: BrandInfo, listing: FoundListing) -> Looked:
    """Fetch (or take from the cache) and judge the listing's images; runs on the image threads."""
    looked = Looked()
    for url in listing.image_urls[:MAX_IMAGES]:
        try:
            image = tools.images.get(url)
            verdict = _judge(tools.index.snapshot(), info, image)
            if verdict is None and not image.fetched:
                image = tools.images.get(url, fresh=True)  # cached fingerprints of another version
                verdict = _judge(tools.index.snapshot(), info, image)
        except FingerprintError as exc:  # cannot be fetched, decoded or fingerprinted
            looked.errors.append(f"listing {listing.listing_id}: image {exc}")
            continue
        looked.fetched += image.fetched
        looked.cached += not image.fetched
        if verdict is None or verdict.verdict != VerdictKind.COUNTERFEIT_SUSPECT:
            continue
        if looked.best is None or (verdict.score or 0) > (looked.best[0].score or 0):
            looked.best = (verdict, image)
    return looked


def _record(
    ctx: Context,
    tools: ScanTools,
    info: BrandInfo,
    listing: FoundListing,
    looked: Looked,
    done: MarketplaceScan,
    summary: ScanSummary,
) -> None:
    """Count what was looked at, and record (and alert) the listing's finding when an image matched."""
    done.images_fetched += looked.fetched
    done.images_cached += looked.cached
    for error in looked.errors:
        done.error(error)
    if looked.best is None:
        return
    done.matches += 1
    verdict, image = looked.best
    match = match_from_verdict(
        verdict, image_url=image.url, image_sha256=image.sha256, fetched_at=image.fetched_at
    )
    try:
        with writing(ctx.engine) as conn:
            recorded = record_finding(conn, info.id, listing, match)
    except FindingError as exc:  # a listing the marketplace described too poorly to keep as evidence
        done.error(f"listing {listing.listing_id}: {exc}")
        return
    if recorded.finding_id is not None and recorded.finding_id not in summary.finding_ids:
        summary.finding_ids.append(recorded.finding_id)
    done.new_findings += recorded.created
    done.changed_findings += recorded.changed
    if recorded.to_alert and recorded.finding_id is not None:
        done.alerts += len(tools.alert(recorded.finding_id))


def _judge(snapshot: Snapshot, info: BrandInfo, image: ListingImage) -> Verdict | None:
    """The verdict of this brand alone for the image (no-match when another brand matched); None when the
    stored fingerprints cannot be compared with the index (another version of the fingerprints)."""
    try:
        matches = snapshot.matcher.match(image.prints, DEFAULT_THRESHOLD)
    except FingerprintError:
        return None
    mine = next((m for m in matches if m.brand_id == info.id), None)
    if mine is None:
        return Verdict(image.url, VerdictKind.NO_MATCH)
    return Verdict(
        image.url,
        VerdictKind.COUNTERFEIT_SUSPECT,
        brand=info.name,
        brand_id=info.id,
        reference=snapshot.references.get(mine.reference_id),
        score=mine.score,
        reason=mine.reason,
        matches=(mine,),
    )
