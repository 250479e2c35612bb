"""Marketplace accounts in the store: credentials encrypted with Fernet, and ready connectors built from them.

`save_account` connects (or reconnects) a seller's account; `list_accounts` shows accounts without their
credentials; `Connectors` hands the sync engine a ready connector per (seller, marketplace), cached per
account (token auths cache their tokens, so a cached connector spares a token grant per batch) and rebuilt
when the stored account changes. Nothing here returns, logs or raises with a secret in it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import Connector
from connectors.http import DEFAULT_TIMEOUT, make_session
from connectors.registry import CREDENTIAL_FIELDS, DEFAULT_ENDPOINTS, DEFAULT_MARKETPLACE_IDS, build_connector
from workers.store.db import utcnow
from workers.store.errors import StoreError
from workers.store.models import MarketplaceAccount
from workers.store.sellers import get_seller

ACCOUNTS = MarketplaceAccount.__table__
KEY_HINT = (
    "set LISTING_SYNC_SECRET_KEY to a Fernet key, e.g. the output of "
    "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
)


class AccountError(StoreError):
    """An account that cannot be stored or used (bad input, no secret key, unreadable credentials)."""


class SecretKeyError(AccountError):
    """Credentials must be encrypted or decrypted, and the secret key is missing or not the one used."""


class UnknownAccountError(AccountError):
    """The seller has not connected this marketplace."""

    def __init__(self, seller_id: str, marketplace: str) -> None:
        super().__init__(
            f"seller {seller_id!r} has no {marketplace} account: connect it with "
            f"`listing-sync sellers connect {seller_id} {marketplace}`"
        )


@dataclass(frozen=True)
class Account:
    """A connected account as it may be shown: everything but the credentials (only their names)."""

    seller_id: str
    marketplace: str
    endpoint: str
    marketplace_ids: list[str]
    settings: dict[str, Any] = field(default_factory=dict)
    credential_names: list[str] = field(default_factory=list)
    updated_at: dt.datetime | None = None


def _fernet(secret_key: str | None) -> Fernet:
    if not secret_key:
        raise SecretKeyError(f"LISTING_SYNC_SECRET_KEY is not set; it is needed for credentials: {KEY_HINT}")
    try:
        return Fernet(secret_key)
    except (ValueError, TypeError):
        raise SecretKeyError(f"LISTING_SYNC_SECRET_KEY is not a Fernet key: {KEY_HINT}") from None


def _marketplace(name: str) -> str:
    if name not in CREDENTIAL_FIELDS:
        known = ", ".join(CREDENTIAL_FIELDS)
        raise AccountError(f"marketplace: expected one of {known}, got {name!r}")
    return name


def save_account(
    conn: Connection,
    seller_id: str,
    marketplace: str,
    *,
    credentials: Mapping[str, str],
    secret_key: str | None,
    endpoint: str | None = None,
    marketplace_ids: Sequence[str] = (),
    settings: Mapping[str, Any] | None = None,
) -> None:
    """Connect (or reconnect) a seller's account on `marketplace`; the credentials are stored encrypted.

    Only the marketplace's credential fields are kept (see `connectors.registry.CREDENTIAL_FIELDS`); every
    one of them must be given.
    """
    get_seller(conn, seller_id)
    _marketplace(marketplace)
    kept = {name: str(credentials.get(name) or "") for name in CREDENTIAL_FIELDS[marketplace]}
    missing = [name for name, value in kept.items() if not value]
    if missing:
        raise AccountError(f"credentials: {marketplace} needs {', '.join(missing)}")
    token = _fernet(secret_key).encrypt(json.dumps(kept, sort_keys=True).encode())
    now = utcnow()
    row = {
        "seller_id": seller_id,
        "marketplace": marketplace,
        "endpoint": (endpoint or DEFAULT_ENDPOINTS[marketplace]).rstrip("/"),
        "marketplace_ids": list(marketplace_ids) or DEFAULT_MARKETPLACE_IDS[marketplace],
        "settings": dict(settings or {}),
        "credentials_encrypted": token,
        "updated_at": now,
        "created_at": now,
    }
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(MarketplaceAccount).values(**row)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["seller_id", "marketplace"],
            set_={k: stmt.excluded[k] for k in row if k not in ("seller_id", "marketplace", "created_at")},
        )
    )


def connected_marketplaces(conn: Connection, seller_id: str) -> list[str]:
    rows = conn.execute(
        sa.select(MarketplaceAccount.marketplace).where(MarketplaceAccount.seller_id == seller_id)
    )
    return sorted(str(m) for (m,) in rows)


def list_accounts(conn: Connection, seller_id: str) -> list[Account]:
    """The seller's connected accounts, without credentials."""
    get_seller(conn, seller_id)
    rows = conn.execute(
        sa.select(ACCOUNTS).where(ACCOUNTS.c.seller_id == seller_id).order_by(ACCOUNTS.c.marketplace)
    )
    return [
        Account(
            seller_id=row.seller_id,
            marketplace=str(row.marketplace),
            endpoint=row.endpoint,
            marketplace_ids=list(row.marketplace_ids or []),
            settings=dict(row.settings or {}),
            credential_names=list(CREDENTIAL_FIELDS[str(row.marketplace)])
            if row.credentials_encrypted
            else [],
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def read_credentials(account: sa.Row[Any], secret_key: str | None) -> dict[str, str]:
    """The credentials of an account row, decrypted in memory."""
    try:
        return dict(json.loads(_fernet(secret_key).decrypt(account.credentials_encrypted or b"")))
    except (InvalidToken, ValueError):
        raise SecretKeyError(
            f"the stored {account.marketplace} credentials of seller {account.seller_id!r} cannot be read "
            "with this LISTING_SYNC_SECRET_KEY (was it changed?); reconnect the account or restore the key"
        ) from None


SessionFactory = Callable[[str, str, str], requests.Session]
"""(seller_id, marketplace, endpoint) -> the session the account's connector sends through."""


def plain_session(seller_id: str, marketplace: str, endpoint: str) -> requests.Session:
    return make_session()


class Connectors:
    """Ready connectors per (seller, marketplace), built from the stored accounts and cached."""

    def __init__(
        self,
        engine: Engine,
        secret_key: str | None,
        *,
        session_for: SessionFactory = plain_session,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.engine = engine
        self.secret_key = secret_key
        self.session_for = session_for
        self.timeout = timeout
        self._cache: dict[tuple[str, str], tuple[Any, Connector]] = {}
        self._lock = threading.Lock()

    def get(self, seller_id: str, marketplace: str) -> Connector:
        with self.engine.connect() as conn:
            account = conn.execute(
                sa.select(ACCOUNTS).where(
                    ACCOUNTS.c.seller_id == seller_id, ACCOUNTS.c.marketplace == marketplace
                )
            ).one_or_none()
        if account is None:
            raise UnknownAccountError(seller_id, marketplace)
        key = (seller_id, marketplace)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == account.updated_at:
                return cached[1]
        connector = build_connector(
            marketplace,
            endpoint=account.endpoint,
            marketplace_ids=account.marketplace_ids,
            settings=account.settings,
            credentials=read_credentials(account, self.secret_key),
            seller_id=seller_id,
            session=self.session_for(seller_id, marketplace, account.endpoint),
            timeout=self.timeout,
        )
        with self._lock:
            self._cache[key] = (account.updated_at, connector)
        return connector
