"""Push one batch: claim its SKUs, decide each SKU's writes on the state of now, call the connector, record.

Listings move pending -> submitted -> live | error | ended. A SKU's outcome is recorded as soon as the
connector answers for it, so a batch that fails part-way keeps what was done and the retry only does the
rest. `SyncBatch.attempts` counts deliveries that never reported back; it is written before the connector is
called, so a message whose push kills the worker still counts, and after `MAX_STALLED` such deliveries the
batch is failed with a reason instead of being tried for ever. A delivery that ends in a transient error
resets it (the worker survived; dramatiq's retries bound those).

A batch the marketplace fails as a whole twice in a row is split in two new batches: with a bad-day error
rate, a batch whose every call must succeed at once might never pass, while its halves soon do.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from catalog.product import Product as CatalogProduct
from connectors.base import Action, Change, SkuResult
from connectors.errors import AuthError, ConnectorError, PermanentError, TransientError
from workers.account_hashes import account_digests
from workers.accounts import AccountError
from workers.claims import Claim
from workers.context import Context, writing
from workers.planner import ListingState, ProductState, decide, listing_states, product_data, product_states
from workers.retries import transient
from workers.runs import finish_if_done
from workers.store.db import utcnow
from workers.store.models import BatchState, Listing, ListingStatus, SyncBatch

logger = logging.getLogger(__name__)

MAX_STALLED = 5


@dataclass
class Outcome:
    """What became of a batch's SKUs in this delivery."""

    counts: Counter[str] = field(default_factory=Counter)
    retry: TransientError | None = None
    finished: bool = False
    split: list[int] = field(default_factory=list)  # new batches to enqueue


@dataclass(frozen=True)
class Work:
    sku: str
    changes: list[Change]
    hashes: dict[str, str]


def push_batch(ctx: Context, batch_id: int) -> Outcome:
    """Do (the rest of) one batch. Raises `TransientError` (after recording progress) to be retried."""
    with ctx.engine.connect() as conn:
        batch = conn.execute(sa.select(SyncBatch).where(SyncBatch.id == batch_id)).one_or_none()
    if batch is None or batch.state in (BatchState.DONE, BatchState.FAILED, BatchState.SPLIT):
        return Outcome(finished=True)  # redelivered after it was settled
    seller, marketplace = batch.seller_id, str(batch.marketplace)
    with Claim(ctx.redis, ctx.prefix, seller, marketplace, batch.skus, lease=ctx.claim_seconds):
        with writing(ctx.engine) as conn:
            attempts = conn.execute(
                sa.update(SyncBatch)
                .where(SyncBatch.id == batch_id)
                .values(attempts=SyncBatch.attempts + 1, state=BatchState.RUNNING, updated_at=utcnow())
                .returning(SyncBatch.attempts)
            ).scalar_one()
        if attempts > MAX_STALLED:
            reason = batch.error or "the worker stopped during the push (killed or out of time)"
            return _fail(ctx, batch, f"gave up after {MAX_STALLED} attempts without progress: {reason}")
        # The settings digests are read before the connector is built from the account: should the settings
        # change in between, the listings record the older digest, and the next plan pushes them again.
        with ctx.engine.connect() as conn:
            digests = account_digests(conn, seller, marketplace)
        try:
            connector = ctx.connectors.get(seller, marketplace)
        except AccountError as exc:
            return _fail(ctx, batch, str(exc))
        held = set((batch.checks or {}).get("held") or ())
        work, counts, refused = _prepare(ctx, seller, marketplace, batch.skus, held, digests)
        outcome = Outcome(counts=counts)
        if refused:
            _record(ctx, seller, marketplace, {}, refused, {})
        changes = [c for w in work for c in w.changes]
        if changes:
            _mark_submitted(ctx, seller, marketplace, [w.sku for w in work])
            try:
                results = connector.push(changes)
            except TransientError as exc:
                if batch.error is not None and len(work) > 1:
                    return Outcome(split=_split(ctx, batch, [w.sku for w in work], exc))
                _note(ctx, batch_id, f"{type(exc).__name__}: {exc.message}")
                raise
            except AuthError as exc:
                # Not the listings' fault: nothing is recorded on them, so the next run after the seller
                # reconnects the account pushes them again.
                return _fail(
                    ctx, batch, f"{marketplace} refused the account's credentials; reconnect it ({exc})"
                )
            except Exception as exc:  # Redis away for the limiter, a limiter wait past its bound...
                if transient(exc):
                    _note(ctx, batch_id, f"{type(exc).__name__}: {exc}")
                raise
            outcome.retry = _settle(ctx, seller, marketplace, work, results, outcome.counts)
        if outcome.retry is not None:
            _note(ctx, batch_id, f"TransientError: {outcome.retry.message}")
            raise outcome.retry
        with writing(ctx.engine) as conn:
            final = _status_counts(conn, seller, marketplace, batch.skus)
            conn.execute(
                sa.update(SyncBatch)
                .where(SyncBatch.id == batch_id)
                .values(state=BatchState.DONE, counts=final, error=None, updated_at=utcnow())
            )
            finish_if_done(conn, batch.run_id)
        outcome.finished = True
        return outcome


def _status_counts(conn: sa.Connection, seller: str, marketplace: str, skus: Sequence[str]) -> dict[str, int]:
    """The batch's listings by status, over every delivery of the batch."""
    rows = conn.execute(
        sa.select(Listing.status, sa.func.count())
        .where(Listing.seller_id == seller, Listing.marketplace == marketplace, Listing.sku.in_(list(skus)))
        .group_by(Listing.status)
    )
    return {str(status): int(n) for status, n in rows}


def _prepare(
    ctx: Context,
    seller: str,
    marketplace: str,
    skus: Sequence[str],
    held: set[str],
    digests: Mapping[str, str],
) -> tuple[list[Work], Counter[str], dict[str, PermanentError]]:
    """Each SKU's changes on the current state (product hashes folded with the account's settings
    `digests`, which is what gets recorded as pushed); SKUs already up to date are counted as unchanged,
    SKUs the check stage held (see `workers.checks`) as held."""
    with ctx.engine.connect() as conn:
        products = product_states(conn, seller, skus, digests, marketplace)
        listings = listing_states(conn, seller, marketplace, skus)
        data = product_data(conn, seller, skus)
    work: list[Work] = []
    counts: Counter[str] = Counter()
    refused: dict[str, PermanentError] = {}
    for sku in skus:
        if sku in held:
            counts["held"] += 1
            continue
        product, listing = products.get(sku), listings.get(sku)
        actions = decide(marketplace, product, listing, data.get(sku))
        if not actions:
            counts["unchanged"] += 1
            continue
        try:
            item = CatalogProduct.model_validate(data[sku]) if Action.END not in actions else None
        except ValidationError:
            refused[sku] = PermanentError(
                "INVALID_PRODUCT", f"SKU {sku}: the stored product no longer validates"
            )
            counts["error"] += 1
            continue
        ids = {k: str(v) for k, v in (listing.remote_ids if listing else {}).items()}
        changes = [Change(a, sku, item, ids) for a in actions]
        work.append(Work(sku, changes, dict(product.hashes) if product is not None else {}))
    return work, counts, refused


def _mark_submitted(ctx: Context, seller: str, marketplace: str, skus: Sequence[str]) -> None:
    with writing(ctx.engine) as conn:
        conn.execute(
            sa.update(Listing)
            .where(
                Listing.seller_id == seller, Listing.marketplace == marketplace, Listing.sku.in_(list(skus))
            )
            .values(status=ListingStatus.SUBMITTED, attempts=Listing.attempts + 1, updated_at=utcnow())
        )


def _settle(
    ctx: Context,
    seller: str,
    marketplace: str,
    work: Sequence[Work],
    results: Sequence[SkuResult],
    counts: Counter[str],
) -> TransientError | None:
    """Record every SKU the connector settled; return a transient error when some are left to retry."""
    by_sku: dict[str, list[SkuResult]] = {}
    for result in results:
        by_sku.setdefault(result.sku, []).append(result)
    done: dict[str, tuple[ListingStatus, dict[str, Any], dict[str, str]]] = {}
    errors: dict[str, PermanentError] = {}
    retry: TransientError | None = None
    for w in work:
        mine = by_sku.get(w.sku, [])
        transient = [r.error for r in mine if isinstance(r.error, TransientError)]
        if transient or len(mine) < len(w.changes):
            retry = _later(retry, transient[0] if transient else TransientError("no answer for a SKU"))
            continue
        failed = next((r.error for r in mine if r.error is not None), None)
        if failed is not None:
            errors[w.sku] = failed if isinstance(failed, PermanentError) else _as_permanent(failed)
            continue
        ids: dict[str, str] = {}
        for r in mine:
            ids.update({k: str(v) for k, v in r.ids.items() if v})
        if w.changes[0].action is Action.END:
            done[w.sku] = (ListingStatus.ENDED, ids, {})
        else:
            done[w.sku] = (ListingStatus.LIVE, ids, w.hashes)
    hashes = {w.sku: w.hashes for w in work}
    _record(ctx, seller, marketplace, done, errors, hashes)
    counts.update(str(status) for status, _, _ in done.values())
    counts["error"] += len(errors)
    return retry


def _later(current: TransientError | None, new: TransientError) -> TransientError:
    if current is None or (new.retry_after or 0) > (current.retry_after or 0):
        return new
    return current


def _as_permanent(error: ConnectorError) -> PermanentError:
    return PermanentError("ERROR", error.message)


def _record(
    ctx: Context,
    seller: str,
    marketplace: str,
    done: dict[str, tuple[ListingStatus, dict[str, Any], dict[str, str]]],
    errors: dict[str, PermanentError],
    hashes: dict[str, dict[str, str]],
) -> None:
    """Write outcomes. An error keeps the hashes it was tried with, so an unchanged product is not retried
    (the seller must change something first); an ended listing forgets its hashes, so it can come back."""
    now = utcnow()
    where = sa.and_(
        Listing.seller_id == seller, Listing.marketplace == marketplace, Listing.sku == sa.bindparam("b_sku")
    )
    with writing(ctx.engine) as conn:
        if done:
            existing = {
                sku: ids or {}
                for sku, ids in conn.execute(
                    sa.select(Listing.sku, Listing.remote_ids).where(
                        Listing.seller_id == seller,
                        Listing.marketplace == marketplace,
                        Listing.sku.in_(list(done)),
                    )
                )
            }
            conn.execute(
                sa.update(Listing).where(where),
                [
                    {
                        "b_sku": sku,
                        "status": status,
                        "remote_ids": {**existing.get(sku, {}), **ids},
                        "pushed_hashes": pushed,
                        "last_error_code": None,
                        "last_error_message": None,
                        "last_error_field": None,
                        "updated_at": now,
                    }
                    for sku, (status, ids, pushed) in done.items()
                ],
            )
        if errors:
            conn.execute(
                sa.update(Listing).where(where),
                [
                    {
                        "b_sku": sku,
                        "status": ListingStatus.ERROR,
                        "pushed_hashes": hashes.get(sku, {}),
                        "last_error_code": err.code[:100],
                        "last_error_message": err.plain,
                        "last_error_field": (err.field or None) and err.field[:200],
                        "updated_at": now,
                    }
                    for sku, err in errors.items()
                ],
            )


def _note(ctx: Context, batch_id: int, error: str) -> None:
    """Keep the latest failure on the batch; the delivery reported back, so it did not stall."""
    with writing(ctx.engine) as conn:
        conn.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.id == batch_id)
            .values(error=error[:2000], attempts=0, updated_at=utcnow())
        )


def _split(ctx: Context, batch: Any, skus: Sequence[str], exc: TransientError) -> list[int]:
    """Hand the batch's unsettled SKUs to two new batches of the same run, lane and marketplace."""
    half = (len(skus) + 1) // 2
    now = utcnow()
    with writing(ctx.engine) as conn:
        top = conn.execute(
            sa.select(sa.func.max(SyncBatch.seq)).where(
                SyncBatch.run_id == batch.run_id,
                SyncBatch.marketplace == batch.marketplace,
                SyncBatch.lane == batch.lane,
            )
        ).scalar_one()
        ids = []
        for n, part in enumerate((skus[:half], skus[half:])):
            ids.append(
                conn.execute(
                    sa.insert(SyncBatch)
                    .values(
                        run_id=batch.run_id,
                        seller_id=batch.seller_id,
                        marketplace=batch.marketplace,
                        lane=batch.lane,
                        seq=top + 1 + n,
                        skus=list(part),
                        state=BatchState.QUEUED,
                        attempts=0,
                        counts={},
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(SyncBatch.id)
                ).scalar_one()
            )
        conn.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.id == batch.id)
            .values(state=BatchState.SPLIT, error=f"split after: {exc.message}"[:2000], updated_at=now)
        )
    return ids


def give_up(ctx: Context, batch_id: int, reason: str) -> None:
    """Fail a batch that will not be retried (retries exhausted, or an error retrying cannot fix)."""
    with ctx.engine.connect() as conn:
        batch = conn.execute(sa.select(SyncBatch).where(SyncBatch.id == batch_id)).one_or_none()
    if batch is not None and batch.state in (BatchState.QUEUED, BatchState.RUNNING):
        _fail(ctx, batch, reason)


def _fail(ctx: Context, batch: Any, reason: str) -> Outcome:
    logger.warning("batch %s of run %s failed: %s", batch.id, batch.run_id, reason)
    with writing(ctx.engine) as conn:
        conn.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.id == batch.id)
            .values(state=BatchState.FAILED, error=reason[:2000], updated_at=utcnow())
        )
        finish_if_done(conn, batch.run_id)
    return Outcome(finished=True)


__all__ = ["MAX_STALLED", "ListingState", "Outcome", "ProductState", "give_up", "push_batch"]
