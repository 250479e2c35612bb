"""Fixtures for the catalogue tests: a valid product record to vary, and the folder of import files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def record() -> dict[str, Any]:
    """A valid product in its JSON form, with every field group filled in."""
    return {
        "sku": "NW-JKT-001",
        "title": "Northwind Trail Jacket, waterproof, navy, M",
        "description": "A light three-layer shell for wet hikes.",
        "brand": "Northwind Outfitters",
        "gtin": "4006381333931",
        "mpn": "NWJ-001-NV-M",
        "condition": "new",
        "currency": "USD",
        "price": "129.50",
        "quantity": 14,
        "image_urls": [
            "http://127.0.0.1/images/NW-JKT-001/1.jpg",
            "http://127.0.0.1/images/NW-JKT-001/2.jpg",
        ],
        "localized": {
            "zh-CN": {"title": "北风户外 轻量防水夹克 藏青色 M码", "description": "三层防水面料。"},
        },
        "attributes": {"color": "navy", "size": "M"},
        "parent_sku": "NW-JKT",
        "variation_theme": "SizeColor",
        "amazon": {"product_type": "COAT", "quantity_buffer": 2},
        "ebay": {"category_id": "57988", "title": "Northwind Trail Jacket Navy M"},
        "tmall": {"cid": 50011739, "props": "20000:33564;1627207:28326", "price_cny": "899.00"},
    }


DATA = Path(__file__).parent / "data"


@pytest.fixture
def data() -> Path:
    """The folder of catalogue files the import tests read."""
    return DATA
