"""CSV import: good rows come out as products, each bad row is reported precisely, the rest keep coming."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from catalog_helpers import outcome

from catalog.errors import ROW, ImportFileError
from catalog.importer import read_products

GOOD = [(1, "TEA-1", "ok"), (2, "TEA-2", "ok"), (3, "TEA-3", "ok")]


def test_every_good_row_becomes_a_product(data: Path) -> None:
    rows = list(read_products(data / "good.csv"))
    assert outcome(rows) == GOOD
    tea1, tea2, tea3 = (row.product for row in rows)
    assert tea1 is not None and tea2 is not None and tea3 is not None
    assert tea1.localized["zh-CN"].title == "安溪铁观音 100克"
    assert tea1.attributes == {"origin": "Fujian", "roast": "light"}
    assert tea1.amazon is not None and tea1.amazon.product_type == "TEA"
    assert tea1.tmall is not None and tea1.tmall.cid == 50008825
    assert tea2.title == "Pu-erh cake, 357 g"
    assert tea2.image_urls == ["http://127.0.0.1/images/TEA-2/1.jpg", "https://cdn.example.com/TEA-2/2.jpg"]
    assert str(tea2.price) == "46.00"
    assert tea3.currency == "USD" and tea3.parent_sku == "TEA-SET" and tea3.description is None


def test_empty_cells_mean_not_given(data: Path) -> None:
    with read_products(data / "good.csv") as reader:
        tea3 = next(row for row in reader if row.sku == "TEA-3").product
    assert tea3 is not None
    assert (tea3.brand, tea3.gtin, tea3.amazon, tea3.localized, tea3.attributes) == (
        "Harbor Tea Co.",
        None,
        None,
        {},
        {},
    )


def test_a_bom_crlf_lines_and_header_case_change_nothing(data: Path) -> None:
    plain = [row.product for row in read_products(data / "good.csv")]
    with_bom = [row.product for row in read_products(data / "bom.csv")]
    assert with_bom == plain


def test_each_bad_value_is_named_with_its_row_sku_and_field(data: Path) -> None:
    assert outcome(read_products(data / "bad_values.csv")) == [
        (1, "TEA-1", "ok"),
        (2, "BAD-GTIN", ("gtin", "gtin 4006381333932: check digit should be 1")),
        (3, "BAD-QTY", ("quantity", "quantity -3 is negative; use 0 or more")),
        (4, "BAD-PRICE", ("price", "price 12.345 has 3 decimals; USD allows 2")),
        (
            5,
            "BAD-CUR",
            ("currency", "currency 'XYZ' is not an ISO 4217 currency code (like USD, EUR, CNY, JPY)"),
        ),
        (
            6,
            "BAD-URL",
            (
                "image_urls",
                "image_urls item 1 'ftp://127.0.0.1/i/5.jpg' is not an absolute http:// or https:// URL",
            ),
        ),
        (7, "TEA-1", ("sku", "sku 'TEA-1' is repeated; it was first given in row 1")),
        (8, "BAD-JPY", ("price", "price 1200.5 has 1 decimal; JPY allows none")),
        (9, "TEA-2", "ok"),
    ]


def test_ragged_rows_are_rejected_whole_and_the_next_rows_still_read(data: Path) -> None:
    assert outcome(read_products(data / "ragged.csv")) == [
        (1, "TEA-1", "ok"),
        (2, "TEA-4", (ROW, "row has 20 cells but the header has 19; quote a value that has a comma in it")),
        (3, "TEA-5", (ROW, "row has 10 cells but the header has 19")),
        (4, "TEA-2", "ok"),
    ]


def test_a_row_with_bytes_that_are_not_utf8_is_one_rows_error(data: Path) -> None:
    assert outcome(read_products(data / "bad_encoding.csv")) == [
        (1, "TEA-1", "ok"),
        (2, "TEA-6", ("title", "title has bytes that are not UTF-8 text; save the file as UTF-8")),
        (3, "TEA-2", "ok"),
    ]


def test_an_unknown_column_is_ignored_with_a_warning(data: Path) -> None:
    reader = read_products(data / "extra_column.csv")
    assert reader.warnings == ["column 'notes' is not a catalogue field and was ignored"]
    assert outcome(reader) == [(1, "TEA-1", "ok"), (2, "TEA-2", "ok")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("misspelt_header.csv", "the header is wrong: unknown column 'prce' (did you mean 'price'?)"),
        ("missing_column.csv", "the header is wrong: missing required column currency"),
        ("duplicate_column.csv", "the header is wrong: column 'price' appears twice (columns 8 and 20)"),
        ("utf16.csv", "the file is UTF-16 text; save it as UTF-8 ('CSV UTF-8' in a spreadsheet)"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_is_rejected_naming_why(
    data: Path, name: str, message: str
) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_products(data / name)
    assert str(caught.value) == message


@pytest.mark.parametrize(("separator", "named"), [(";", "';'"), ("\t", "a tab")])
def test_a_file_separated_by_semicolons_or_tabs_is_told_to_use_commas(
    tmp_path: Path, data: Path, separator: str, named: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text((data / "good.csv").read_text(encoding="utf-8").replace(",", separator), encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_products(path)
    assert str(caught.value).startswith(f"the fields are separated by {named}, not commas; save the file as")


def test_a_file_without_a_header_is_told_what_the_first_line_must_be(data: Path) -> None:
    with pytest.raises(
        ImportFileError, match="missing required columns sku, title, price, currency, quantity"
    ):
        read_products(data / "no_header.csv")
    with pytest.raises(ImportFileError, match=r"the first line must be the header, e\.g\. sku,title,price"):
        read_products(data / "no_header.csv")


def test_a_huge_cell_is_one_rows_error_with_its_field(tmp_path: Path, data: Path) -> None:
    lines = (data / "good.csv").read_text(encoding="utf-8").splitlines()
    huge = "x" * 300_000
    lines.insert(2, f'HUGE-1,Big description,"{huge}",,,,new,1.00,USD,1,http://127.0.0.1/h.jpg,,,,,,,,')
    path = tmp_path / "huge.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert outcome(read_products(path)) == [
        (1, "TEA-1", "ok"),
        (2, "HUGE-1", ("description", "description has 300,000 characters; at most 25,000 are allowed")),
        (3, "TEA-2", "ok"),
        (4, "TEA-3", "ok"),
    ]


def test_a_cell_past_the_csv_limit_costs_only_its_own_row(tmp_path: Path, data: Path) -> None:
    lines = (data / "good.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(2, "GIANT-1,Giant," + "y" * 2_000_000 + ",,,,new,1.00,USD,1,http://127.0.0.1/g.jpg,,,,,,,,")
    path = tmp_path / "giant.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = outcome(read_products(path))
    assert result[0] == (1, "TEA-1", "ok")
    assert result[1][0] == 2 and result[1][2][0] == ROW
    assert "longer than 1,048,576 characters" in result[1][2][1]
    assert result[2:] == [(3, "TEA-2", "ok"), (4, "TEA-3", "ok")]


def test_a_line_past_the_line_limit_is_cut_and_reported(tmp_path: Path, data: Path) -> None:
    lines = (data / "good.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(2, "LONG-1,Long," + ",".join(["z" * 500_000] * 10) + ",USD,1")
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert outcome(read_products(path)) == [
        (1, "TEA-1", "ok"),
        (2, "LONG-1", (ROW, "the row is longer than 4,194,304 characters and was not read")),
        (3, "TEA-2", "ok"),
        (4, "TEA-3", "ok"),
    ]


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path: Path, data: Path) -> None:
    lines = (data / "good.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(2, "")
    lines.insert(3, "," * 18)
    path = tmp_path / "blank.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert outcome(read_products(path)) == [(1, "TEA-1", "ok"), (4, "TEA-2", "ok"), (5, "TEA-3", "ok")]


def test_several_errors_in_one_row_are_all_reported(tmp_path: Path, data: Path) -> None:
    header = (data / "good.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "many.csv"
    path.write_text(header + "\nMANY-1,,,,123,,mint,0,USD,lots,,,,,,,,,colour\n", encoding="utf-8")
    assert outcome(read_products(path)) == [
        (1, "MANY-1", ("attributes", "attributes item 'colour' must look like name=value")),
        (1, "MANY-1", ("title", "title is required")),
        (1, "MANY-1", ("gtin", "gtin 123 has 3 digits; a GTIN has 8, 12, 13 or 14")),
        (
            1,
            "MANY-1",
            (
                "condition",
                "condition 'mint' is not one of: 'new', 'used_like_new', 'used_very_good', 'used_good', "
                "'used_acceptable' or 'refurbished'",
            ),
        ),
        (1, "MANY-1", ("price", "price 0 must be more than 0")),
        (1, "MANY-1", ("quantity", "quantity 'lots' is not a whole number")),
        (1, "MANY-1", ("image_urls", "image_urls is required")),
    ]


def test_override_columns_fill_the_marketplace_overrides(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(
        "sku,title,price,currency,quantity,image_urls,amazon_price,amazon_quantity_buffer,amazon_enabled,"
        "ebay_title,ebay_price,tmall_props,tmall_price_cny,tmall_enabled\n"
        "OV-1,Jacket,100,USD,5,https://a.test/1.jpg,99.5,2,false,Short eBay title,98,20000:33564,699,no\n"
        "OV-2,Jacket,100,USD,5,https://a.test/2.jpg,99.999,,maybe,,,20000,,\n",
        encoding="utf-8",
    )
    rows = list(read_products(path))
    product = rows[0].product
    assert product is not None and product.amazon is not None and product.ebay is not None
    assert product.tmall is not None
    assert (str(product.amazon.price), product.amazon.quantity_buffer, product.amazon.enabled) == (
        "99.50",
        2,
        False,
    )
    assert (product.ebay.title, str(product.ebay.price)) == ("Short eBay title", "98.00")
    assert (product.tmall.props, str(product.tmall.price_cny), product.tmall.enabled) == (
        "20000:33564",
        "699.00",
        False,
    )
    assert outcome(rows[1:]) == [
        (2, "OV-2", ("amazon_enabled", "amazon_enabled 'maybe' must be true or false")),
        (
            2,
            "OV-2",
            (
                "tmall_props",
                "tmall_props '20000' must be pid:vid pairs separated by ';' (like 20000:33564;1627207:28326)",
            ),
        ),
    ]


def test_a_binary_stream_is_read_and_left_open() -> None:
    stream = io.BytesIO(
        b"sku,title,price,currency,quantity,image_urls\nS-1,Cup,3.50,EUR,2,https://a.test/c.jpg\n"
    )
    rows = list(read_products(stream, "csv"))
    assert outcome(rows) == [(1, "S-1", "ok")]
    assert not stream.closed


def test_a_missing_file_or_unknown_format_is_an_import_file_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        read_products(tmp_path / "absent.csv")
    (tmp_path / "catalogue.xml").write_text("<products/>", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"use \.csv, \.json or \.jsonl"):
        read_products(tmp_path / "catalogue.xml")
    (tmp_path / "book.csv").write_bytes(b"PK\x03\x04rest of a workbook")
    with pytest.raises(ImportFileError, match="spreadsheet workbook"):
        read_products(tmp_path / "book.csv")
