"""Reading a seller's catalogue file (CSV, a JSON array, or JSON Lines) into products, one row at a time.

Every row comes out as an `ImportRow`: a validated `Product`, or the errors that stopped it (row number, SKU
when readable, field and message). A bad row never costs the good ones, and nothing is read whole: memory
stays flat however long the file is.

Row numbers: for CSV, the 1-based data row (the header is row 0; a spreadsheet shows row N as N + 1, and a
blank row still takes its number); for a JSON array, the 1-based position in the array; for JSON Lines, the
line number (blank lines are skipped but counted). Errors name CSV fields by their column and JSON fields
by their path ("amazon.price"); `ROW` ("row") is the field of an error about the record as a whole.

A SKU seen earlier in the same file, whether or not that earlier row was valid, is rejected at its repeat
with field "sku". `ImportFileError` is raised when the file as a whole cannot be read: at the call for a
missing file, an unknown format, text that is not UTF-8, or a wrong CSV header; during iteration for a
JSON array that breaks off in a syntax error (the rows yielded before it stand).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Literal, NamedTuple, cast

from pydantic import ValidationError

from catalog.csvimport import FIELD_LIMIT, LINE_LIMIT, CappedLines, Layout, column_of
from catalog.errors import ROW, FieldError, ImportFileError, Names, echo, field_errors, readable
from catalog.jsonstream import MAX_RECORD_CHARS, TOO_DEEP, JsonArrayReader, Skipped, decode_line
from catalog.product import Product

Format = Literal["csv", "json", "jsonl"]

SUFFIXES: Final[dict[str, Format]] = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}

#: Errors reported for one row at most; the rest are counted.
MAX_ERRORS: Final = 30

_validate = Product.__pydantic_validator__.validate_python
_SNIFF_BYTES: Final = 4096
_BOMS: Final = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class ImportRow(NamedTuple):
    """One record of an import: exactly one of `product` (accepted) and `errors` (rejected) is set.

    A named tuple, not a dataclass, because one is made for every row of a file.
    """

    row: int
    sku: str | None
    product: Product | None
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return self.product is not None


def read_products(source: Path | str | BinaryIO, format: Format | None = None) -> ProductReader:
    """Stream the products of a catalogue file (a path, or a binary stream the caller keeps open).

    The format comes from the file name's suffix when not given. Use the result as an iterator, or as a
    context manager to close the file early.
    """
    return ProductReader(source, format)


class ProductReader(Iterator[ImportRow]):
    """The rows of one catalogue file; `warnings` holds what the seller should know but did not stop it."""

    def __init__(self, source: Path | str | BinaryIO, format: Format | None = None) -> None:
        self.warnings: list[str] = []
        self._owned: BinaryIO | None = None
        self._text: io.TextIOWrapper | None = None
        if isinstance(source, io.TextIOBase):
            raise TypeError("read_products needs a binary stream (open the file with 'rb')")
        name = str(source) if isinstance(source, str | Path) else str(getattr(source, "name", ""))
        self.format: Format = format or _format_of(name)
        if self.format not in ("csv", "json", "jsonl"):
            raise ImportFileError(f"unknown format {self.format!r}; use csv, json or jsonl")
        stream = self._open(source)
        self._seen: dict[str, int] = {}
        self._unit = {"csv": "row", "json": "record", "jsonl": "line"}[self.format]
        try:
            _sniff(stream)
            self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
            self._rows = self._start()
        except BaseException:
            self.close()
            raise

    def _open(self, source: Path | str | BinaryIO) -> BinaryIO:
        if not isinstance(source, str | Path):
            return source
        path = Path(source)
        try:
            self._owned = cast(BinaryIO, path.open("rb"))
        except FileNotFoundError:
            raise ImportFileError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise ImportFileError(f"{path} is a folder, not a file") from None
        except OSError as exc:
            raise ImportFileError(f"cannot open {path}: {exc.strerror}") from None
        return self._owned

    def _start(self) -> Iterator[ImportRow]:
        assert self._text is not None
        if self.format == "csv":
            lines = CappedLines(self._text)
            reader = csv.reader(lines)
            try:
                header = next(reader, None)
            except csv.Error as exc:
                raise ImportFileError(f"the header line cannot be read: {exc}") from None
            if header is None or lines.cut:
                raise ImportFileError("the file is empty; the first line must be the header")
            layout = Layout.from_header(header)
            self.warnings.extend(layout.warnings)
            return self._csv_rows(reader, lines, layout)
        if self.format == "json":
            return self._json_rows(JsonArrayReader(self._text))
        return self._jsonl_rows()

    # -- the three formats -------------------------------------------------------------------------------

    def _csv_rows(self, reader: Any, lines: CappedLines, layout: Layout) -> Iterator[ImportRow]:
        row = 0
        while True:
            row += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                lines.cut = False
                yield ImportRow(row, None, None, [FieldError(ROW, _too_large("a value", FIELD_LIMIT))])
                continue
            if lines.cut:
                lines.cut = False
                sku = readable(cells[layout.sku]) if len(cells) > layout.sku else None
                yield ImportRow(row, sku, None, [FieldError(ROW, _too_large("the row", LINE_LIMIT))])
                continue
            if not (cells and cells[0] and not cells[0].isspace()) and not "".join(cells).strip():
                continue  # a blank row (or one of empty cells, as spreadsheets write them)
            problem = layout.ragged(cells)
            if problem is not None:
                sku = readable(cells[layout.sku]) if len(cells) > layout.sku else None
                yield ImportRow(row, sku, None, [problem])
                continue
            data, errors = layout.record(cells)
            yield self._finish(row, data, errors, column_of)

    def _json_rows(self, records: JsonArrayReader) -> Iterator[ImportRow]:
        for index, value in records:
            if isinstance(value, Skipped):
                yield ImportRow(index, None, None, [FieldError(ROW, value.reason)])
            else:
                yield self._finish(index, value, [], None)

    def _jsonl_rows(self) -> Iterator[ImportRow]:
        assert self._text is not None
        lines = CappedLines(self._text, MAX_RECORD_CHARS)
        for number, line in enumerate(lines, start=1):
            if lines.cut:
                lines.cut = False
                yield ImportRow(
                    number, None, None, [FieldError(ROW, _too_large("the line", MAX_RECORD_CHARS))]
                )
                continue
            if not line or line.isspace():
                continue
            try:
                value = decode_line(line.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                message = f"line {number} is not valid JSON: {exc.msg} at column {exc.colno}"
                yield ImportRow(number, None, None, [FieldError(ROW, message)])
                continue
            except RecursionError:
                yield ImportRow(number, None, None, [FieldError(ROW, TOO_DEEP.reason)])
                continue
            yield self._finish(number, value, [], None)

    # -- validation, shared by all formats ----------------------------------------------------------------

    def _finish(self, row: int, data: Any, errors: list[FieldError], names: Names | None) -> ImportRow:
        """Validate one record, and check its SKU against the rows before it."""
        try:
            product: Product | None = _validate(data)
        except ValidationError as exc:
            product = None
            errors.extend(field_errors(exc, names))
            if len(errors) > MAX_ERRORS:
                more = len(errors) - MAX_ERRORS
                errors[MAX_ERRORS:] = [FieldError(ROW, f"and {more} more errors in this {self._unit}")]
        if product is not None and not errors:
            first = self._seen.setdefault(product.sku, row)
            if first == row:
                return ImportRow(row, product.sku, product, errors)
            return ImportRow(row, product.sku, None, [self._repeated(product.sku, first)])
        raw = data.get("sku") if isinstance(data, dict) else None
        sku = readable(raw) if isinstance(raw, str) else None
        if sku is not None:
            first = self._seen.setdefault(sku, row)
            if first != row:
                errors.insert(0, self._repeated(sku, first))
        return ImportRow(row, sku, None, errors)

    def _repeated(self, sku: str, first: int) -> FieldError:
        return FieldError("sku", f"sku {echo(sku)} is repeated; it was first given in {self._unit} {first}")

    # -- the iterator ------------------------------------------------------------------------------------

    def __iter__(self) -> ProductReader:
        return self

    def __next__(self) -> ImportRow:
        try:
            return next(self._rows)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the file: closed if opened here, left open (and usable) if the caller passed a stream."""
        if self._text is not None:
            text, self._text = self._text, None
            if self._owned is None:
                text.detach()
            else:
                text.close()
        if self._owned is not None:
            owned, self._owned = self._owned, None
            owned.close()

    def __enter__(self) -> ProductReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _format_of(name: str) -> Format:
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    what = f"the file name {name!r}" if name else "a stream without a name"
    raise ImportFileError(f"cannot tell the format from {what}; use .csv, .json or .jsonl, or pass format")


def _sniff(stream: BinaryIO) -> None:
    """Refuse, with a useful message, the files that are clearly not UTF-8 text (when the stream can seek)."""
    try:
        if not stream.seekable():
            return
        start = stream.tell()
        head = stream.read(_SNIFF_BYTES)
        stream.seek(start)
    except (OSError, ValueError):
        return
    for bom, name in _BOMS:
        if head.startswith(bom):
            raise ImportFileError(f"the file is {name} text; save it as UTF-8 ('CSV UTF-8' in a spreadsheet)")
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError("the file is a zip or a spreadsheet workbook (.xlsx); save it as 'CSV UTF-8'")
    if b"\x00" in head:
        raise ImportFileError("the file is not text (it has NUL bytes); save it as UTF-8")


def _too_large(what: str, limit: int) -> str:
    return f"{what} is longer than {limit:,} characters and was not read"
