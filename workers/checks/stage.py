"""The check stage: a planned batch's new and changed images are matched against the brands before its push.

Only SKUs the push would create or whose content or images changed are checked; price and quantity updates,
ends and stock-outs are not. An image that matches a brand image, by a seller the brand has not authorized
(by name, by our seller id, or through a dismissed finding), is a finding: one per brand, marketplace and SKU
(listing id `<seller id>/<sku>`), so that dismissing it authorizes the seller on that marketplace as it does
for a scanned listing. Under the brand's `hold` policy the SKU is held on that marketplace: not pushed, its
listing `held` with a message saying which brand, which image and how to clear it. Under `flag` it is pushed
as usual. Either way the brand is alerted once (again only when the listing changed materially).

An image that cannot be downloaded makes the batch wait and try again (see `ImagesUnavailable`); after the
last try, and at once for an image that is not one (not an image, too large, a forbidden address), the SKU
is pushed with its check recorded as failed in the batch's `checks` and logged: a broken image host must not
keep a catalogue off the marketplaces, and the marketplace validates the image itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from connectors.base import Action
from connectors.search import FoundListing
from workers.account_hashes import account_digests
from workers.brands import BrandInfo, Snapshot
from workers.checks.cache import CheckedImage
from workers.checks.errors import ImagesUnavailable
from workers.checks.screen import Screened, Screener, Unchecked, shown
from workers.context import Context, writing
from workers.findings import ImageMatch, record_finding, seller_is_allowed
from workers.planner import decide, listing_states, product_data, product_states
from workers.store.brand_models import Brand, BrandPolicy
from workers.store.db import utcnow
from workers.store.models import BatchState, Listing, ListingStatus, SyncBatch
from workers.store.sellers import SellerInfo, get_seller

logger = logging.getLogger(__name__)

CHECKED_ACTIONS = frozenset({Action.CREATE, Action.UPDATE_CONTENT})
HOLD_CODE = "BRAND_HOLD"


@dataclass(frozen=True)
class Suspect:
    """A SKU's image matching a brand that has not authorized the seller: the best such match per brand."""

    sku: str
    brand: BrandInfo
    url: str
    position: int
    image: CheckedImage
    match: Mapping[str, Any]


@dataclass
class Checked:
    """What checking a batch decided; `marketplace` None means the batch was settled already."""

    batch_id: int
    marketplace: str | None
    checked: int = 0
    held: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)  # findings to alert


def check_batch(ctx: Context, screener: Screener, batch_id: int, *, give_up: bool = False) -> Checked:
    """Check one batch and record the outcome; raises `ImagesUnavailable` (unless `give_up`)."""
    with ctx.engine.connect() as conn:
        batch = conn.execute(sa.select(SyncBatch).where(SyncBatch.id == batch_id)).one_or_none()
        if batch is None or batch.state not in (BatchState.QUEUED, BatchState.RUNNING):
            return Checked(batch_id, None)
        marketplace, skus = str(batch.marketplace), list(batch.skus)
        seller = get_seller(conn, batch.seller_id)
        digests = account_digests(conn, seller.id, marketplace)
        products = product_states(conn, seller.id, skus, digests, marketplace)
        listings = listing_states(conn, seller.id, marketplace, skus)
        data = product_data(conn, seller.id, skus)
    images = {
        sku: [str(url) for url in data[sku].get("image_urls") or ()]
        for sku in skus
        if sku in data
        and CHECKED_ACTIONS & set(decide(marketplace, products.get(sku), listings.get(sku), data[sku]))
    }
    checked = Checked(batch_id, marketplace, checked=len(images))
    judged = judge(screener, seller, marketplace, images, what=f"batch {batch_id}", give_up=give_up)
    checked.failed = judged.failed
    with writing(ctx.engine) as conn:
        judged = judged.current(conn)
        holding = {s.sku for s in judged.holding}
        checked.held = [sku for sku in images if sku in holding]
        checked.alerts = record_suspects(conn, judged, seller, marketplace, data, images)
        _hold(conn, seller, marketplace, judged.holding)
        conn.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.id == batch_id)
            .values(checks={"held": checked.held, "failed": checked.failed}, updated_at=utcnow())
        )
    return checked


@dataclass
class Judged:
    """What screening some SKUs' images found: the suspects and the SKUs with an image left unchecked."""

    snapshot: Snapshot
    suspects: list[Suspect]
    failed: list[str]

    @property
    def holding(self) -> list[Suspect]:
        return [s for s in self.suspects if s.brand.policy is BrandPolicy.HOLD]

    def current(self, conn: sa.Connection) -> Judged:
        """These suspects less those of brands removed since the index was read (a worker's index may be
        seconds old): nothing is recorded or held for a brand that is gone."""
        ids = {s.brand.id for s in self.suspects}
        if not ids:
            return self
        present = set(conn.execute(sa.select(Brand.id).where(Brand.id.in_(ids))).scalars())
        kept = [s for s in self.suspects if s.brand.id in present]
        return self if len(kept) == len(self.suspects) else replace(self, suspects=kept)


def judge(
    screener: Screener,
    seller: SellerInfo,
    marketplace: str,
    images: Mapping[str, Sequence[str]],
    *,
    what: str,
    give_up: bool,
) -> Judged:
    """Screen the images of each SKU (`images`: SKU -> URLs) and find its suspects; an image that could not
    be fetched raises `ImagesUnavailable` naming `what`, unless `give_up`, when it is logged and skipped."""
    screened = screener.screen(url for urls in images.values() for url in urls) if images else {}
    retry = [url for url, found in screened.items() if isinstance(found, Unchecked) and found.transient]
    if retry and not give_up:
        raise ImagesUnavailable(what, [shown(url) for url in retry])
    judged = Judged(screener.snapshot(), [], [])
    for sku, urls in images.items():
        failures = [found for url in urls if isinstance(found := screened[url], Unchecked)]
        if failures:
            judged.failed.append(sku)
        for failure in failures:
            logger.warning(
                "%s: SKU %s goes on without checking image %s: %s",
                what,
                sku,
                shown(failure.url),
                failure.reason,
            )
        judged.suspects += suspects_of(judged.snapshot, seller, marketplace, sku, urls, screened)
    return judged


def record_suspects(
    conn: sa.Connection,
    judged: Judged,
    seller: SellerInfo,
    marketplace: str,
    data: Mapping[str, Mapping[str, Any]],
    images: Mapping[str, Sequence[str]],
) -> list[int]:
    """Record a finding for each suspect; returns the findings to alert (new or materially changed)."""
    alerts: list[int] = []
    for suspect in judged.suspects:
        listing = found_listing(seller, marketplace, suspect.sku, data[suspect.sku], images[suspect.sku])
        recorded = record_finding(conn, suspect.brand.id, listing, image_match(judged.snapshot, suspect))
        if recorded.to_alert and recorded.finding_id is not None:
            alerts.append(recorded.finding_id)
    return alerts


def suspects_of(
    snapshot: Snapshot,
    seller: SellerInfo,
    marketplace: str,
    sku: str,
    urls: Sequence[str],
    screened: Mapping[str, Screened],
) -> list[Suspect]:
    """The best match of each brand, among the SKU's images, whose brand has not authorized the seller."""
    best: dict[int, Suspect] = {}
    for position, url in enumerate(urls):
        image = screened.get(url)
        if not isinstance(image, CheckedImage):
            continue
        for match in image.matches:
            brand = snapshot.brands.get(int(match["brand_id"]))
            if brand is None or seller_is_allowed(brand, marketplace, seller.name, seller.id):
                continue
            current = best.get(brand.id)
            if current is None or float(match["score"]) > float(current.match["score"]):
                best[brand.id] = Suspect(sku, brand, url, position, image, match)
    return sorted(best.values(), key=lambda s: -float(s.match["score"]))


def found_listing(
    seller: SellerInfo, marketplace: str, sku: str, data: Mapping[str, Any], urls: Sequence[str]
) -> FoundListing:
    """Our seller's SKU as a finding sees a listing (it has no marketplace link yet: the link names it)."""
    try:
        price = Decimal(str(data.get("price")))
    except InvalidOperation:
        price = Decimal(0)
    return FoundListing(
        marketplace=marketplace,
        listing_id=f"{seller.id}/{sku}",
        title=str(data.get("title") or sku),
        seller=seller.name,
        price=price,
        currency=str(data.get("currency") or ""),
        image_urls=tuple(urls),
        url=f"listing-sync://sellers/{seller.id}/listings/{marketplace}/{sku}",
        ids={"seller_id": seller.id, "sku": sku},
    )


def image_match(snapshot: Snapshot, suspect: Suspect) -> ImageMatch:
    """The finding's evidence of the match, as `workers.findings.match_from_verdict` gives it."""
    reference_id = int(suspect.match["reference_id"])
    reference = snapshot.references.get(reference_id)
    return ImageMatch(
        reference_id,
        reference.source if reference is not None else "",
        float(suspect.match["score"]),
        dict(suspect.match.get("reason") or {}),
        suspect.url,
        suspect.image.content_sha256,
        suspect.image.checked_at,
    )


def hold_message(seller: SellerInfo, marketplace: str, suspect: Suspect) -> str:
    """What a held listing tells its seller: which brand, which image, and how to clear it."""
    brand = suspect.brand.name
    return (
        f"Held, not pushed to {marketplace}: image {suspect.position + 1} ({shown(suspect.url)}) matches an "
        f"image registered by the brand {brand} (score {float(suspect.match['score']):.2f}), and {brand} has "
        f"not authorized seller {seller.name!r} (id {seller.id}). To clear it, ask {brand} to authorize "
        f"this seller (or to dismiss its alert), then sync again; or replace the image and sync again."
    )


def _hold(conn: sa.Connection, seller: SellerInfo, marketplace: str, suspects: Sequence[Suspect]) -> None:
    """Mark held listings with the reason of their best holding match (the first per SKU: best first)."""
    first: dict[str, Suspect] = {}
    for suspect in suspects:
        first.setdefault(suspect.sku, suspect)
    if not first:
        return
    conn.execute(
        sa.update(Listing).where(
            Listing.seller_id == seller.id,
            Listing.marketplace == marketplace,
            Listing.sku == sa.bindparam("b_sku"),
        ),
        [
            {
                "b_sku": sku,
                "status": ListingStatus.HELD,
                "last_error_code": HOLD_CODE,
                "last_error_message": hold_message(seller, marketplace, suspect),
                "last_error_field": f"image_urls[{suspect.position}]",
                "updated_at": utcnow(),
            }
            for sku, suspect in first.items()
        ],
    )
