"""Tables for registered brands, their official images, suspected counterfeits (findings) and alerts."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workers.store.db import utcnow
from workers.store.models import Base, Marketplace, str_enum
from workers.values import BrandPolicy, FindingState


def brand_fk() -> sa.ForeignKey:
    return sa.ForeignKey("brands.id", ondelete="CASCADE")


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = (
        sa.CheckConstraint(
            "(price_floor IS NULL) = (price_floor_currency IS NULL)", name="price_floor_has_currency"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    policy: Mapped[BrandPolicy] = mapped_column(
        str_enum(BrandPolicy, "brand_policy"), default=BrandPolicy.FLAG
    )
    price_floor: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(18, 4))
    price_floor_currency: Mapped[str | None] = mapped_column(sa.String(3))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BrandAlias(Base):
    """Another name or mark of a brand, looked for in listing titles."""

    __tablename__ = "brand_aliases"
    __table_args__ = (sa.UniqueConstraint("brand_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(brand_fk())
    alias: Mapped[str] = mapped_column(sa.String(200))


class BrandContact(Base):
    __tablename__ = "brand_contacts"
    __table_args__ = (sa.UniqueConstraint("brand_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(brand_fk())
    email: Mapped[str] = mapped_column(sa.String(320))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # True: this contact gets one daily digest of new findings instead of an e-mail per finding.
    digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class AuthorizedSeller(Base):
    """A seller the brand allows, by display name or marketplace seller id, on one or every marketplace."""

    __tablename__ = "authorized_sellers"
    __table_args__ = (
        sa.CheckConstraint(
            "seller_name IS NOT NULL OR marketplace_seller_id IS NOT NULL", name="names_a_seller"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(brand_fk(), index=True)
    seller_name: Mapped[str | None] = mapped_column(sa.String(200))
    marketplace_seller_id: Mapped[str | None] = mapped_column(sa.String(200))
    marketplace: Mapped[Marketplace | None] = mapped_column(str_enum(Marketplace, "marketplace"))


class BrandImage(Base):
    """An official image, stored once per brand by content hash, with its fingerprints."""

    __tablename__ = "brand_images"
    __table_args__ = (sa.UniqueConstraint("brand_id", "content_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(brand_fk())
    source: Mapped[str] = mapped_column(sa.String(2000))
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    fingerprints: Mapped[dict[str, Any]] = mapped_column(default=dict)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Finding(Base):
    """A suspected counterfeit: one marketplace listing against one brand, with its evidence."""

    __tablename__ = "findings"
    __table_args__ = (
        sa.UniqueConstraint("brand_id", "marketplace", "listing_id"),
        sa.Index(None, "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(brand_fk())
    marketplace: Mapped[Marketplace] = mapped_column(str_enum(Marketplace, "marketplace"))
    listing_id: Mapped[str] = mapped_column(sa.String(200))
    seller: Mapped[str] = mapped_column(sa.String(200))  # the listing's seller on the marketplace
    state: Mapped[FindingState] = mapped_column(
        str_enum(FindingState, "finding_state"), default=FindingState.NEW
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """An e-mail about a finding to one contact; unique per finding and contact, so none goes twice."""

    __tablename__ = "alerts"
    __table_args__ = (sa.UniqueConstraint("finding_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("brand_contacts.id", ondelete="CASCADE"))
    sent_at: Mapped[dt.datetime | None]
    failed_at: Mapped[dt.datetime | None]  # the server refused this recipient for good (e.g. 550)
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    message_id: Mapped[str | None] = mapped_column(sa.String(998))
    material_hash: Mapped[str] = mapped_column(sa.String(64))


class BrandIndexRow(Base):
    """The brand matcher every worker loads: one row, its generation bumped by every change to brands.

    `matcher` holds `BrandMatcher.to_bytes()` for the brand images as of `generation`; NULL means stale (to be
    rebuilt from `brand_images`). Workers poll `generation` and reload when it moved.
    """

    __tablename__ = "brand_index"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    matcher: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ScanStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BrandScan(Base):
    """One search of the marketplaces for copies of a brand's images; `scan_key` makes it happen once
    (`nightly:<brand id>:<date>` for the scheduler's, a random one for a scan asked for now)."""

    __tablename__ = "brand_scans"
    __table_args__ = (sa.Index(None, "brand_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(brand_fk())
    scan_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    marketplaces: Mapped[list[Any]] = mapped_column(default=list)  # empty: every one with a scan account
    status: Mapped[ScanStatus] = mapped_column(str_enum(ScanStatus, "scan_status"), default=ScanStatus.QUEUED)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)  # progress while running, then the totals
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class ScannedImage(Base):
    """A listing image a scan fetched: by URL, its content hash and fingerprints, so that a re-scan reuses
    them instead of fetching the image again."""

    __tablename__ = "scanned_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    url_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    url: Mapped[str] = mapped_column(sa.Text)
    content_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    fingerprints: Mapped[bytes] = mapped_column(sa.LargeBinary)
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
