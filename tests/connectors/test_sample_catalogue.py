"""The shipped sample catalogue against each sandbox: every product projects and is accepted as it stands."""

from __future__ import annotations

from catalog import samples
from catalog.importer import read_products
from catalog.product import Product
from connectors.base import Action, Change
from connectors.sandbox.top.categories import BRANDS, brand_of

SAMPLE_PICTURES = "http://127.0.0.1/images/"


def sample_products(picture_base: str) -> list[Product]:
    """The sample catalogue, its pictures moved under `picture_base` (as the demo moves them)."""
    products = []
    for row in read_products(samples.path()):
        assert row.product is not None, row
        urls = [u.replace(SAMPLE_PICTURES, picture_base) for u in row.product.image_urls]
        products.append(row.product.model_copy(update={"image_urls": urls}))
    return products


def creates(products: list[Product]) -> list[Change]:
    return [Change(Action.CREATE, p.sku, p) for p in products]


def test_every_sample_product_validates_on_amazon_as_a_full_listing(amazon) -> None:
    connector = amazon.connector()
    for product in sample_products("https://images.example.com/"):
        listing = connector.project(product)
        body = connector.http.json(
            "PUT",
            f"/listings/2021-08-01/items/{amazon.seller}/{product.sku}",
            params={"marketplaceIds": connector.marketplace_id, "mode": "VALIDATION_PREVIEW"},
            json={
                "productType": listing.product_type,
                "requirements": "LISTING",
                "attributes": listing.attributes,
            },
        )
        errors = [i for i in body["issues"] if i["severity"] == "ERROR"]
        assert (body["status"], errors) == ("VALID", []), product.sku
    assert amazon.sandbox.listings(amazon.seller) == {}  # a preview saves nothing


def test_every_sample_product_goes_live_on_ebay(ebay) -> None:
    connector = ebay.connector()
    connector.ensure_location("warehouse-1", "US", "95125")
    products = sample_products("https://images.example.com/")
    results = connector.push(creates(products))
    assert [(r.sku, r.error) for r in results if not r.ok] == []
    assert {item["sku"] for item in ebay.sandbox.live(ebay.seller)} == {p.sku for p in products}


def test_every_new_sample_product_goes_live_on_tmall_with_its_brand_authorized(tmall, image_host) -> None:
    products = sample_products(f"{image_host.url}/")
    offered = [p for p in products if p.tmall is None or p.tmall.enabled]
    assert {str(p.condition) for p in products if p not in offered} == {"refurbished", "used_good"}
    assert {str(p.condition) for p in offered} == {"new"}  # Tmall sells new goods only
    brands = {brand_of(str(p.tmall.props)) for p in offered if p.tmall is not None}
    assert all(vid in BRANDS for vid in brands)
    connector = tmall.connector()
    refused = connector.push(creates(offered[:1]))[0].error
    assert refused is not None and "brand authorization" in str(refused)
    for vid in brands:
        assert vid is not None
        tmall.sandbox.authorize_brand(tmall.seller, vid)
    results = connector.push(creates(offered))
    assert [(r.sku, r.error) for r in results if not r.ok] == []
    live = {str(item["outer_id"]): item for item in tmall.sandbox.live(tmall.seller)}
    assert set(live) == {p.sku for p in offered}
    assert live["NW-JKT-NAV-S"]["title"] == "北风户外 轻量防水徒步夹克 藏青色 S码"
