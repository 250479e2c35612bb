"""The checks behind `Product` that pydantic's constraints cannot say, and the patterns they can.

Each check takes a value and its label and returns the value normalised, or fails with a message a seller
understands. They are plain functions, usable without building a product (a connector checking an override).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from importlib import resources
from typing import Final

from catalog.errors import bare, echo, fail

#: What a SKU may be: 1 to 40 letters, digits, '-', '_' or '.', safe as a marketplace SKU and in a URL path.
SKU_PATTERN: Final = r"^[A-Za-z0-9._-]{1,40}$"
#: An absolute http(s) URL: a scheme, a host (optionally with user info and port), and no blanks anywhere.
URL_PATTERN: Final = r"^(?i:https?)://[^\s/?#@]+(?:@[^\s/?#@]+)?(?:[/?#]\S*)?$"
MAX_URL: Final = 2048
MAX_PRICE: Final = Decimal(1_000_000_000)
_GTIN_LENGTHS: Final = (8, 12, 13, 14)
# BCP 47 language tags as marketplaces use them: language, optional script, region and variants.
_LOCALE = re.compile(
    r"(?P<lang>[A-Za-z]{2,3})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?P<rest>(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)"
)


def _load_minor_units() -> dict[str, int]:
    text = resources.files("catalog").joinpath("iso4217.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["minor_units"])


#: ISO 4217 currency code -> minor units (digits after the decimal point), shipped as data.
MINOR_UNITS: Final[dict[str, int]] = _load_minor_units()
_QUANTUM: Final = {n: Decimal(1).scaleb(-n) for n in set(MINOR_UNITS.values())}
#: A currency code from the table, in any case (the model upper-cases it).
CURRENCY_PATTERN: Final = "^(?i:" + "|".join(sorted(MINOR_UNITS)) + ")$"


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (weights 3,1,3,... from the right)."""
    raw = body.encode("ascii")  # summing character codes is much faster than int() per digit
    odd, even = raw[::-2], raw[-2::-2]
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return -total % 10


def gtin(value: str, label: str = "gtin") -> str:
    """A GTIN-8, -12 (UPC), -13 (EAN) or -14 whose check digit is right; kept as written (leading zeros)."""
    if not (value.isascii() and value.isdigit()):
        fail(label, f" {echo(value)} must be digits only")
    if len(value) not in _GTIN_LENGTHS:
        fail(label, f" {value} has {len(value)} digits; a GTIN has 8, 12, 13 or 14")
    expected = gtin_check_digit(value[:-1])
    if ord(value[-1]) - 48 != expected:
        fail(label, f" {value}: check digit should be {expected}")
    return value


def price(value: Decimal, code: str | None, label: str = "price", *, sub: tuple[str, ...] = ()) -> Decimal:
    """More than 0, with at most the currency's minor digits; returned quantized to exactly those digits.

    Trailing zeros are not decimals: 12.500 USD is 12.50. Without a valid currency only the sign is checked
    (the currency's own error is reported separately). `sub` is passed on to `fail`.
    """
    if not value.is_finite():
        fail(label, f" {bare(value)} is not a number", sub=sub)
    if value <= 0:
        fail(label, f" {bare(f'{value:f}')} must be more than 0", sub=sub)
    if value >= MAX_PRICE:
        fail(label, f" {bare(f'{value:f}')} is too large; prices must be below 1,000,000,000", sub=sub)
    allowed = MINOR_UNITS.get(code) if code is not None else None
    if allowed is None:
        return value
    exponent = value.as_tuple().exponent
    if exponent == -allowed:
        return value
    if isinstance(exponent, int) and exponent < -allowed:
        short = value.normalize()
        exponent = short.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if decimals > allowed:
            unit = "decimal" if decimals == 1 else "decimals"
            fail(
                label,
                f" {bare(f'{short:f}')} has {decimals} {unit}; {code} allows {allowed or 'none'}",
                sub=sub,
            )
    return value.quantize(_QUANTUM[allowed])


def distinct(values: list[str], label: str) -> list[str]:
    """`values` if none is repeated; a repeat is named by its position."""
    if len(set(values)) != len(values):
        seen: dict[str, int] = {}
        for i, value in enumerate(values, start=1):
            if value in seen:
                fail(label, f" item {i} repeats item {seen[value]} ({echo(value)})")
            seen[value] = i
    return values


def locale(value: str, label: str = "locale") -> str:
    """A BCP 47 language tag in its usual case: "zh-cn" -> "zh-CN", "zh-hant-tw" -> "zh-Hant-TW"."""
    m = _LOCALE.fullmatch(value)
    if m is None:
        fail(label, f" {echo(value)} is not a language tag like zh-CN or en-US")
    out = m["lang"].lower()
    if m["script"]:
        out += "-" + m["script"].title()
    if m["region"]:
        out += "-" + m["region"].upper()
    return out + m["rest"].lower()
