from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import synthetic
from catalog.importer import ImportRow, read_products
from workers.store.errors import UnknownSellerError
from workers.store.imports import ImportResult, import_products
from workers.store.products import count_products, get_product
from workers.store.sellers import add_seller


@pytest.fixture
def seller(engine: Engine) -> str:
    with engine.begin() as conn:
        add_seller(conn, "acme")
    return "acme"


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    return synthetic.write(tmp_path / "catalogue.jsonl", 25, seed=7)


def test_rows_are_stored_in_batches_with_a_report_after_each(
    engine: Engine, seller: str, catalogue: Path
) -> None:
    seen: list[int] = []
    result = import_products(
        engine, seller, read_products(catalogue), batch_size=10, on_batch=lambda r: seen.append(r.rows)
    )
    assert (result.accepted, result.unchanged, result.rejected) == (25, 0, 0)
    assert seen == [10, 20, 25]
    with engine.connect() as conn:
        assert count_products(conn, seller) == (25, 0)
        first = next(synthetic.records(1, seed=7))
        stored = get_product(conn, seller, first["sku"])
    assert stored is not None and stored.data is not None
    assert stored.data["title"] == first["title"]


def test_a_second_import_of_the_same_file_writes_nothing(
    engine: Engine, seller: str, catalogue: Path
) -> None:
    import_products(engine, seller, read_products(catalogue))
    again = import_products(engine, seller, read_products(catalogue), batch_size=7)
    assert (again.accepted, again.unchanged, again.rejected) == (0, 25, 0)


def test_batches_already_read_stay_stored_when_the_file_breaks_off(
    engine: Engine, seller: str, catalogue: Path
) -> None:
    def rows() -> Iterator[ImportRow]:
        with read_products(catalogue) as reader:
            for n, row in enumerate(reader):
                if n == 15:
                    raise OSError("disk went away")
                yield row

    with pytest.raises(OSError, match="disk went away"):
        import_products(engine, seller, rows(), batch_size=10)
    with engine.connect() as conn:
        assert count_products(conn, seller) == (10, 0)


def test_rejected_rows_carry_row_sku_field_and_message(engine: Engine, seller: str, tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"sku": "A-1", "title": "T", "currency": "USD", "price": "1.999", "quantity": 1,'
        ' "image_urls": ["https://x.example/a.jpg"]}\n'
    )
    result = import_products(engine, seller, read_products(path))
    assert result.rejected == 1 and result.accepted == 0
    [error] = result.errors
    assert (error.row, error.sku, error.field) == (1, "A-1", "price")
    assert "1.999" in error.message
    assert result.as_json()["errors"] == [
        {"row": 1, "sku": "A-1", "field": "price", "message": error.message}
    ]


def test_importing_for_an_unknown_seller_reads_nothing(engine: Engine) -> None:
    def rows() -> Iterator[ImportRow]:
        raise AssertionError("read before the seller was checked")
        yield

    with pytest.raises(UnknownSellerError):
        import_products(engine, "ghost", rows())


def test_an_empty_result_counts_nothing() -> None:
    assert ImportResult().as_json() == {"accepted": 0, "rejected": 0, "unchanged": 0, "errors": []}
