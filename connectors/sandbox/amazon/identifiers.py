"""Product identifiers Amazon accepts in `externally_assigned_product_identifier`, with their check digits."""

from __future__ import annotations

LENGTHS = {"upc": (12,), "ean": (8, 13), "gtin": (8, 12, 13, 14), "jan": (8, 13), "isbn": (10, 13)}


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (GTIN-8/12/13/14, UPC, EAN, JAN, ISBN-13)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _isbn10_ok(value: str) -> bool:
    if not (value[:9].isdigit() and (value[9].isdigit() or value[9] == "X")):
        return False
    total = sum((10 - i) * int(d) for i, d in enumerate(value[:9]))
    total += 10 if value[9] == "X" else int(value[9])
    return total % 11 == 0


def identifier_problem(kind: str, value: str) -> str | None:
    """Why `value` is not a valid identifier of `kind` (ean, upc, gtin, jan, isbn), or None when it is."""
    kind = kind.lower()
    if kind not in LENGTHS:
        return f"type {kind!r} is not one of {sorted(LENGTHS)}"
    if len(value) not in LENGTHS[kind]:
        lengths = " or ".join(str(n) for n in LENGTHS[kind])
        return f"a {kind.upper()} has {lengths} digits, {value!r} has {len(value)}"
    if kind == "isbn" and len(value) == 10:
        return None if _isbn10_ok(value) else f"{value!r} is not a valid ISBN-10"
    if not value.isdigit():
        return f"{value!r} must be digits only"
    if kind == "isbn" and not value.startswith(("978", "979")):
        return f"an ISBN-13 starts with 978 or 979, {value!r} does not"
    if int(value[-1]) != gtin_check_digit(value[:-1]):
        return f"the check digit of {value!r} should be {gtin_check_digit(value[:-1])}"
    return None
