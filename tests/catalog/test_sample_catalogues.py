"""The shipped sample catalogues: one imports cleanly, the other shows each kind of mistake."""

from __future__ import annotations

from catalog_helpers import outcome

from catalog import samples
from catalog.errors import ROW
from catalog.importer import read_products


def test_the_sample_catalogue_imports_without_errors() -> None:
    rows = list(read_products(samples.path()))
    products = [row.product for row in rows if row.product is not None]
    assert len(products) == len(rows) >= 20
    assert len({p.brand for p in products}) >= 4
    assert sum("zh-CN" in p.localized for p in products) >= 5
    families = {p.parent_sku for p in products if p.parent_sku}
    assert families and all(p.variation_theme for p in products if p.parent_sku)
    assert all(p.image_urls[0].startswith("http://127.0.0.1/") for p in products)


def test_the_sample_with_errors_says_what_is_wrong_with_each_bad_row() -> None:
    result = outcome(read_products(samples.path(samples.SAMPLE_WITH_ERRORS)))
    good = [(row, sku) for row, sku, what in result if what == "ok"]
    bad = {row: what for row, _, what in result if isinstance(what, tuple)}
    assert good == [(1, "NW-CAP-01"), (13, "NW-CAP-12")]
    assert {row: field for row, (field, _) in bad.items()} == {
        2: "gtin",
        3: "price",
        4: "currency",
        5: "quantity",
        6: "image_urls",
        7: "sku",
        8: "condition",
        9: "sku",
        10: ROW,
        11: "title",
        12: "attributes",
    }
