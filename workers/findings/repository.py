"""Findings in the store: record one, move it through its states, list them. Callers own the transaction.

Dismissing a finding adds its seller to `authorized_sellers` on that marketplace, by the marketplace's
seller id when the search gave one, else by the seller name it shows: the brand owner has said the listing
is genuine, so that seller's listings there raise nothing again (and the brand index reloads). The dismissed
finding itself stays, keeping the listing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from connectors.search import FoundListing
from workers.brands import BrandError, BrandInfo, get_brand, list_brands
from workers.brands.persisted import begin_change
from workers.findings.errors import EvidenceError, TransitionError, UnknownBrandError, UnknownFindingError
from workers.findings.evidence import ImageMatch, assess
from workers.store.brand_models import AuthorizedSeller, Brand, Finding, FindingState
from workers.store.db import utcnow
from workers.store.models import Marketplace

F = cast(sa.Table, Finding.__table__)
NEW, ALERTED, CONFIRMED, DISMISSED = (
    FindingState.NEW,
    FindingState.ALERTED,
    FindingState.CONFIRMED,
    FindingState.DISMISSED,
)
ALLOWED = {
    NEW: {ALERTED, CONFIRMED, DISMISSED},
    ALERTED: {CONFIRMED, DISMISSED},
    CONFIRMED: set(),
    DISMISSED: set(),
}


@dataclass(frozen=True)
class Recorded:
    """What recording did: `created`, `changed` (material change, to alert again), or neither."""

    finding_id: int | None
    created: bool = False
    changed: bool = False
    allowed_seller: bool = False

    @property
    def to_alert(self) -> bool:
        return self.created or self.changed


@dataclass(frozen=True)
class FindingRow:
    id: int
    brand: str
    marketplace: str
    listing_id: str
    seller: str
    state: str
    score: float
    evidence: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "brand": self.brand,
            "marketplace": self.marketplace,
            "listing_id": self.listing_id,
            "seller": self.seller,
            "state": self.state,
            "score": self.score,
            "url": self.evidence.get("url"),
            "title": self.evidence.get("title"),
            "reasons": self.evidence.get("reasons", []),
            "evidence": self.evidence,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _brand(conn: Connection, brand: str | int) -> BrandInfo:
    if isinstance(brand, int):
        found = list_brands(conn, ids=[brand])
        if not found:
            raise UnknownBrandError(brand)
        return found[0]
    try:
        return get_brand(conn, brand)
    except BrandError:
        raise UnknownBrandError(brand) from None


def seller_is_allowed(info: BrandInfo, marketplace: str, seller: str, seller_id: str | None) -> bool:
    """True when the brand authorizes this seller, by display name or by marketplace seller id."""
    return info.authorizes(seller, marketplace) or bool(seller_id and info.authorizes(seller_id, marketplace))


def _check_listing(listing: FoundListing) -> None:
    if listing.marketplace not in Marketplace.__members__.values():
        raise EvidenceError(listing.listing_id, "marketplace", f"unknown marketplace {listing.marketplace!r}")
    for name in ("listing_id", "seller", "url"):
        if not str(getattr(listing, name)).strip():
            raise EvidenceError(listing.listing_id or "?", name, "is empty")


def record_finding(conn: Connection, brand: str | int, listing: FoundListing, match: ImageMatch) -> Recorded:
    """Record (or refresh) the finding for this brand and listing.

    An authorized seller raises nothing; a dismissed finding stays dismissed; an unchanged listing changes
    nothing; a materially changed one (image, title, price, seller) gets the new evidence and goes back to
    `new` so that it is alerted again (a confirmed one keeps its state and takes the new evidence).
    """
    _check_listing(listing)
    row = _brand(conn, brand)
    if seller_is_allowed(row, listing.marketplace, listing.seller, listing.ids.get("seller_id")):
        return Recorded(None, allowed_seller=True)
    found = assess(
        listing,
        match,
        brand_names=[row.name, *row.aliases],
        floor=row.price_floor,
        floor_currency=row.currency,
    )
    key = (
        F.c.brand_id == row.id,
        F.c.marketplace == listing.marketplace,
        F.c.listing_id == listing.listing_id,
    )
    existing = conn.execute(sa.select(F.c.id, F.c.state, F.c.evidence).where(*key)).one_or_none()
    now = utcnow()
    if existing is None:
        values = {
            "brand_id": row.id,
            "marketplace": listing.marketplace,
            "listing_id": listing.listing_id,
            "seller": listing.seller,
            "state": NEW,
            "evidence": found.evidence,
            "score": found.score,
            "created_at": now,
            "updated_at": now,
        }
        # Two workers finding the same listing at once: the second insert does nothing and alerts nothing.
        insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(F)
        finding_id = conn.execute(
            insert.values(values)
            .on_conflict_do_nothing(index_elements=["brand_id", "marketplace", "listing_id"])
            .returning(F.c.id)
        ).scalar_one_or_none()
        if finding_id is None:
            return Recorded(conn.execute(sa.select(F.c.id).where(*key)).scalar_one())
        return Recorded(finding_id, created=True)
    if existing.state == DISMISSED or existing.evidence.get("material_hash") == found.material_hash:
        return Recorded(existing.id)
    state = CONFIRMED if existing.state == CONFIRMED else NEW
    conn.execute(
        sa.update(F)
        .where(F.c.id == existing.id)
        .values(
            seller=listing.seller, evidence=found.evidence, score=found.score, state=state, updated_at=now
        )
    )
    return Recorded(existing.id, changed=state == NEW)


def get_finding(conn: Connection, finding_id: int) -> FindingRow:
    rows = _select(conn, F.c.id == finding_id)
    if not rows:
        raise UnknownFindingError(finding_id)
    return rows[0]


def list_findings(conn: Connection, brand: str | None = None, state: str | None = None) -> list[FindingRow]:
    """Findings, newest first, optionally of one brand and in one state."""
    where = []
    if brand is not None:
        where.append(F.c.brand_id == _brand(conn, brand).id)
    if state is not None:
        where.append(F.c.state == FindingState(state))
    return _select(conn, *where)


def _select(conn: Connection, *where: Any) -> list[FindingRow]:
    query = (
        sa.select(F, Brand.name.label("brand"))
        .join(Brand.__table__, Brand.id == F.c.brand_id)
        .where(*where)
        .order_by(F.c.created_at.desc(), F.c.id.desc())
    )
    return [
        FindingRow(
            r.id,
            r.brand,
            str(r.marketplace),
            r.listing_id,
            r.seller,
            str(r.state),
            r.score,
            r.evidence,
            r.created_at,
            r.updated_at,
        )
        for r in conn.execute(query)
    ]


def transition(conn: Connection, finding_id: int, wanted: FindingState) -> bool:
    """Move a finding to `wanted`; False if it is there already (idempotent); `TransitionError` if refused."""
    current = conn.execute(
        sa.select(F.c.state).where(F.c.id == finding_id).with_for_update()
    ).scalar_one_or_none()
    if current is None:
        raise UnknownFindingError(finding_id)
    if current == wanted:
        return False
    if wanted not in ALLOWED[FindingState(current)]:
        raise TransitionError(finding_id, str(current), str(wanted))
    conn.execute(sa.update(F).where(F.c.id == finding_id).values(state=wanted, updated_at=utcnow()))
    return True


def confirm(conn: Connection, finding_id: int) -> bool:
    """The brand owner says it is a counterfeit: it goes to the export for a bulk IP complaint."""
    return transition(conn, finding_id, CONFIRMED)


def dismiss(conn: Connection, finding_id: int) -> bool:
    """The brand owner says it is genuine: the seller joins the brand's allowlist on that marketplace."""
    changed = transition(conn, finding_id, DISMISSED)
    if changed:
        row = get_finding(conn, finding_id)
        brand_id = conn.execute(sa.select(F.c.brand_id).where(F.c.id == finding_id)).scalar_one()
        seller_id = row.evidence.get("seller_id")
        if not seller_is_allowed(_brand(conn, brand_id), row.marketplace, row.seller, seller_id):
            begin_change(conn)  # who is authorized changed: every worker reloads the brand index
            conn.execute(
                sa.insert(AuthorizedSeller).values(
                    brand_id=brand_id,
                    marketplace_seller_id=seller_id or row.seller,
                    marketplace=row.marketplace,
                )
            )
    return changed


def mark_alerted(conn: Connection, finding_id: int) -> None:
    """A new finding whose e-mail went out becomes `alerted`; other states are left as they are."""
    conn.execute(
        sa.update(F).where(F.c.id == finding_id, F.c.state == NEW).values(state=ALERTED, updated_at=utcnow())
    )
