"""Product -> TOP `taobao.item.add` / `taobao.item.update` business parameters (Chinese title, CNY price)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.errors import PermanentError
from connectors.mapping.money import RateTable

if TYPE_CHECKING:
    from catalog.product import Product

MAX_TITLE_CHARS = 30
MAX_TITLE_BYTES = 60
MIN_DESC, MAX_DESC = 5, 25000
MAX_NUM = 900_000_000
LOCALE = "zh-CN"

STUFF_STATUS = {"new": "new", "refurbished": "second"}  # every used grade is "second"


@dataclass(frozen=True)
class ItemSettings:
    """The shop's item defaults: shipping origin, listing state, and the price conversion table."""

    rates: RateTable
    state: str = "浙江"
    city: str = "杭州"
    approve_status: str = "onsale"


def title_bytes(title: str) -> int:
    """Taobao's title width: a Chinese (non-ASCII) character counts two bytes, ASCII one."""
    return sum(1 if ord(c) < 128 else 2 for c in title)


def title(product: Product) -> str:
    """The Chinese title: `tmall.title` when set, else `localized["zh-CN"].title`, within TOP's limits."""
    ov = product.tmall
    override = getattr(ov, "title", None) if ov is not None else None
    localized = (product.localized or {}).get(LOCALE)
    text = override or (localized.title if localized is not None else None)
    where = "tmall.title" if override else f"localized.{LOCALE}.title"
    if not text:
        raise PermanentError(
            "MISSING_ZH_TITLE",
            f"SKU {product.sku}: Tmall needs a Chinese title; set localized.{LOCALE}.title "
            "(the title_zh column of a CSV import)",
            f"localized.{LOCALE}.title",
        )
    if len(text) > MAX_TITLE_CHARS or title_bytes(text) > MAX_TITLE_BYTES:
        raise PermanentError(
            "TITLE_TOO_LONG",
            f"SKU {product.sku}: the Chinese title is {len(text)} characters ({title_bytes(text)} bytes); "
            f"Tmall allows {MAX_TITLE_CHARS} characters / {MAX_TITLE_BYTES} bytes; shorten {where}",
            where,
        )
    return text


def description(product: Product) -> str:
    """The Chinese description, else the catalogue one, within TOP's 5..25000 characters."""
    localized = (product.localized or {}).get(LOCALE)
    text = (localized.description if localized is not None else None) or product.description or ""
    if not MIN_DESC <= len(text) <= MAX_DESC:
        raise PermanentError(
            "BAD_DESCRIPTION",
            f"SKU {product.sku}: Tmall descriptions hold {MIN_DESC} to {MAX_DESC} characters, this one has "
            f"{len(text)}; set localized.{LOCALE}.description",
            f"localized.{LOCALE}.description",
        )
    return text


def price_cny(product: Product, rates: RateTable) -> Decimal:
    """The CNY price: `tmall.price_cny` when set, else the catalogue price converted with the rate table."""
    ov = product.tmall
    if ov is not None and ov.price_cny is not None:
        return Decimal(ov.price_cny).quantize(Decimal("0.01"))
    value = rates.convert(product.price, product.currency)
    if value is None:
        raise PermanentError(
            "NO_RATE",
            f"SKU {product.sku}: no {product.currency}->{rates.target} rate is configured; "
            "set tmall.price_cny or add the rate",
            "tmall.price_cny",
        )
    return value


def props(value: Any) -> str | None:
    """`pid:vid;pid:vid` from a string or a {pid: vid} mapping."""
    if not value:
        return None
    if isinstance(value, Mapping):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def quantity(product: Product) -> str:
    return str(max(0, min(MAX_NUM, product.quantity)))


def item_params(product: Product, settings: ItemSettings) -> dict[str, str]:
    """Business parameters for `taobao.item.add` (without the picture, which is uploaded first)."""
    ov = product.tmall
    if ov is None or not ov.cid:
        raise PermanentError(
            "MISSING_CID", f"SKU {product.sku}: Tmall needs a leaf category; set tmall.cid", "tmall.cid"
        )
    params = {
        "num": quantity(product),
        "price": f"{price_cny(product, settings.rates):.2f}",
        "type": "fixed",
        "stuff_status": STUFF_STATUS.get(str(product.condition), "second"),
        "title": title(product),
        "desc": description(product),
        "cid": str(ov.cid),
        "location.state": settings.state,
        "location.city": settings.city,
        "approve_status": settings.approve_status,
        "outer_id": product.sku,
    }
    if p := props(ov.props):
        params["props"] = p
    return params


def content_params(product: Product, settings: ItemSettings) -> dict[str, str]:
    """What `taobao.item.update` sends for a content change (no stock or state fields)."""
    params = item_params(product, settings)
    for key in ("num", "type", "approve_status", "outer_id", "location.state", "location.city"):
        params.pop(key, None)
    return params
