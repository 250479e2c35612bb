"""What each field of a brand accepts; a failed check raises `InvalidBrandError` naming brand and field."""

from __future__ import annotations

import decimal
import re

from workers.brands.errors import InvalidBrandError
from workers.store.brand_models import BrandPolicy

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
CURRENCY = re.compile(r"[A-Z]{3}")
MAX_NAME = 200


def clean_text(brand: str, field_name: str, value: str) -> str:
    """A name, alias or seller: trimmed, 1 to `MAX_NAME` printable characters."""
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
