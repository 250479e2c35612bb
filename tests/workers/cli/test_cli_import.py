from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cli_helpers import Cli

from workers.store import open_engine
from workers.store.models import Product

HEADER = (
    "sku,title,description,brand,gtin,mpn,condition,price,currency,quantity,image_urls,title_zh,"
    "description_zh,amazon_product_type,ebay_category_id,tmall_cid,parent_sku,variation_theme,attributes"
)


def row(sku: str, **fields: str) -> dict[str, str]:
    good = {
        "sku": sku,
        "title": f"Canvas tote {sku}",
        "description": "A sturdy tote.",
        "brand": "Northwind",
        "gtin": "4006381333931",
        "condition": "new",
        "price": "19.99",
        "currency": "USD",
        "quantity": "5",
        "image_urls": f"https://img.example.com/{sku}/1.jpg|https://img.example.com/{sku}/2.jpg",
        "title_zh": "帆布包",
        "attributes": "color=navy|size=M",
    }
    return {**good, **fields}


def write_csv(path: Path, rows: list[dict[str, str]], *, bom: bool = False) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER.split(","), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return path


def stored(db_url: str) -> dict[str, dict]:
    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            return {sku: data for sku, data in conn.execute(sa.select(Product.sku, Product.data))}
    finally:
        engine.dispose()


@pytest.fixture
def seller(cli_db: Cli) -> Iterator[str]:
    assert cli_db("sellers", "add", "acme").returncode == 0
    yield "acme"


def test_a_good_file_is_stored_and_reimporting_it_changes_nothing(
    cli_db: Cli, seller: str, db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "catalogue.csv", [row(f"TOTE-{n}") for n in range(30)])
    first = cli_db.json("import", str(path), "--seller", seller)
    assert first == {"accepted": 30, "rejected": 0, "unchanged": 0, "errors": []}
    products = stored(db_url)
    assert len(products) == 30
    assert (
        products["TOTE-7"]["price"] == "19.99"
        and products["TOTE-7"]["localized"]["zh-CN"]["title"] == "帆布包"
    )
    assert products["TOTE-7"]["attributes"] == {"color": "navy", "size": "M"}

    again = cli_db.json("import", str(path), "--seller", seller)
    assert again == {"accepted": 0, "rejected": 0, "unchanged": 30, "errors": []}
    assert stored(db_url) == products

    changed = [row(f"TOTE-{n}", price="17.50" if n == 3 else "19.99") for n in range(30)]
    third = cli_db.json("import", str(write_csv(tmp_path / "changed.csv", changed)), "--seller", seller)
    assert (third["accepted"], third["unchanged"]) == (1, 29)
    assert stored(db_url)["TOTE-3"]["price"] == "17.50"
    status = cli_db.json("status", seller)
    assert status["products"] == 30


BAD_ROWS = {
    # data row number -> (the row, the field its error names)
    2: (row("BAD-GTIN", gtin="4006381333932"), "gtin"),
    3: (row("BAD-QTY", quantity="-1"), "quantity"),
    5: (row("BAD-PRICE", price="12.345"), "price"),
    6: (row("BAD-CUR", currency="XYZ"), "currency"),
    8: (row("BAD-URL", image_urls="ftp://img.example.com/a.jpg"), "image_urls"),
    9: (row("GOOD-1", title="duplicate of row 1"), "sku"),
    10: (row("HUGE", description="x" * 200_000), "description"),
}


def test_a_corpus_of_bad_rows_is_reported_precisely_and_every_good_row_is_stored(
    cli_db: Cli, seller: str, db_url: str, tmp_path: Path
) -> None:
    rows = [row(f"GOOD-{n}") for n in range(1, 13)]
    for number, (bad, _) in sorted(BAD_ROWS.items()):
        rows.insert(number - 1, bad)
    path = write_csv(tmp_path / "mixed.csv", rows, bom=True)
    lines = path.read_bytes().split(b"\n")
    # data row 12: ragged (too few cells); data row 13: a title in Latin-1, not UTF-8
    lines.insert(12, b"RAGGED-1,Short row,desc")
    cells = row("LATIN-1", title="Caf\u00e9 cr\u00e8me", title_zh="")
    latin1 = ",".join(cells.get(name, "") for name in HEADER.split(",")).encode("latin-1")
    lines.insert(13, latin1)
    path.write_bytes(b"\n".join(lines))

    result = cli_db.json("import", str(path), "--seller", seller)
    reported = {(e["row"], e["sku"], e["field"]) for e in result["errors"]}
    expected = {(number, bad["sku"], field) for number, (bad, field) in BAD_ROWS.items()}
    assert expected <= reported
    assert any(e["row"] == 12 and e["sku"] == "RAGGED-1" for e in result["errors"])
    assert (13, "LATIN-1", "title") in reported
    assert all(e["message"] for e in result["errors"])
    assert result["rejected"] == len(BAD_ROWS) + 2
    assert result["accepted"] == 12
    assert set(stored(db_url)) == {f"GOOD-{n}" for n in range(1, 13)}


def test_json_and_json_lines_files_import_too(cli: Cli, tmp_path: Path) -> None:
    assert cli("sellers", "add", "acme").returncode == 0
    record = {
        "sku": "J-1",
        "title": "Tea sampler",
        "currency": "EUR",
        "price": "12.50",
        "quantity": 3,
        "image_urls": ["https://img.example.com/j1.jpg"],
        "localized": {"zh-CN": {"title": "茶叶礼盒"}},
    }
    (tmp_path / "a.json").write_text(json.dumps([record, {**record, "sku": "J-2"}]))
    (tmp_path / "b.jsonl").write_text(
        json.dumps({**record, "sku": "J-3"}) + "\n" + json.dumps({"sku": "J-4"})
    )
    first = cli.json("import", str(tmp_path / "a.json"), "--seller", "acme")
    assert (first["accepted"], first["rejected"]) == (2, 0)
    second = cli.json("import", str(tmp_path / "b.jsonl"), "--seller", "acme")
    assert (second["accepted"], second["rejected"]) == (1, 1)
    assert {e["row"] for e in second["errors"]} == {2}
    assert cli.json("status", "acme")["products"] == 3


def test_the_text_summary_counts_rows_and_lists_errors(cli: Cli, tmp_path: Path) -> None:
    assert cli("sellers", "add", "acme").returncode == 0
    path = write_csv(tmp_path / "c.csv", [row("A-1"), row("A-2", quantity="-4")])
    done = cli("import", str(path), "--seller", "acme")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Imported c.csv for acme: 1 accepted, 0 unchanged, 1 rejected."
    assert lines[1].startswith("  row 2 (SKU A-2), quantity: ")


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"sku;title;price\nA;B;1\n", "wrong-header.csv", "header"),
        (b"", "empty.csv", "empty"),
        (f"{HEADER}\n".encode("utf-16"), "utf16.csv", "UTF-8"),
        (b"{}", "catalogue.xlsx", "format"),
    ],
)
def test_an_unreadable_file_exits_2_with_the_reason_and_stores_nothing(
    cli: Cli, tmp_path: Path, content: bytes, name: str, reason: str
) -> None:
    assert cli("sellers", "add", "acme").returncode == 0
    (tmp_path / name).write_bytes(content)
    done = cli("import", str(tmp_path / name), "--seller", "acme", "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert name in done.stderr and reason in done.stderr
    assert cli.json("status", "acme")["products"] == 0


def test_a_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("sellers", "add", "acme").returncode == 0
    done = cli("import", str(tmp_path / "nope.csv"), "--seller", "acme")
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "nope.csv" in done.stderr
