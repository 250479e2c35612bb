"""Sellers, their webhook signing secrets (kept readable) and their API keys (kept as hashes only)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from workers.store.db import utcnow
from workers.store.errors import InvalidValueError, SellerExistsError, UnknownSellerError
from workers.store.models import ApiKey, Seller, WebhookSecret
from workers.values import DEFAULT_TIMEZONE

SELLER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
API_KEY_PREFIX = "lsk_"


@dataclass(frozen=True)
class SellerInfo:
    id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class NewSeller:
    """What `add_seller` shows exactly once: the secret and the key are not shown again."""

    seller: SellerInfo
    webhook_secret: str
    api_key: str


def check_timezone(timezone: str) -> str:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(
            "timezone", f"expected an IANA time zone such as 'Europe/Berlin', got {timezone!r}"
        ) from None
    return timezone


def add_seller(
    conn: Connection, seller_id: str, *, name: str | None = None, timezone: str = DEFAULT_TIMEZONE
) -> NewSeller:
    """Register a seller with one active webhook secret and one API key."""
    if not SELLER_ID.fullmatch(seller_id):
        raise InvalidValueError(
            "seller",
            "expected 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit, "
            f"got {seller_id!r}",
        )
    check_timezone(timezone)
    name = (name or seller_id).strip() or seller_id
    if len(name) > 200:
        raise InvalidValueError("name", f"expected at most 200 characters, got {len(name)}")
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(Seller).values(id=seller_id, name=name, timezone=timezone))
    except IntegrityError:
        raise SellerExistsError(seller_id) from None
    secret = add_webhook_secret(conn, seller_id)
    api_key = add_api_key(conn, seller_id)
    return NewSeller(SellerInfo(seller_id, name, timezone), secret, api_key)


def get_seller(conn: Connection, seller_id: str) -> SellerInfo:
    row = conn.execute(
        sa.select(Seller.id, Seller.name, Seller.timezone).where(Seller.id == seller_id)
    ).one_or_none()
    if row is None:
        raise UnknownSellerError(seller_id)
    return SellerInfo(row.id, row.name, row.timezone)


def list_sellers(conn: Connection) -> list[SellerInfo]:
    rows = conn.execute(sa.select(Seller.id, Seller.name, Seller.timezone).order_by(Seller.id))
    return [SellerInfo(r.id, r.name, r.timezone) for r in rows]


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def add_webhook_secret(conn: Connection, seller_id: str) -> str:
    """Add an active secret beside the current ones (rotation); retire the old one later."""
    get_seller(conn, seller_id)
    secret = new_webhook_secret()
    conn.execute(sa.insert(WebhookSecret).values(seller_id=seller_id, secret=secret, active=True))
    return secret


def retire_webhook_secrets(conn: Connection, seller_id: str, *, keep: str) -> int:
    """Deactivate every active secret of the seller but `keep`; returns how many were retired."""
    result = conn.execute(
        sa.update(WebhookSecret)
        .where(WebhookSecret.seller_id == seller_id, WebhookSecret.active, WebhookSecret.secret != keep)
        .values(active=False)
    )
    return result.rowcount


def active_webhook_secrets(conn: Connection, seller_id: str) -> list[str]:
    """The secrets a signature may be made with, newest first."""
    rows = conn.execute(
        sa.select(WebhookSecret.secret)
        .where(WebhookSecret.seller_id == seller_id, WebhookSecret.active)
        .order_by(WebhookSecret.id.desc())
    )
    return list(rows.scalars())


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def add_api_key(conn: Connection, seller_id: str) -> str:
    """Make a new API key; only its hash and a short prefix are stored."""
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        sa.insert(ApiKey).values(seller_id=seller_id, key_hash=hash_api_key(api_key), prefix=api_key[:12])
    )
    return api_key


def seller_for_api_key(conn: Connection, api_key: str) -> str | None:
    """The seller an unrevoked API key belongs to, or None."""
    return conn.execute(
        sa.select(ApiKey.seller_id).where(
            ApiKey.key_hash == hash_api_key(api_key), ApiKey.revoked_at.is_(None)
        )
    ).scalar_one_or_none()


def revoke_api_key(conn: Connection, api_key: str) -> bool:
    result = conn.execute(
        sa.update(ApiKey)
        .where(ApiKey.key_hash == hash_api_key(api_key), ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount > 0
