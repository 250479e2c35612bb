"""Sync runs: open one (idempotent on a key), start it, and read its progress.

A run's scope (SKUs, marketplaces) is kept in `progress["scope"]`; its work is a set of `SyncBatch` rows
written by the planner, and the run is done when every batch is done (failed when one failed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from workers.store.db import utcnow
from workers.store.errors import StoreError, UnknownSellerError
from workers.store.models import BatchState, RunKind, RunStatus, Seller, SyncBatch, SyncRun, new_run_id

MARKETPLACES = ("amazon", "ebay", "tmall")


class RunError(StoreError):
    """A run cannot be opened or found as asked."""


def open_run(
    conn: Connection,
    seller_id: str,
    *,
    kind: RunKind | str,
    skus: Iterable[str] | None = None,
    marketplaces: Iterable[str] | None = None,
    idempotency_key: str | None = None,
) -> str:
    """Record a queued run and return its id; a second call with the same `idempotency_key` returns the
    first run's id and records nothing. `skus` / `marketplaces` None mean all."""
    kind = RunKind(kind)
    chosen = sorted(set(marketplaces)) if marketplaces is not None else None
    unknown = [m for m in chosen or () if m not in MARKETPLACES]
    if unknown:
        raise RunError(f"unknown marketplace {unknown[0]!r}: expected one of {', '.join(MARKETPLACES)}")
    if idempotency_key is not None and (found := _by_key(conn, idempotency_key)) is not None:
        return found
    if conn.execute(sa.select(Seller.id).where(Seller.id == seller_id)).first() is None:
        raise UnknownSellerError(seller_id)
    scope = {"skus": sorted(set(skus)) if skus is not None else None, "marketplaces": chosen}
    run = {
        "id": new_run_id(),
        "seller_id": seller_id,
        "kind": kind,
        "status": RunStatus.QUEUED,
        "progress": {"scope": scope},
        "idempotency_key": idempotency_key,
        "created_at": utcnow(),
    }
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(SyncRun).values(**run))
    except IntegrityError:
        if idempotency_key is None or (found := _by_key(conn, idempotency_key)) is None:
            raise
        return found  # another process opened it first
    return str(run["id"])


def _by_key(conn: Connection, key: str) -> str | None:
    return conn.execute(sa.select(SyncRun.id).where(SyncRun.idempotency_key == key)).scalar_one_or_none()


def start_run(run_id: str) -> None:
    """Enqueue the run's planning message on the global broker (see `workers.broker.setup_broker`)."""
    from workers.broker import current_broker

    current_broker()  # a clear error when the broker was never set up
    from workers import actors

    actors.plan.send(run_id)


def run_scope(conn: Connection, run_id: str) -> tuple[Any, list[str] | None, list[str] | None]:
    run = conn.execute(sa.select(SyncRun).where(SyncRun.id == run_id)).one_or_none()
    if run is None:
        raise RunError(f"no sync run {run_id!r}")
    scope = (run.progress or {}).get("scope") or {}
    return run, scope.get("skus"), scope.get("marketplaces")


def run_progress(conn: Connection, run_id: str) -> dict[str, Any]:
    """Status (queued, running, done, failed) and, per marketplace, batches and SKUs by outcome."""
    run = conn.execute(sa.select(SyncRun).where(SyncRun.id == run_id)).one_or_none()
    if run is None:
        raise RunError(f"no sync run {run_id!r}")
    per: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        sa.select(SyncBatch.marketplace, SyncBatch.state, SyncBatch.skus, SyncBatch.counts).where(
            SyncBatch.run_id == run_id
        )
    )
    for marketplace, state, skus, counts in rows:
        if state is BatchState.SPLIT:
            continue  # its SKUs are counted in the batches it was split into
        m = per.setdefault(
            str(marketplace),
            {
                "batches": 0,
                "batches_done": 0,
                "batches_failed": 0,
                "skus": 0,
                "live": 0,
                "ended": 0,
                "error": 0,
                "held": 0,
            },
        )
        m["batches"] += 1
        m["batches_done"] += state is BatchState.DONE
        m["batches_failed"] += state is BatchState.FAILED
        m["skus"] += len(skus)
        for key in ("live", "ended", "error", "held", "unchanged"):
            if counts.get(key):
                m[key] = m.get(key, 0) + int(counts[key])
    return {
        "run_id": run.id,
        "seller_id": run.seller_id,
        "kind": str(run.kind),
        "status": str(run.status),
        "error": run.error,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "marketplaces": per,
    }


def mark_running(conn: Connection, run_id: str) -> None:
    conn.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == RunStatus.QUEUED)
        .values(status=RunStatus.RUNNING, started_at=utcnow())
    )


def finish_if_done(conn: Connection, run_id: str) -> RunStatus | None:
    """Close the run when no batch is left to do: done, or failed when a batch failed. Returns the status
    it set, or None while work remains (or when it was already closed).

    The run's row is locked first: two batches settling at once on PostgreSQL would otherwise each see the
    other still running (neither committed yet) and leave the run open for ever.
    """
    conn.execute(sa.select(SyncRun.id).where(SyncRun.id == run_id).with_for_update())
    states = dict(
        conn.execute(
            sa.select(SyncBatch.state, sa.func.count())
            .where(SyncBatch.run_id == run_id)
            .group_by(SyncBatch.state)
        ).all()
    )
    if states.get(BatchState.QUEUED) or states.get(BatchState.RUNNING):
        return None
    failed = states.get(BatchState.FAILED, 0)
    status = RunStatus.FAILED if failed else RunStatus.DONE
    error = f"{failed} batch(es) failed; see the listings' errors" if failed else None
    closed = conn.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
        .values(status=status, error=error, finished_at=utcnow())
    )
    return status if closed.rowcount else None


def fail_run(conn: Connection, run_id: str, reason: str) -> None:
    conn.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
        .values(status=RunStatus.FAILED, error=reason, finished_at=utcnow())
    )
