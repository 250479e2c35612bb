"""The planner: per marketplace account, which SKUs need a write, and in which batches.

A SKU needs a write when its product's field-group hashes differ from those last pushed to that marketplace,
when it is new there, or when it was deleted or disabled and is still listed. The hashes compared (and
recorded at the push) are the product's with the account's payload settings folded in, per group (see
`workers.account_hashes`): a changed CNY rate table makes every Tmall listing's price group differ, and
nothing else. eBay has a fifth group, `offer` (the product's `ebay.category_id` and the account's policies,
location and fallback category), whose change is a `revise_offer` (updateOffer). The comparison reads only
hashes (one query per table, and one for the account; on eBay each product's category override too, taken
out of its JSON in SQL), so an unchanged catalogue of 100,000 SKUs is planned in seconds and costs no
marketplace write; product JSON is read only for the SKUs that differ.

The same `decide` runs again in the push actor just before the call, on the state at that moment (product
hashes folded with the account's settings as stored then): a SKU pushed meanwhile is skipped (redelivery,
two runs at once), and a product or setting changed after planning is pushed in its newest version.
Changes a seller makes after the push are planned by the run their webhook opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import Action
from workers.account_hashes import OFFER, account_digests, for_account
from workers.accounts import connected_marketplaces
from workers.context import writing
from workers.runs import finish_if_done, mark_running, run_scope
from workers.store.db import utcnow
from workers.store.models import BatchState, Listing, ListingStatus, Product, RunStatus, SyncBatch
from workers.store.products import HASH_COLUMNS

FIRST, MAIN = "first", "main"
#: SKUs per push message, shaped for each marketplace's best path: Amazon sends large sets as one
#: JSON_LISTINGS_FEED (and small ones item by item), eBay's bulk calls take 25, TOP goes one by one.
BATCH_SIZES = {"amazon": 10_000, "ebay": 25, "tmall": 5}
#: The first lane is for stock-outs: small batches that go straight to the single-item calls.
FIRST_BATCH_SIZES = {"amazon": 10, "ebay": 25, "tmall": 5}
_CHUNK = 500  # SKUs per IN (...) query
#: The product's `ebay.category_id`, read in SQL so that planning still reads no product JSON.
_EBAY_CATEGORY = Product.data[("ebay", "category_id")].as_string()


@dataclass(frozen=True)
class ProductState:
    hashes: Mapping[str, str]
    deleted: bool


@dataclass(frozen=True)
class ListingState:
    status: ListingStatus
    pushed: Mapping[str, Any]
    remote_ids: Mapping[str, Any]


def disabled(data: Mapping[str, Any], marketplace: str) -> bool:
    """The seller switched this marketplace off for the product (`amazon.enabled: false`, ...)."""
    overrides = data.get(marketplace) or {}
    return overrides.get("enabled") is False


def decide(
    marketplace: str,
    product: ProductState | None,
    listing: ListingState | None,
    data: Mapping[str, Any] | None,
) -> list[Action]:
    """The writes one SKU needs on one marketplace (empty when it is up to date).

    `data` (the product's JSON) may be None when the hashes alone settle it; callers pass it for SKUs whose
    hashes differ, to see whether the marketplace is switched off.
    """
    gone = product is None or product.deleted or (data is not None and disabled(data, marketplace))
    if gone:
        if listing is not None and listing.status not in (ListingStatus.ENDED,) and listing.pushed:
            return [Action.END]
        return []
    assert product is not None
    pushed = listing.pushed if listing is not None else {}
    if not pushed or listing is None or listing.status is ListingStatus.ENDED:
        return [Action.CREATE]
    differs = {key for key, value in product.hashes.items() if pushed.get(key) != value}
    if not differs:
        return []
    if listing.status is not ListingStatus.LIVE:
        # the last attempt failed or is unsettled: a full create-or-replace is idempotent everywhere
        return [Action.CREATE]
    content = bool(differs & {"content", "images"})
    offer = bool(differs & {"price", "quantity"})
    actions = [Action.UPDATE_CONTENT] if content else []
    # Amazon's full put carries price and quantity; eBay and TOP update those through their own calls
    if offer and not (content and marketplace == "amazon"):
        actions.append(Action.UPDATE_OFFER)
    if OFFER in differs:  # eBay's offer fields: updateOffer
        actions.append(Action.REVISE_OFFER)
    return actions


def chunked(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def product_states(
    conn: Connection,
    seller_id: str,
    skus: Sequence[str] | None,
    digests: Mapping[str, str] | None = None,
    marketplace: str = "",
) -> dict[str, ProductState]:
    """Each product's group hashes, with the account's settings `digests` folded in when given; on eBay,
    with the `offer` group too (see `workers.account_hashes`)."""
    columns = [getattr(Product, c) for c in HASH_COLUMNS.values()]
    ebay = marketplace == "ebay"
    if ebay:
        columns.append(_EBAY_CATEGORY)
    query = sa.select(Product.sku, Product.deleted_at, *columns).where(Product.seller_id == seller_id)
    found: dict[str, ProductState] = {}
    width = len(HASH_COLUMNS)
    for part in [None] if skus is None else list(chunked(skus, _CHUNK)):
        q = query if part is None else query.where(Product.sku.in_(list(part)))
        for row in conn.execute(q):
            hashes = dict(zip(HASH_COLUMNS, row[2 : 2 + width], strict=True))
            category = row[2 + width] if ebay else None
            found[row[0]] = ProductState(
                for_account(marketplace, hashes, category, digests or {}), row[1] is not None
            )
    return found


def listing_states(
    conn: Connection, seller_id: str, marketplace: str, skus: Sequence[str] | None
) -> dict[str, ListingState]:
    query = sa.select(Listing.sku, Listing.status, Listing.pushed_hashes, Listing.remote_ids).where(
        Listing.seller_id == seller_id, Listing.marketplace == marketplace
    )
    found: dict[str, ListingState] = {}
    for part in [None] if skus is None else list(chunked(skus, _CHUNK)):
        q = query if part is None else query.where(Listing.sku.in_(list(part)))
        for sku, status, pushed, ids in conn.execute(q):
            found[sku] = ListingState(ListingStatus(status), pushed or {}, ids or {})
    return found


def product_data(conn: Connection, seller_id: str, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = {}
    for part in chunked(sorted(skus), _CHUNK):
        rows = conn.execute(
            sa.select(Product.sku, Product.data).where(
                Product.seller_id == seller_id, Product.sku.in_(list(part))
            )
        )
        data.update({sku: d for sku, d in rows})
    return data


@dataclass(frozen=True)
class Plan:
    """What one marketplace needs: SKUs per lane, each with its actions."""

    marketplace: str
    first: list[str]
    main: list[str]
    unchanged: int


def plan_marketplace(
    conn: Connection, seller_id: str, marketplace: str, skus: Sequence[str] | None = None
) -> Plan:
    """Diff the catalogue (or `skus`) against what was pushed to `marketplace`."""
    digests = account_digests(conn, seller_id, marketplace)
    products = product_states(conn, seller_id, skus, digests, marketplace)
    listings = listing_states(conn, seller_id, marketplace, skus)
    candidates = sorted(set(products) | set(listings)) if skus is None else sorted(set(skus))
    differing = [sku for sku in candidates if decide(marketplace, products.get(sku), listings.get(sku), None)]
    data = product_data(conn, seller_id, differing)
    first: list[str] = []
    main: list[str] = []
    for sku in differing:
        actions = decide(marketplace, products.get(sku), listings.get(sku), data.get(sku))
        if not actions:
            continue
        lane = first if _stock_out(actions, data.get(sku), listings.get(sku)) else main
        lane.append(sku)
    return Plan(marketplace, first, main, len(candidates) - len(first) - len(main))


def _stock_out(actions: list[Action], data: Mapping[str, Any] | None, listing: ListingState | None) -> bool:
    """Quantity going to zero on a live listing: sold out everywhere, so it goes first."""
    return (
        actions == [Action.UPDATE_OFFER]
        and listing is not None
        and listing.status is ListingStatus.LIVE
        and data is not None
        and int(data.get("quantity", 1)) == 0
    )


def write_batches(conn: Connection, run_id: str, seller_id: str, plan: Plan) -> list[int]:
    """Insert the plan's batches (first lane first) and pending listings for new SKUs; returns batch ids."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for lane, skus, size in (
        (FIRST, plan.first, FIRST_BATCH_SIZES[plan.marketplace]),
        (MAIN, plan.main, BATCH_SIZES[plan.marketplace]),
    ):
        for seq, part in enumerate(chunked(skus, size)):
            rows.append(
                {
                    "run_id": run_id,
                    "seller_id": seller_id,
                    "marketplace": plan.marketplace,
                    "lane": lane,
                    "seq": seq,
                    "skus": list(part),
                    "state": BatchState.QUEUED,
                    "attempts": 0,
                    "counts": {},
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if not rows:
        return []
    _add_pending(conn, seller_id, plan.marketplace, plan.first + plan.main)
    conn.execute(sa.insert(SyncBatch), rows)
    ids = conn.execute(
        sa.select(SyncBatch.id)
        .where(SyncBatch.run_id == run_id, SyncBatch.marketplace == plan.marketplace)
        .order_by(SyncBatch.lane, SyncBatch.seq)  # "first" sorts before "main"
    )
    return [i for (i,) in ids]


def _add_pending(conn: Connection, seller_id: str, marketplace: str, skus: Sequence[str]) -> None:
    """A pending listing row for each SKU the marketplace has never seen (another run may add it too)."""
    known: set[str] = set()
    for part in chunked(skus, _CHUNK):
        known.update(
            conn.execute(
                sa.select(Listing.sku).where(
                    Listing.seller_id == seller_id,
                    Listing.marketplace == marketplace,
                    Listing.sku.in_(list(part)),
                )
            ).scalars()
        )
    now = utcnow()
    new = [
        {
            "seller_id": seller_id,
            "marketplace": marketplace,
            "sku": sku,
            "status": ListingStatus.PENDING,
            "remote_ids": {},
            "pushed_hashes": {},
            "attempts": 0,
            "updated_at": now,
        }
        for sku in skus
        if sku not in known
    ]
    if new:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(
            insert(Listing).on_conflict_do_nothing(index_elements=["seller_id", "marketplace", "sku"]), new
        )


@dataclass(frozen=True)
class Planned:
    marketplace: str
    lane: str
    batch_id: int


def plan_run(engine: Engine, run_id: str) -> list[Planned]:
    """Plan a run once and return its unfinished batches (all of them the first time; on a redelivered
    plan message, those still to do). A run with nothing to write is closed as done at once."""
    with writing(engine) as conn:
        run, skus, marketplaces = run_scope(conn, run_id)
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            return []
        existing = conn.execute(
            sa.select(SyncBatch.marketplace, SyncBatch.lane, SyncBatch.id)
            .where(SyncBatch.run_id == run_id)
            .order_by(SyncBatch.lane, SyncBatch.seq)
        ).all()
        if existing:
            # planned before: hand back what is left (the first delivery may have died before enqueueing)
            left = conn.execute(
                sa.select(SyncBatch.id).where(
                    SyncBatch.run_id == run_id, SyncBatch.state.in_([BatchState.QUEUED, BatchState.RUNNING])
                )
            ).scalars()
            todo = set(left)
            if not todo:
                finish_if_done(conn, run_id)
            return [Planned(str(m), lane, i) for m, lane, i in existing if i in todo]
        connected = connected_marketplaces(conn, run.seller_id)
        chosen = [m for m in connected if marketplaces is None or m in marketplaces]
        planned: list[Planned] = []
        for marketplace in chosen:
            plan = plan_marketplace(conn, run.seller_id, marketplace, skus)
            ids = write_batches(conn, run_id, run.seller_id, plan)
            lanes = [FIRST] * _batches(len(plan.first), FIRST_BATCH_SIZES[marketplace]) + [MAIN] * _batches(
                len(plan.main), BATCH_SIZES[marketplace]
            )
            planned += [Planned(marketplace, lane, i) for lane, i in zip(lanes, ids, strict=True)]
        mark_running(conn, run_id)
        if not planned:
            finish_if_done(conn, run_id)
        # stock-outs first, whatever the marketplace
        planned.sort(key=lambda p: p.lane != FIRST)
        return planned


def _batches(n: int, size: int) -> int:
    return -(-n // size)
