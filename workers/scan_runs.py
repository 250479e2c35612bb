"""Scans as records (`brand_scans`): opened once per key, run by the `scan_brand` actor, followed by the CLI.

A scan is opened under a key, `nightly:<brand id>:<date>` for the scheduler's (so replicas open one a night)
or `now:<random>` for one asked for; running it again once it is done does nothing. While it runs its summary
holds the progress so far, written at most every `PROGRESS_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from workers.context import Context, writing
from workers.scans import ScanSummary, brand_info, scan_brand
from workers.store.brand_models import BrandScan, ScanStatus
from workers.store.db import utcnow

SCANS = cast(sa.Table, BrandScan.__table__)
PROGRESS_SECONDS = 0.5


def nightly_scan_key(brand_id: int, night: dt.date) -> str:
    return f"nightly:{brand_id}:{night.isoformat()}"


def open_scan(
    conn: Connection, brand: str | int, marketplaces: Iterable[str] = (), *, key: str | None = None
) -> tuple[int, bool]:
    """The scan under `key` (a new key when None): (its id, whether this call opened it)."""
    info = brand_info(conn, brand)
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(SCANS)
    values = {
        "brand_id": info.id,
        "scan_key": key or f"now:{uuid.uuid4().hex}",
        "marketplaces": list(marketplaces),
        "status": ScanStatus.QUEUED,
        "summary": {},
        "created_at": utcnow(),
    }
    opened = conn.execute(
        insert.values(values).on_conflict_do_nothing(index_elements=["scan_key"]).returning(SCANS.c.id)
    ).scalar_one_or_none()
    if opened is not None:
        return int(opened), True
    return int(
        conn.execute(sa.select(SCANS.c.id).where(SCANS.c.scan_key == values["scan_key"])).scalar_one()
    ), False


def scan_state(conn: Connection, scan_id: int) -> dict[str, Any]:
    """The scan's status, brand, summary (progress while it runs) and error."""
    row = conn.execute(sa.select(SCANS).where(SCANS.c.id == scan_id)).one_or_none()
    if row is None:
        raise LookupError(f"no scan {scan_id}")
    return {
        "scan": row.id,
        "key": row.scan_key,
        "status": str(row.status),
        "summary": dict(row.summary or {}),
        "error": row.error,
        "created_at": row.created_at.isoformat(),
        "finished_at": None if row.finished_at is None else row.finished_at.isoformat(),
    }


def _update(ctx: Context, scan_id: int, **values: Any) -> None:
    with writing(ctx.engine) as conn:
        conn.execute(sa.update(SCANS).where(SCANS.c.id == scan_id).values(**values))


def run_scan(ctx: Context, scan_id: int) -> ScanSummary | None:
    """Run the scan once: None when it is done already (a redelivered message). An error that stops the
    whole scan marks it failed and is raised for the caller to retry or give up."""
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.select(SCANS).where(SCANS.c.id == scan_id)).one_or_none()
    if row is None or row.status == ScanStatus.DONE:
        return None
    _update(ctx, scan_id, status=ScanStatus.RUNNING, started_at=utcnow(), error=None)
    last = [0.0]

    def progress(summary: ScanSummary) -> None:
        if time.monotonic() - last[0] >= PROGRESS_SECONDS:
            last[0] = time.monotonic()
            _update(ctx, scan_id, summary=summary.to_json())

    try:
        summary = scan_brand(ctx, row.brand_id, list(row.marketplaces or []), progress=progress)
    except Exception as exc:
        _update(ctx, scan_id, status=ScanStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    everything_failed = bool(summary.marketplaces) and len(summary.failed) == len(summary.marketplaces)
    _update(
        ctx,
        scan_id,
        status=ScanStatus.FAILED if everything_failed else ScanStatus.DONE,
        summary=summary.to_json(),
        error="every marketplace failed" if everything_failed else None,
        finished_at=utcnow(),
    )
    return summary
