"""The incremental JSON array reader: the same values as `json.loads`, whatever the chunk size."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.jsonstream import TOO_DEEP, JsonArrayReader, Skipped

tricky_text = st.text(alphabet=st.sampled_from('ab"\\[]{},: \n\u00e9\u4e2d\U0001f600'), max_size=12)
leaves = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | tricky_text
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
    max_leaves=12,
)


def read(text: str, chunk: int, limit: int = 1 << 20) -> list[Any]:
    return [
        value for _, value in JsonArrayReader(io.StringIO(text), chunk_chars=chunk, max_record_chars=limit)
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(values, max_size=6), st.integers(1, 40), st.sampled_from([None, 0, 2]))
def test_any_chunk_size_yields_what_json_loads_gives(
    records: list[Any], chunk: int, indent: int | None
) -> None:
    text = json.dumps(records, indent=indent, ensure_ascii=False)
    assert read(text, chunk) == records


@settings(max_examples=100, deadline=None)
@given(st.lists(values, min_size=1, max_size=5), st.integers(0, 4), st.integers(1, 16))
def test_an_oversized_record_is_skipped_whole(records: list[Any], big_at: int, chunk: int) -> None:
    big = {"pad": "x" * 200, "tricky": '"]}[{\\', "nested": [{"a": "]"}]}
    records = [*records[:big_at], big, *records[big_at:]]
    out = read(json.dumps(records, ensure_ascii=False), chunk, limit=150)
    assert len(out) == len(records)
    assert isinstance(out[min(big_at, len(records) - 1)], Skipped)
    for value, record in zip(out, records, strict=True):
        if len(json.dumps(record, ensure_ascii=False)) <= 150:
            assert value == record
        else:
            assert isinstance(value, Skipped)
            assert value.reason == "the record is longer than 150 characters and was not read"


def test_fractions_become_decimals_and_nan_stays_text() -> None:
    assert read('[{"p": 12.50, "q": 3, "n": NaN}]', 4) == [{"p": Decimal("12.50"), "q": 3, "n": "NaN"}]


def test_a_record_nested_too_deeply_is_skipped_and_the_next_one_read() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert read(f'[{{"a": 1}}, {deep}, {{"b": 2}}]', 1 << 16, limit=1 << 20) == [{"a": 1}, TOO_DEEP, {"b": 2}]


def test_records_are_numbered_from_one() -> None:
    reader = JsonArrayReader(io.StringIO('[{"a": 1}, {"a": 2}]'))
    assert [index for index, _ in reader] == [1, 2]
