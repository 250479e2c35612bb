"""The catalogue's errors: one tree for failures, and `FieldError` values for what a seller must fix.

`field_errors` turns a pydantic `ValidationError` into messages a seller understands ("price 12.345 has 3
decimals; USD allows 2"), naming the field the way the seller wrote it (a CSV column or a JSON path).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

#: The `field` of an error about a record as a whole (a ragged CSV row, a JSON line that is not an object).
ROW = "row"

#: The pydantic error type of the catalogue's own checks; its context carries the pieces of the message.
CATALOG_ERROR = "catalog"

_ECHO_LIMIT = 60
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class CatalogError(Exception):
    """Root of the catalogue's exceptions."""


class ImportFileError(CatalogError):
    """A file cannot be imported as a whole: missing, not UTF-8, not the expected format, wrong header."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One thing wrong with one field of one record, in words a seller understands."""

    field: str
    message: str


def fail(label: str, rest: str, *, sub: tuple[str | int, ...] = ()) -> NoReturn:
    """Raise a catalogue check failure from inside a validator.

    The message is `label + rest`, e.g. "gtin" + " 4006381333932: check digit should be 1"; `field_errors`
    swaps `label` for the name the seller used. `sub` extends the error's location when a validator of a
    parent checks a child field (e.g. ("price",) under "amazon").
    """
    raise PydanticCustomError(CATALOG_ERROR, "{label}{rest}", {"label": label, "rest": rest, "sub": sub})


def printable(text: str) -> str:
    """`text` with anything that cannot be written as UTF-8 (bytes that were not UTF-8) shown as U+FFFD."""
    if text.isascii():
        return text
    try:  # one U+FFFD per byte that was not UTF-8 when the text was read with surrogateescape
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # other lone surrogates (from JSON escapes)
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def readable(value: str) -> str | None:
    """A value good enough to show a seller which record is meant (a SKU): stripped, short, printable."""
    text = printable(value.strip())
    if not text:
        return None
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


def _not_utf8(value: object) -> bool:
    return isinstance(value, str) and not value.isascii() and _SURROGATE.search(value) is not None


def echo(value: object) -> str:
    """A value as it may be quoted back in a message: short, one line, text in quotes, numbers bare."""
    if isinstance(value, str):
        text = printable(value if value.isprintable() else " ".join(value.split()))
        if len(text) > _ECHO_LIMIT:
            text = text[: _ECHO_LIMIT - 1] + "…"
        return f"'{text}'"
    return bare(value)


def bare(value: object) -> str:
    """A value quoted back without quotes (numbers): short, one line."""
    text = " ".join(str(value).split())
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


def dotted(loc: tuple[str | int, ...]) -> str:
    """A pydantic location as a JSON-ish path: ("localized", "zh-CN", "title") -> "localized.zh-CN.title"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _length(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


_Formatter = Callable[[str, Mapping[str, Any], Any], str]

_SKU_HINT = "may only use letters, digits, '-', '_' and '.'"
# What a field's pattern means, for `string_pattern_mismatch`, by the field's own name.
_PATTERN_HINTS: dict[str, str] = {
    "sku": _SKU_HINT,
    "parent_sku": _SKU_HINT,
    "currency": "is not an ISO 4217 currency code (like USD, EUR, CNY, JPY)",
    "product_type": "is not an Amazon product type like LUGGAGE or SHIRT",
    "category_id": "is not an eBay category id (digits only)",
    "props": "must be pid:vid pairs separated by ';' (like 20000:33564;1627207:28326)",
    "image_urls": "is not an absolute http:// or https:// URL",
}


def _pattern(label: str, ctx: Mapping[str, Any], value: Any, field: str) -> str:
    hint = _PATTERN_HINTS.get(field, f"does not have the expected form {ctx.get('pattern', '')}")
    return f"{label} {echo(value)} {hint}"


# One message per pydantic error type we expect; `label` is the seller's name for the field.
_MESSAGES: dict[str, _Formatter] = {
    "missing": lambda label, ctx, value: f"{label} is required",
    "extra_forbidden": lambda label, ctx, value: f"{label} is not a known field",
    "string_type": lambda label, ctx, value: f"{label} must be text, not {echo(value)}",
    "string_too_short": lambda label, ctx, value: f"{label} is empty",
    "string_too_long": lambda label, ctx, value: (
        f"{label} has {_length(value):,} characters; at most {ctx['max_length']:,} are allowed"
    ),
    "int_parsing": lambda label, ctx, value: f"{label} {echo(value)} is not a whole number",
    "int_type": lambda label, ctx, value: f"{label} {echo(value)} is not a whole number",
    "int_from_float": lambda label, ctx, value: f"{label} {echo(value)} is not a whole number",
    "greater_than_equal": lambda label, ctx, value: (
        f"{label} {bare(value)} is negative; use 0 or more"
        if ctx.get("ge") == 0
        else f"{label} {bare(value)} is below {ctx.get('ge')}"
    ),
    "greater_than": lambda label, ctx, value: f"{label} {bare(value)} must be more than {ctx.get('gt')}",
    "less_than_equal": lambda label, ctx, value: f"{label} {bare(value)} is above {ctx.get('le'):,}",
    "less_than": lambda label, ctx, value: (
        f"{label} {bare(value)} is too large; it must be below {ctx.get('lt'):,}"
    ),
    "decimal_parsing": lambda label, ctx, value: (
        f"{label} {echo(value)} is not a number; write it like 12.99 (no currency sign, no separators)"
    ),
    "decimal_type": lambda label, ctx, value: f"{label} {echo(value)} is not a number",
    "finite_number": lambda label, ctx, value: f"{label} {echo(value)} is not a number",
    "enum": lambda label, ctx, value: f"{label} {echo(value)} is not one of: {ctx.get('expected', '')}",
    "bool_parsing": lambda label, ctx, value: f"{label} {echo(value)} must be true or false",
    "bool_type": lambda label, ctx, value: f"{label} {echo(value)} must be true or false",
    "list_type": lambda label, ctx, value: f"{label} must be a list",
    "dict_type": lambda label, ctx, value: f"{label} must be an object of names and values",
    "model_type": lambda label, ctx, value: f"{label} must be an object",
    "model_attributes_type": lambda label, ctx, value: f"{label} must be an object",
    "too_short": lambda label, ctx, value: (
        f"{label} needs at least {_plural(ctx.get('min_length', 1), 'item')}"
    ),
    "too_long": lambda label, ctx, value: (
        f"{label} has {_plural(_length(value), 'item')}; at most {ctx.get('max_length')} are allowed"
    ),
}

#: Maps an error location to (the field as the seller names it, the part of the location it leaves out).
Names = Callable[[tuple[str | int, ...]], tuple[str, tuple[str | int, ...]]]


def json_names(loc: tuple[str | int, ...]) -> tuple[str, tuple[str | int, ...]]:
    """Fields named by their path in the product's JSON form: "amazon.price", "image_urls[2]"."""
    return dotted(loc), ()


def _label(field: str, rest: tuple[str | int, ...]) -> str:
    """The field as a message names it: the column plus what in it, e.g. "image_urls item 3"."""
    for part in rest:
        field += f" item {part + 1}" if isinstance(part, int) else f" {echo(part)}"
    return field


def field_errors(exc: ValidationError, names: Names | None = None) -> list[FieldError]:
    """Seller-facing errors for a pydantic `ValidationError` raised while validating a `Product`.

    `names` says how the seller names fields (the CSV importer gives column names); by default a field is
    its dotted path in the JSON form ("amazon.price").
    """
    name_of = names or json_names
    out: list[FieldError] = []
    for err in exc.errors(include_url=False):
        ctx: Mapping[str, Any] = err.get("ctx") or {}
        loc = tuple(err["loc"])
        kind = err["type"]
        key = False
        if loc and loc[-1] == "[key]":  # a dict key failed: name the dict, and say it is a key
            loc, key = loc[:-2], True
        if kind == CATALOG_ERROR:
            loc += tuple(ctx.get("sub", ()))
        field, rest = name_of(loc)
        field = printable(field) or ROW
        label = printable(_label(field, rest)) if loc else "record"
        if key:
            label += " key"
        value = err.get("input")
        if kind == CATALOG_ERROR:
            message = f"{label}{ctx.get('rest', '')}"
        elif kind == "string_unicode" or _not_utf8(value):
            message = f"{label} has bytes that are not UTF-8 text; save the file as UTF-8"
        elif kind == "string_pattern_mismatch":
            own = next((part for part in reversed(loc) if isinstance(part, str)), "")
            message = _pattern(label, ctx, value, own)
        else:
            fmt = _MESSAGES.get(kind)
            message = fmt(label, ctx, value) if fmt else f"{label}: {err['msg']}"
        out.append(FieldError(field, message))
    return out
