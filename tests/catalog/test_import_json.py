"""JSON array and JSON Lines import: the shared schema's JSON form, one record at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from catalog_helpers import outcome

from catalog.errors import ROW, FieldError, ImportFileError
from catalog.importer import read_products


def minimal(sku: str, **more: Any) -> dict[str, Any]:
    return {
        "sku": sku,
        "title": f"Product {sku}",
        "price": "10.00",
        "currency": "EUR",
        "quantity": 1,
        "image_urls": [f"https://img.test/{sku}.jpg"],
        **more,
    }


def write_array(path: Path, records: list[Any]) -> Path:
    path.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]", "utf-8")
    return path


def write_lines(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


BAD_RECORDS: list[Any] = [
    minimal("J-1", localized={"zh-CN": {"title": "茶"}}, amazon={"product_type": "tea", "price": "9.5"}),
    minimal("J-2", gtin="4006381333932"),
    minimal("J-3", amazon={"price": "9.999"}),
    minimal("J-4", colour="red"),
    minimal("J-1"),
    [1, 2, 3],
    minimal("J-5", image_urls=["https://img.test/a.jpg", "https://img.test/a.jpg"]),
    minimal("J-6", localized={"chinese": {"title": "茶"}}),
    minimal("J-7", quantity=-1, currency="KWD", price="1.0005"),
]
EXPECTED = [
    (1, "J-1", "ok"),
    (2, "J-2", ("gtin", "gtin 4006381333932: check digit should be 1")),
    (3, "J-3", ("amazon.price", "amazon.price 9.999 has 3 decimals; EUR allows 2")),
    (4, "J-4", ("colour", "colour is not a known field")),
    (5, "J-1", ("sku", "sku 'J-1' is repeated; it was first given in {unit} 1")),
    (6, None, (ROW, "record must be an object")),
    (7, "J-5", ("image_urls", "image_urls item 2 repeats item 1 ('https://img.test/a.jpg')")),
    (8, "J-6", ("localized", "localized key 'chinese' is not a language tag like zh-CN or en-US")),
    (9, "J-7", ("price", "price 1.0005 has 4 decimals; KWD allows 3")),
    (9, "J-7", ("quantity", "quantity -1 is negative; use 0 or more")),
]


def expected(unit: str) -> list[Any]:
    out = []
    for row, sku, what in EXPECTED:
        if isinstance(what, tuple):
            what = (what[0], what[1].format(unit=unit))
        out.append((row, sku, what))
    return out


def test_a_json_array_reports_each_record_by_its_position(tmp_path: Path) -> None:
    rows = list(read_products(write_array(tmp_path / "c.json", BAD_RECORDS)))
    assert outcome(rows) == expected("record")
    first = rows[0].product
    assert first is not None and first.amazon is not None
    assert (first.amazon.product_type, str(first.amazon.price), first.localized["zh-CN"].title) == (
        "TEA",
        "9.50",
        "茶",
    )


def test_json_lines_report_each_record_by_its_line(tmp_path: Path) -> None:
    assert outcome(read_products(write_lines(tmp_path / "c.jsonl", BAD_RECORDS))) == expected("line")


def test_json_numbers_are_read_as_exact_decimals(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text(
        '[{"sku":"N-1","title":"T","price":0.1,"currency":"USD","quantity":1,'
        '"image_urls":["https://a.test/1.jpg"]},'
        '{"sku":"N-2","title":"T","price":19.999,"currency":"USD","quantity":1,'
        '"image_urls":["https://a.test/1.jpg"]}]',
        "utf-8",
    )
    rows = list(read_products(path))
    assert rows[0].product is not None and str(rows[0].product.price) == "0.10"
    assert outcome(rows[1:]) == [(2, "N-2", ("price", "price 19.999 has 3 decimals; USD allows 2"))]


def test_a_bad_json_line_costs_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = json.dumps(minimal("L-1"))
    path.write_text(f'{good}\n\n{{"sku": "L-2",\n{json.dumps(minimal("L-3"))}\n', "utf-8")
    assert outcome(read_products(path)) == [
        (1, "L-1", "ok"),
        (
            3,
            None,
            (ROW, "line 3 is not valid JSON: Expecting property name enclosed in double quotes at column 15"),
        ),
        (4, "L-3", "ok"),
    ]


def test_a_broken_json_array_raises_after_the_records_before_the_break(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        "[" + json.dumps(minimal("B-1")) + ",\n" + json.dumps(minimal("B-2"))[:-1] + " oops}]", "utf-8"
    )
    reader = read_products(path)
    assert next(reader).sku == "B-1"
    with pytest.raises(ImportFileError, match=r"the JSON is broken at line 2 column \d+, in record 2"):
        next(reader)


def test_bytes_that_are_not_utf8_in_a_json_string_are_that_fields_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    record = json.dumps(minimal("E-1", brand="Caf\u00e9"), ensure_ascii=False).encode("utf-8")
    path.write_bytes(
        record.replace("é".encode(), b"\xe9") + b"\n" + json.dumps(minimal("E-2")).encode() + b"\n"
    )
    assert outcome(read_products(path)) == [
        (1, "E-1", ("brand", "brand has bytes that are not UTF-8 text; save the file as UTF-8")),
        (2, "E-2", "ok"),
    ]


def test_a_json_file_with_a_bom_reads_like_one_without(tmp_path: Path) -> None:
    path = write_array(tmp_path / "bom.json", [minimal("M-1")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert outcome(read_products(path)) == [(1, "M-1", "ok")]


def test_an_oversized_record_is_skipped_and_the_next_ones_read(tmp_path: Path) -> None:
    records = [minimal("O-1"), minimal("O-2", description="d" * 1_500_000), minimal("O-3")]
    assert outcome(read_products(write_array(tmp_path / "big.json", records))) == [
        (1, "O-1", "ok"),
        (2, None, (ROW, "the record is longer than 1,048,576 characters and was not read")),
        (3, "O-3", "ok"),
    ]
    assert outcome(read_products(write_lines(tmp_path / "big.jsonl", records))) == [
        (1, "O-1", "ok"),
        (2, None, (ROW, "the line is longer than 1,048,576 characters and was not read")),
        (3, "O-3", "ok"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty; expected a JSON array of products"),
        ('{"sku": "X"}', "expected a JSON array of products starting with '\\[' \\(one product per line"),
        ("[1,]", "after record 1: a trailing ','"),
        ("[1] 2", "after the closing '\\]'"),
        ("[1", "the array is not closed"),
    ],
)
def test_a_file_that_is_not_a_json_array_says_so(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ImportFileError, match=message):
        list(read_products(path))


def test_a_record_nested_too_deeply_costs_only_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(
        json.dumps(minimal("D-1")) + "\n" + "[" * 50_000 + "]" * 50_000 + "\n" + json.dumps(minimal("D-2"))
    )
    assert outcome(read_products(path)) == [
        (1, "D-1", "ok"),
        (2, None, (ROW, "the record is nested too deeply to read")),
        (3, "D-2", "ok"),
    ]


def test_a_record_with_endless_mistakes_reports_a_bounded_number(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "typos.jsonl", [minimal("T-1", **{f"field{i}": i for i in range(5000)})])
    [row] = read_products(path)
    assert len(row.errors) == 31
    assert row.errors[-1] == FieldError(ROW, "and 4970 more errors in this line")
