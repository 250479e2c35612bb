"""Tables for sellers, their catalogue, listings and sync runs (brands and findings are in `brand_models`).

Every table known now is created by the first migration; later work adds columns through new migrations.
Change a model here and add a migration beside it: a test checks that the two agree.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workers.store.db import JSONType, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


def str_enum(cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A portable enum column: a short string plus a CHECK constraint, easy to extend in a migration."""
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Marketplace(enum.StrEnum):
    AMAZON = "amazon"
    EBAY = "ebay"
    TMALL = "tmall"


class ListingStatus(enum.StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    LIVE = "live"
    ERROR = "error"
    ENDED = "ended"
    HELD = "held"  # kept back by a brand's `hold` policy: the reason is in last_error_*


class RunKind(enum.StrEnum):
    WEBHOOK = "webhook"
    MANUAL = "manual"
    NIGHTLY = "nightly"


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def seller_fk() -> sa.ForeignKey:
    return sa.ForeignKey("sellers.id", ondelete="CASCADE")


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))  # an IANA zone, checked with zoneinfo on the way in
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookSecret(Base):
    """A Standard Webhooks signing secret (`whsec_...`), kept readable to verify signatures.

    Two may be active at once while a seller rotates from the old one to the new one.
    """

    __tablename__ = "webhook_secrets"
    __table_args__ = (sa.Index(None, "seller_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk())
    secret: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """An API key, stored as its SHA-256 only; `prefix` is its first characters, for display."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk(), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class Product(Base):
    """A product in a seller's catalogue: its shared-schema JSON plus one hash per field group.

    The unique (seller_id, sku) index also serves every "products of a seller" query.
    """

    __tablename__ = "products"
    __table_args__ = (sa.UniqueConstraint("seller_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk())
    sku: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(sa.String(128))
    price_hash: Mapped[str] = mapped_column(sa.String(128))
    quantity_hash: Mapped[str] = mapped_column(sa.String(128))
    images_hash: Mapped[str] = mapped_column(sa.String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None]


class MarketplaceAccount(Base):
    """A seller's account on one marketplace; credentials are Fernet-encrypted with the secret key."""

    __tablename__ = "marketplace_accounts"
    __table_args__ = (sa.UniqueConstraint("seller_id", "marketplace"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk())
    marketplace: Mapped[Marketplace] = mapped_column(str_enum(Marketplace, "marketplace"))
    endpoint: Mapped[str] = mapped_column(sa.String(500))
    marketplace_ids: Mapped[list[Any]] = mapped_column(default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credentials_encrypted: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: the brand index generation the live listings were last rechecked against (`workers.checks.recheck`)
    rechecked_generation: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Listing(Base):
    """One SKU on one marketplace: what was last pushed (hashes per field group) and how it went."""

    __tablename__ = "listings"
    __table_args__ = (
        sa.UniqueConstraint("seller_id", "marketplace", "sku"),
        sa.Index(None, "seller_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk())
    marketplace: Mapped[Marketplace] = mapped_column(str_enum(Marketplace, "marketplace"))
    sku: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[ListingStatus] = mapped_column(
        str_enum(ListingStatus, "listing_status"), default=ListingStatus.PENDING
    )
    remote_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pushed_hashes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error_code: Mapped[str | None] = mapped_column(sa.String(100))
    last_error_message: Mapped[str | None] = mapped_column(sa.Text)
    last_error_field: Mapped[str | None] = mapped_column(sa.String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def new_run_id() -> str:
    return uuid.uuid4().hex


class SyncRun(Base):
    """One pass of pushing a seller's catalogue; `idempotency_key` stops a trigger opening two runs."""

    __tablename__ = "sync_runs"
    __table_args__ = (sa.Index(None, "seller_id", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_run_id)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk())
    kind: Mapped[RunKind] = mapped_column(str_enum(RunKind, "run_kind"))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, "run_status"), default=RunStatus.QUEUED)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)


class BatchState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SPLIT = "split"  # handed on, in two halves, to two new batches


class SyncBatch(Base):
    """One push message's work: some SKUs of a run for one marketplace, on the first lane or the main one.

    `attempts` counts deliveries (kept here, not in the message, so it survives a worker killed mid-push);
    `counts` holds the outcome per listing status, `error` why the batch failed.
    """

    __tablename__ = "sync_batches"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "marketplace", "lane", "seq"),
        sa.Index(None, "run_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("sync_runs.id", ondelete="CASCADE"))
    seller_id: Mapped[str] = mapped_column(sa.String(64))
    marketplace: Mapped[Marketplace] = mapped_column(str_enum(Marketplace, "marketplace"))
    lane: Mapped[str] = mapped_column(sa.String(10))
    seq: Mapped[int]
    skus: Mapped[list[Any]]
    state: Mapped[BatchState] = mapped_column(str_enum(BatchState, "batch_state"), default=BatchState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: what the counterfeit check decided (`{"held": [...], "failed": [...]}`); NULL when it did not run
    checks: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ImageCheck(Base):
    """A listing image checked against the brands, so an unchanged image is never fetched or matched again.

    Keyed by the SHA-256 of the full URL (`url` keeps it without credentials or query, for display); the
    image's content hash finds the fingerprints of the same bytes under another URL. `matches` are the brand
    matches as of index `generation`: when brands change, they are matched again from `fingerprints`.
    """

    __tablename__ = "image_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    content_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    fingerprints: Mapped[bytes] = mapped_column(sa.LargeBinary)
    generation: Mapped[int] = mapped_column(sa.BigInteger)
    matches: Mapped[list[Any]] = mapped_column(default=list)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """A webhook message already handled, with the answer given, so a redelivery is answered again."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.UniqueConstraint("seller_id", "webhook_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(sa.String(64), seller_fk())
    webhook_id: Mapped[str] = mapped_column(sa.String(200))
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
