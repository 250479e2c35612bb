"""The CSV layout of a catalogue: header checks, and turning one row of cells into a product record.

Columns are the product's fields, with nested ones flattened: `title_zh` / `description_zh` are the zh-CN
localized text, `amazon_<field>`, `ebay_<field>` and `tmall_<field>` the marketplace overrides. Lists are
`|`-separated; `attributes` is `name=value|name=value`. An empty or blank cell means "not given".

Header names are matched without regard to case or surrounding blanks. A missing required column, a column
named twice, or an unknown column that looks like a misspelt known one ("prce") rejects the file, since
importing it would lose data silently. Any other unknown column (a spreadsheet's "notes", "cost") is ignored
with a warning, so that a seller's working file imports as it is.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from catalog.errors import ROW, FieldError, ImportFileError, dotted, echo

ZH: Final = "zh-CN"

#: Column -> where its value goes in the product's JSON form.
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "sku": ("sku",),
    "title": ("title",),
    "description": ("description",),
    "brand": ("brand",),
    "gtin": ("gtin",),
    "mpn": ("mpn",),
    "condition": ("condition",),
    "price": ("price",),
    "currency": ("currency",),
    "quantity": ("quantity",),
    "image_urls": ("image_urls",),
    "title_zh": ("localized", ZH, "title"),
    "description_zh": ("localized", ZH, "description"),
    "amazon_product_type": ("amazon", "product_type"),
    "ebay_category_id": ("ebay", "category_id"),
    "tmall_cid": ("tmall", "cid"),
    "parent_sku": ("parent_sku",),
    "variation_theme": ("variation_theme",),
    "attributes": ("attributes",),
    # Beyond the basic header: the rest of the marketplace overrides.
    "amazon_title": ("amazon", "title"),
    "amazon_price": ("amazon", "price"),
    "amazon_quantity_buffer": ("amazon", "quantity_buffer"),
    "amazon_enabled": ("amazon", "enabled"),
    "ebay_title": ("ebay", "title"),
    "ebay_price": ("ebay", "price"),
    "ebay_enabled": ("ebay", "enabled"),
    "tmall_props": ("tmall", "props"),
    "tmall_price_cny": ("tmall", "price_cny"),
    "tmall_enabled": ("tmall", "enabled"),
}
REQUIRED: Final = ("sku", "title", "price", "currency", "quantity", "image_urls")
_LISTS: Final = frozenset({"image_urls"})
_BY_PATH: Final[dict[tuple[str | int, ...], str]] = {path: column for column, path in COLUMNS.items()}

#: A CSV value longer than this makes its row unreadable; raised (never lowered) for the csv module.
FIELD_LIMIT: Final = 1 << 20
#: A physical line longer than this is cut, and its row reported, so one line never fills memory.
LINE_LIMIT: Final = 4 << 20

if csv.field_size_limit() < FIELD_LIMIT:
    csv.field_size_limit(FIELD_LIMIT)

_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")


def column_of(loc: tuple[str | int, ...]) -> tuple[str, tuple[str | int, ...]]:
    """The CSV column a validation error's location points at, and the rest of the location."""
    for n in (3, 2, 1):
        column = _BY_PATH.get(loc[:n])
        if column is not None:
            return column, loc[n:]
    return dotted(loc), ()


def parse_attributes(text: str) -> dict[str, str] | FieldError:
    """`name=value|name=value` as a dict; the value may itself contain '='."""
    out: dict[str, str] = {}
    for part in text.split("|"):
        if not part or part.isspace():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            return FieldError("attributes", f"attributes item {echo(part.strip())} must look like name=value")
        if name in out:
            return FieldError("attributes", f"attributes name {echo(name)} is given twice")
        out[name] = value.strip()
    return out


@dataclass
class Layout:
    """Where each known column of one file's header is, and what the header check had to say."""

    width: int
    simple: list[tuple[int, str]] = field(default_factory=list)
    nested: list[tuple[int, str, str]] = field(default_factory=list)
    localized: list[tuple[int, str]] = field(default_factory=list)
    lists: list[tuple[int, str]] = field(default_factory=list)
    attributes: int | None = None
    sku: int = 0
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_header(cls, header: list[str]) -> Layout:
        """Check a header row and locate its columns; raises `ImportFileError` naming what is wrong."""
        if _NOT_UTF8.search("".join(header)):
            raise ImportFileError("the header line is not UTF-8 text; save the file as 'CSV UTF-8'")
        names = [h.strip().strip("\ufeff").lower() for h in header]
        for separator in (";", "\t"):
            if len(names) == 1 and {"sku", "title"} <= {n.strip() for n in names[0].split(separator)}:
                shown = "a tab" if separator == "\t" else repr(separator)
                raise ImportFileError(
                    f"the fields are separated by {shown}, not commas; save the file as comma-separated "
                    "'CSV UTF-8' (a spreadsheet set to a language that writes decimal commas uses ';')"
                )
        layout = cls(width=len(names))
        problems: list[str] = []
        seen: dict[str, int] = {}
        unknown: list[str] = []
        for i, name in enumerate(names):
            if not name:
                continue
            if name in seen:
                problems.append(f"column {name!r} appears twice (columns {seen[name] + 1} and {i + 1})")
                continue
            seen[name] = i
            path = COLUMNS.get(name)
            if path is None:
                unknown.append(name)
            elif name == "attributes":
                layout.attributes = i
            elif name in _LISTS:
                layout.lists.append((i, name))
            elif len(path) == 1:
                layout.simple.append((i, name))
            elif path[0] == "localized":
                layout.localized.append((i, path[2]))
            else:
                layout.nested.append((i, path[0], path[1]))
        suggested: set[str] = set()
        for name in unknown:
            close = [c for c in difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.8) if c not in seen]
            if close:
                problems.append(f"unknown column {name!r} (did you mean {close[0]!r}?)")
                suggested.add(close[0])
            else:
                layout.warnings.append(f"column {name!r} is not a catalogue field and was ignored")
        missing = [c for c in REQUIRED if c not in seen and c not in suggested]
        if missing:
            problems.append(
                "missing required column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
            )
            if not any(n in COLUMNS for n in names):
                problems.append("the first line must be the header, e.g. " + ",".join(REQUIRED))
        if problems:
            raise ImportFileError("the header is wrong: " + "; ".join(problems))
        layout.sku = seen["sku"]
        return layout

    def record(self, cells: list[str]) -> tuple[dict[str, Any], list[FieldError]]:
        """The product record in a row's cells, and the errors found before validation."""
        data: dict[str, Any] = {}
        errors: list[FieldError] = []
        for i, key in self.simple:
            value = cells[i]
            if value and not value.isspace():
                data[key] = value
        for i, outer, inner in self.nested:
            value = cells[i]
            if value and not value.isspace():
                if outer in data:
                    data[outer][inner] = value
                else:
                    data[outer] = {inner: value}
        for i, key in self.localized:
            value = cells[i]
            if value and not value.isspace():
                data.setdefault("localized", {}).setdefault(ZH, {})[key] = value
        for i, key in self.lists:
            value = cells[i]
            if value and not value.isspace():
                data[key] = [item for item in map(str.strip, value.split("|")) if item]
        if self.attributes is not None:
            value = cells[self.attributes]
            if value and not value.isspace():
                parsed = parse_attributes(value)
                if isinstance(parsed, FieldError):
                    errors.append(parsed)
                else:
                    data["attributes"] = parsed
        return data, errors

    def ragged(self, cells: list[str]) -> FieldError | None:
        """An error if the row does not have the header's number of cells: its values would be misplaced."""
        n = len(cells)
        if n == self.width:
            return None
        if n > self.width:
            return FieldError(
                ROW,
                f"row has {n} cells but the header has {self.width}; quote a value that has a comma in it",
            )
        return FieldError(ROW, f"row has {n} cells but the header has {self.width}")


class CappedLines:
    """The physical lines of a text stream for `csv.reader`, each cut at `limit` characters.

    `cut` turns true when a line was cut; the reader of the rows resets it after each row.
    """

    def __init__(self, text: TextIO, limit: int = LINE_LIMIT) -> None:
        self._readline = text.readline
        self._limit = limit
        self.cut = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._readline(self._limit)
        if not line:
            raise StopIteration
        if len(line) == self._limit and line[-1] not in "\r\n":
            self.cut = True
            while (
                (rest := self._readline(self._limit)) and len(rest) == self._limit and rest[-1] not in "\r\n"
            ):
                pass
        return line
