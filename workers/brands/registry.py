"""Registered brands: names and aliases, contact e-mails, authorised sellers, policy and price floor.

Functions take a `Connection`; the caller opens the transaction. A change to who is authorised bumps the
brand index's generation in the same transaction, so that every worker's `BrandIndex` picks it up.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.brands.errors import BrandExistsError, InvalidBrandError, UnknownBrandError
from workers.brands.fields import check_email, check_policy, check_price_floor, clean_text
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
            seller_id = clean_text(brand, "authorized seller", rest)
            return cls(seller_id=seller_id, marketplace=Marketplace(prefix.lower()))
        if text.lower().startswith(ID_PREFIX):
            return cls(seller_id=clean_text(brand, "authorized seller", text[len(ID_PREFIX) :]))
        return cls(name=clean_text(brand, "authorized seller", text))

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
    remove_aliases: Iterable[str] = ()
    add_authorized: Iterable[str | SellerRef] = ()
    remove_authorized: Iterable[str | SellerRef] = ()
    policy: str | None = None
    price_floor: decimal.Decimal | str | None = None
    currency: str | None = None
    clear_price_floor: bool = field(default=False)


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
    name = clean_text(name, "name", name)
    contacts = _unique(check_email(name, e) for e in emails)
    if not contacts:
        raise InvalidBrandError(name, "email", "at least one contact e-mail is needed")
    alias_list = [
        a for a in _unique(clean_text(name, "alias", a) for a in aliases) if a.casefold() != name.casefold()
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
    """Apply `changes` to a brand; additions that are there already change nothing, and removing what is not
    there is refused, naming it. Every value is checked before any write."""
    begin_change(conn)  # first, so that SQLite takes the write lock before reading
    current = get_brand(conn, name)
    name = current.name
    emails = [e for e in _unique(check_email(name, e) for e in changes.add_emails) if e not in current.emails]
    removed = _present(name, "email", current.emails, [check_email(name, e) for e in changes.remove_emails])
    gone_aliases = _present(name, "alias", current.aliases, [a.strip() for a in changes.remove_aliases])
    known_aliases = {a.casefold() for a in (*current.aliases, name)}  # removing and adding one removes it
    aliases = [
        a
        for a in _unique(clean_text(name, "alias", a) for a in changes.add_aliases)
        if a.casefold() not in known_aliases
    ]
    gone = _present_sellers(name, current.authorized, _seller_refs(name, changes.remove_authorized))
    refs = [r for r in _seller_refs(name, changes.add_authorized) if r not in current.authorized]
    values: dict[str, object] = {}
    if changes.policy is not None:
        values["policy"] = check_policy(name, changes.policy)
    if changes.clear_price_floor:
        values.update(price_floor=None, price_floor_currency=None)
    elif changes.price_floor is not None or changes.currency is not None:
        values["price_floor"], values["price_floor_currency"] = check_price_floor(
            name, changes.price_floor, changes.currency
        )
    if not set(current.emails) - set(removed) | set(emails):
        raise InvalidBrandError(name, "email", "a brand keeps at least one contact e-mail")
    if values:
        conn.execute(sa.update(Brand).where(Brand.id == current.id).values(**values))
    if removed:
        conn.execute(
            sa.delete(BrandContact).where(
                BrandContact.brand_id == current.id, BrandContact.email.in_(removed)
            )
        )
    if gone_aliases:
        conn.execute(
            sa.delete(BrandAlias).where(BrandAlias.brand_id == current.id, BrandAlias.alias.in_(gone_aliases))
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


def _present(brand: str, field_name: str, current: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The stored values that `wanted` names (ignoring case); one naming nothing stored is refused."""
    stored = {value.casefold(): value for value in current}
    found: list[str] = []
    for value in wanted:
        if value.casefold() not in stored:
            shown = ", ".join(stored.values()) or "none"
            raise InvalidBrandError(brand, field_name, f"{value!r} is not one of the brand's ({shown})")
        if stored[value.casefold()] not in found:
            found.append(stored[value.casefold()])
    return found


def _present_sellers(
    brand: str, current: Iterable[SellerRef], wanted: Iterable[SellerRef]
) -> list[SellerRef]:
    """The stored sellers that `wanted` names: display names ignoring case, seller ids exactly."""
    stored = list(current)
    found: list[SellerRef] = []
    for ref in wanted:
        match = next((s for s in stored if s == ref or _same_name(s, ref)), None)
        if match is None:
            shown = ", ".join(str(s) for s in stored) or "none"
            raise InvalidBrandError(
                brand, "authorized seller", f"{str(ref)!r} is not one of the brand's ({shown})"
            )
        if match not in found:
            found.append(match)
    return found


def _same_name(stored: SellerRef, ref: SellerRef) -> bool:
    return stored.name is not None and ref.name is not None and stored.name.casefold() == ref.name.casefold()


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
