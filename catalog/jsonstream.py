"""JSON arrays and JSON Lines read one record at a time, so a 100,000-record file never sits in memory whole.

The array reader keeps a window of text, decodes one element with the standard library's C scanner, and
reads more when an element runs past the window. Numbers with a fraction become `Decimal` (prices stay
exact); NaN and Infinity stay the strings they were so that validation can name them. A record larger than
`max_record_chars` is skipped without being held in memory and reported as a `Skipped` value saying so
(as is one nested too deeply for the decoder, `TOO_DEEP`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Final, TextIO

from catalog.errors import ImportFileError

CHUNK_CHARS: Final = 1 << 16
MAX_RECORD_CHARS: Final = 1 << 20


class Skipped:
    """Stands in for a record that was passed over unread, saying why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Skipped({self.reason!r})"


#: A record nested deeper than the decoder goes.
TOO_DEEP: Final = Skipped("the record is nested too deeply to read")

_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=str)
_NOT_WS = re.compile(r"[^ \t\n\r]")
# While skipping an oversized record: the characters that change nesting, outside and inside strings.
_STRUCTURE = re.compile(r'[\[\]{}"]')
_STRING_END = re.compile(r'["\\]')
# Scalar records end at the next separator.
_SCALAR_END = re.compile(r"[,\]\s]")
# How far from the end of the window an error can be and still mean "the record goes on" (a split \uXXXX).
_TAIL: Final = 6


def decode_line(line: str) -> Any:
    """One JSON Lines record; raises `json.JSONDecodeError`."""
    return _DECODER.decode(line)


class JsonArrayReader:
    """The elements of the JSON array in `text`, as (1-based index, value or a `Skipped`) pairs.

    A syntax error makes the rest of the file unreadable: it raises `ImportFileError` naming the record,
    line and column (the records before it have been yielded already).
    """

    def __init__(
        self, text: TextIO, *, chunk_chars: int = CHUNK_CHARS, max_record_chars: int = MAX_RECORD_CHARS
    ) -> None:
        self._read = text.read
        self._chunk = chunk_chars
        self._max = max_record_chars
        self._too_large = Skipped(
            f"the record is longer than {max_record_chars:,} characters and was not read"
        )
        self._buf = ""
        self._eof = False
        self._lines_before = 0  # newlines in the text already dropped from the window

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        pos = self._skip_ws(0)
        if pos >= len(self._buf):
            raise ImportFileError("the file is empty; expected a JSON array of products: [{...}, {...}]")
        if self._buf[pos] != "[":
            hint = " (one product per line is JSON Lines: use .jsonl)" if self._buf[pos] == "{" else ""
            raise ImportFileError(f"expected a JSON array of products starting with '['{hint}")
        pos += 1
        index = 0
        while True:
            pos = self._skip_ws(pos)
            if pos >= len(self._buf):
                raise self._syntax(pos, "the array is not closed with ']'")
            char = self._buf[pos]
            if char == "]" and index == 0:
                break
            if index:
                if char == "]":
                    break
                if char != ",":
                    raise self._syntax(pos, f"after record {index}: expected ',' or ']'")
                pos = self._skip_ws(pos + 1)
                if pos < len(self._buf) and self._buf[pos] == "]":
                    raise self._syntax(pos, f"after record {index}: a trailing ',' before ']'")
            index += 1
            value, pos = self._decode(index, pos)
            yield index, value
            pos = self._compact(pos)
        pos = self._skip_ws(pos + 1)
        if pos < len(self._buf):
            raise self._syntax(pos, "after the closing ']': more text where the file should end")

    def _fill(self) -> bool:
        """Read one more chunk into the window; False at the end of the text."""
        if self._eof:
            return False
        chunk = self._read(self._chunk)
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def _compact(self, pos: int) -> int:
        """Drop the consumed part of the window once it is large; returns `pos` in the new window."""
        if pos < self._chunk:
            return pos
        self._lines_before += self._buf.count("\n", 0, pos)
        self._buf = self._buf[pos:]
        return 0

    def _skip_ws(self, pos: int) -> int:
        while True:
            m = _NOT_WS.search(self._buf, pos)
            if m is not None:
                return m.start()
            pos = len(self._buf)
            if not self._fill():
                return pos

    def _decode(self, index: int, pos: int) -> tuple[Any, int]:
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, pos)
            except RecursionError:
                return TOO_DEEP, self._skip_value(pos)
            except json.JSONDecodeError as exc:
                unfinished = exc.pos >= len(self._buf) - _TAIL or exc.msg.startswith("Unterminated string")
                if not unfinished or self._eof:
                    raise self._syntax(exc.pos, f"in record {index}: {exc.msg}") from None
                if len(self._buf) - pos >= self._max:
                    return self._too_large, self._skip_value(pos)
                self._fill()
                continue
            if end < len(self._buf) or not self._fill():
                # The same answer whatever the chunking: a record that fit in the window is still too large.
                return (self._too_large if end - pos > self._max else value), end

    def _skip_value(self, pos: int) -> int:
        """Move past the value at `pos` without decoding it, dropping text as it goes."""
        if self._buf[pos] not in '[{"':
            while (m := _SCALAR_END.search(self._buf, pos)) is None:
                pos = self._drop_all()
            return m.start()
        depth, in_string = 0, False
        while True:
            pattern = _STRING_END if in_string else _STRUCTURE
            m = pattern.search(self._buf, pos)
            if m is None:
                pos = self._drop_all()
                continue
            char, pos = m.group(), m.end()
            if in_string:
                if char == "\\":
                    if pos >= len(self._buf):
                        pos = self._drop_all()
                    pos += 1
                else:
                    in_string = False
                    if depth == 0:
                        return pos
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return pos

    def _drop_all(self) -> int:
        """Forget the whole window and read the next chunk; the file ends mid-record if there is none."""
        self._lines_before += self._buf.count("\n")
        self._buf = ""
        if not self._fill():
            raise ImportFileError("the file ends inside a record that is too large to read")
        return 0

    def _syntax(self, pos: int, what: str) -> ImportFileError:
        line = self._lines_before + self._buf.count("\n", 0, pos) + 1
        column = pos - self._buf.rfind("\n", 0, pos)
        return ImportFileError(f"the JSON is broken at line {line} column {column}, {what}")
