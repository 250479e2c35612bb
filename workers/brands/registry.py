"""Registered brands: names and aliases, contact e-mails, authorised sellers, policy and price floor.

Functions take a `Connection`; the caller opens the transaction. A change to who is authorised bumps the
brand index's generation in the same transaction, so that every worker's `BrandIndex` picks it up.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.brands.errors import BrandExistsError, InvalidBrandError, UnknownBrandError
from workers.brands.persisted import begin_change
from workers.store.brand_models import (
    AuthorizedSeller,
    Brand,
    BrandAlias,
    BrandContact,
    BrandImage,
    BrandPolicy,
)
from workers.store.models import Marketplace

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
CURRENCY = re.compile(r"[A-Z]{3}")
MAX_NAME = 200
ID_PREFIX = "id:"


@dataclass(frozen=True)
class SellerRef:
    """A seller a brand authorises: by display name, or by seller id on one marketplace or on any.

    On the command line: `Acme Store` is a name, `ebay:acme_store` an id on eBay, `id:A1B2C3` an id anywhere.
    """

    name: str | None = None
    seller_id: str | None = None
    marketplace: Marketplace | None = None

    @classmethod
    def parse(cls, text: str, brand: str = "") -> SellerRef:
        text = text.strip()
        prefix, colon, rest = text.partition(":")
        if colon and prefix.lower() in {m.value for m in Marketplace}:
            return cls(
                seller_id=_clean(brand, "authorized seller", rest), marketplace=Marketplace(prefix.lower())
            )
        if text.lower().startswith(ID_PREFIX):
            return cls(seller_id=_clean(brand, "authorized seller", text[len(ID_PREFIX) :]))
        return cls(name=_clean(brand, "authorized seller", text))

    def allows(self, seller: str, marketplace: str | None = None) -> bool:
        """Whether `seller` (a display name or a marketplace seller id) is this one."""
        seller = seller.strip()
        if self.name is not None:
            return self.name.casefold() == seller.casefold()
        if self.marketplace is not None and marketplace is not None and self.marketplace != marketplace:
            return False
        return self.seller_id == seller

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        return f"{self.marketplace or 'id'}:{self.seller_id}"


@dataclass(frozen=True)
class BrandInfo:
    id: int
    name: str
    policy: BrandPolicy
    emails: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    authorized: tuple[SellerRef, ...] = ()
    price_floor: decimal.Decimal | None = None
    currency: str | None = None
    images: int = 0

    def authorizes(self, seller: str, marketplace: str | None = None) -> bool:
        return any(ref.allows(seller, marketplace) for ref in self.authorized)

    def to_json(self) -> dict[str, object]:
        return {
            "brand": self.name,
            "policy": self.policy.value,
            "emails": list(self.emails),
            "aliases": list(self.aliases),
            "authorized_sellers": [str(ref) for ref in self.authorized],
            "price_floor": None if self.price_floor is None else f"{self.price_floor.normalize():f}",
            "currency": self.currency,
            "images": self.images,
        }


@dataclass
class BrandChanges:
    """What `update_brand` adds, removes or sets; fields left empty or None are kept as they are."""

    add_emails: Iterable[str] = ()
    remove_emails: Iterable[str] = ()
    add_aliases: Iterable[str] = ()
    add_authorized: Iterable[str | SellerRef] = ()
    remove_authorized: Iterable[str | SellerRef] = ()
    policy: str | None = None
    price_floor: decimal.Decimal | str | None = None
    currency: str | None = None
    clear_price_floor: bool = field(default=False)


def _clean(brand: str, field_name: str, value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_NAME or not value.isprintable():
        raise InvalidBrandError(
            brand, field_name, f"expected 1-{MAX_NAME} printable characters, got {value[:MAX_NAME]!r}"
        )
    return value


def check_email(brand: str, email: str) -> str:
    """The address trimmed, its domain in lower case; raises when it is not one plain address."""
    email = email.strip()
    if len(email) > 320 or not EMAIL.fullmatch(email) or not email.isprintable():
        raise InvalidBrandError(
            brand, "email", f"expected an address such as owner@example.com, got {email!r}"
        )
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def check_policy(brand: str, policy: str) -> BrandPolicy:
    try:
        return BrandPolicy(policy.strip().lower())
    except ValueError:
        raise InvalidBrandError(brand, "policy", f"expected hold or flag, got {policy!r}") from None


def check_price_floor(
    brand: str, price_floor: decimal.Decimal | str | None, currency: str | None
) -> tuple[decimal.Decimal | None, str | None]:
    """A positive amount with at most 4 decimals and an ISO 4217 code, or neither."""
    if price_floor is None and currency is None:
        return None, None
    if price_floor is None or currency is None:
        raise InvalidBrandError(
            brand, "price_floor", "a price floor needs a currency and the other way round"
        )
    try:
        amount = decimal.Decimal(str(price_floor).strip())
    except decimal.InvalidOperation:
        raise InvalidBrandError(
            brand, "price_floor", f"expected an amount such as 19.99, got {price_floor!r}"
        ) from None
    exponent = amount.as_tuple().exponent
    if (
        not amount.is_finite()
        or amount <= 0
        or amount >= 10**14
        or (isinstance(exponent, int) and exponent < -4)
    ):
        raise InvalidBrandError(
            brand, "price_floor", f"expected a positive amount with at most 4 decimals, got {price_floor!r}"
        )
    code = currency.strip().upper()
    if not CURRENCY.fullmatch(code):
        raise InvalidBrandError(
            brand, "currency", f"expected a 3-letter ISO 4217 code such as USD, got {currency!r}"
        )
    return amount, code


def _seller_refs(brand: str, values: Iterable[str | SellerRef]) -> list[SellerRef]:
    refs: list[SellerRef] = []
    for value in values:
        ref = value if isinstance(value, SellerRef) else SellerRef.parse(value, brand)
        if ref not in refs:
            refs.append(ref)
    return refs


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def brand_id(conn: Connection, name: str) -> int:
    """The id of the brand called `name` (ignoring case)."""
    found = conn.execute(sa.select(Brand.id).where(sa.func.lower(Brand.name) == name.strip().lower())).first()
    if found is None:
        raise UnknownBrandError(name)
    return int(found.id)


def add_brand(
    conn: Connection,
    name: str,
    *,
    emails: Iterable[str],
    aliases: Iterable[str] = (),
    authorized: Iterable[str | SellerRef] = (),
    policy: str = BrandPolicy.FLAG.value,
    price_floor: decimal.Decimal | str | None = None,
    currency: str | None = None,
) -> BrandInfo:
    """Register a brand with at least one contact e-mail; every value is checked before any write."""
    name = _clean(name, "name", name)
    contacts = _unique(check_email(name, e) for e in emails)
    if not contacts:
        raise InvalidBrandError(name, "email", "at least one contact e-mail is needed")
    alias_list = [
        a for a in _unique(_clean(name, "alias", a) for a in aliases) if a.casefold() != name.casefold()
    ]
    refs = _seller_refs(name, authorized)
    chosen = check_policy(name, policy)
    amount, code = check_price_floor(name, price_floor, currency)
    begin_change(conn)  # first, so that SQLite takes the write lock before reading
    if conn.execute(sa.select(Brand.id).where(sa.func.lower(Brand.name) == name.lower())).first():
        raise BrandExistsError(name)
    new_id = conn.execute(
        sa.insert(Brand)
        .values(name=name, policy=chosen, price_floor=amount, price_floor_currency=code)
        .returning(Brand.id)
    ).scalar_one()
    _insert_details(conn, new_id, contacts, alias_list, refs)
    return get_brand(conn, name)


def _insert_details(
    conn: Connection, brand: int, emails: list[str], aliases: list[str], refs: list[SellerRef]
) -> None:
    if emails:
        conn.execute(sa.insert(BrandContact), [{"brand_id": brand, "email": e} for e in emails])
    if aliases:
        conn.execute(sa.insert(BrandAlias), [{"brand_id": brand, "alias": a} for a in aliases])
    if refs:
        conn.execute(
            sa.insert(AuthorizedSeller),
            [
                {
                    "brand_id": brand,
                    "seller_name": r.name,
                    "marketplace_seller_id": r.seller_id,
                    "marketplace": r.marketplace,
                }
                for r in refs
            ],
        )


def update_brand(conn: Connection, name: str, changes: BrandChanges) -> BrandInfo:
    """Apply `changes` to a brand; additions that are there already change nothing."""
    begin_change(conn)  # first, so that SQLite takes the write lock before reading
    current = get_brand(conn, name)
    name = current.name
    emails = [e for e in _unique(check_email(name, e) for e in changes.add_emails) if e not in current.emails]
    removed = {check_email(name, e) for e in changes.remove_emails}
    known_aliases = {a.casefold() for a in (*current.aliases, name)}
    aliases = [
        a
        for a in _unique(_clean(name, "alias", a) for a in changes.add_aliases)
        if a.casefold() not in known_aliases
    ]
    refs = [r for r in _seller_refs(name, changes.add_authorized) if r not in current.authorized]
    gone = [r for r in _seller_refs(name, changes.remove_authorized) if r in current.authorized]
    values: dict[str, object] = {}
    if changes.policy is not None:
        values["policy"] = check_policy(name, changes.policy)
    if changes.clear_price_floor:
        values.update(price_floor=None, price_floor_currency=None)
    elif changes.price_floor is not None or changes.currency is not None:
        values["price_floor"], values["price_floor_currency"] = check_price_floor(
            name, changes.price_floor, changes.currency
        )
    if not set(current.emails) - removed | set(emails):
        raise InvalidBrandError(name, "email", "a brand keeps at least one contact e-mail")
    if values:
        conn.execute(sa.update(Brand).where(Brand.id == current.id).values(**values))
    if removed:
        conn.execute(
            sa.delete(BrandContact).where(
                BrandContact.brand_id == current.id, BrandContact.email.in_(removed)
            )
        )
    for ref in gone:
        conn.execute(
            sa.delete(AuthorizedSeller).where(
                AuthorizedSeller.brand_id == current.id,
                _is(AuthorizedSeller.seller_name, ref.name),
                _is(AuthorizedSeller.marketplace_seller_id, ref.seller_id),
                _is(AuthorizedSeller.marketplace, ref.marketplace),
            )
        )
    _insert_details(conn, current.id, emails, aliases, refs)
    return get_brand(conn, name)


def _is(column: Any, value: object) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def get_brand(conn: Connection, name: str) -> BrandInfo:
    found = list_brands(conn, ids=[brand_id(conn, name)])
    return found[0]


def list_brands(conn: Connection, ids: Iterable[int] | None = None) -> list[BrandInfo]:
    """Every brand (or those with `ids`) by name, with contacts, aliases, authorised sellers, image count."""
    query = sa.select(Brand).order_by(Brand.name)
    if ids is not None:
        query = query.where(Brand.id.in_(list(ids)))
    brands = conn.execute(query).all()
    wanted = [b.id for b in brands]
    emails = _grouped(
        conn, sa.select(BrandContact.brand_id, BrandContact.email).order_by(BrandContact.id), wanted
    )
    aliases = _grouped(conn, sa.select(BrandAlias.brand_id, BrandAlias.alias).order_by(BrandAlias.id), wanted)
    refs: dict[int, list[SellerRef]] = {}
    rows = conn.execute(
        sa.select(AuthorizedSeller).where(AuthorizedSeller.brand_id.in_(wanted)).order_by(AuthorizedSeller.id)
    )
    for row in rows:
        marketplace = None if row.marketplace is None else Marketplace(row.marketplace)
        refs.setdefault(row.brand_id, []).append(
            SellerRef(row.seller_name, row.marketplace_seller_id, marketplace)
        )
    counts: dict[int, int] = {
        owner: count
        for owner, count in conn.execute(
            sa.select(BrandImage.brand_id, sa.func.count())
            .where(BrandImage.brand_id.in_(wanted))
            .group_by(BrandImage.brand_id)
        )
    }
    return [
        BrandInfo(
            id=b.id,
            name=b.name,
            policy=BrandPolicy(b.policy),
            emails=tuple(emails.get(b.id, ())),
            aliases=tuple(aliases.get(b.id, ())),
            authorized=tuple(refs.get(b.id, ())),
            price_floor=b.price_floor,
            currency=b.price_floor_currency,
            images=int(counts.get(b.id, 0)),
        )
        for b in brands
    ]


def _grouped(conn: Connection, query: sa.Select[int, str], ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for owner, value in conn.execute(query.where(query.selected_columns[0].in_(ids))):
        out.setdefault(owner, []).append(value)
    return out
