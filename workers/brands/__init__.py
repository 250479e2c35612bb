"""Brands and counterfeit checks: the registry, official images, the persisted index and the verdicts.

- `add_brand`, `update_brand`, `get_brand`, `list_brands` (registry), taking a `Connection`.
- `add_images(engine, brand, sources, loader=...)`: official images from paths, folders, URLs or bytes;
  `list_images`, `remove_images` and `remove_brand` (with `brand_holdings` to say what it would delete).
- `BrandIndex(engine)`: the index a worker keeps, reloaded when brands change; `Checker(index).check_image`
  gives a `Verdict` (`counterfeit-suspect`, `authorized`, `no-match`).

Every error raised here is a `BrandError`; images that cannot be loaded raise `fingerprints.ImageError`.
"""

from __future__ import annotations

from workers.brands.check import Checker, Verdict, VerdictKind, decide
from workers.brands.errors import BrandError, BrandExistsError, InvalidBrandError, UnknownBrandError
from workers.brands.images import (
    ImageReport,
    OfficialImage,
    Rejected,
    StoredImage,
    add_images,
    collect_sources,
    list_images,
)
from workers.brands.index import BrandIndex, Reference, Snapshot, load_snapshot
from workers.brands.registry import (
    BrandChanges,
    BrandInfo,
    SellerRef,
    add_brand,
    get_brand,
    list_brands,
    update_brand,
)
from workers.brands.removal import BrandHoldings, brand_holdings, remove_brand, remove_images

__all__ = [
    "BrandChanges",
    "BrandError",
    "BrandExistsError",
    "BrandHoldings",
    "BrandIndex",
    "BrandInfo",
    "Checker",
    "ImageReport",
    "InvalidBrandError",
    "OfficialImage",
    "Reference",
    "Rejected",
    "SellerRef",
    "Snapshot",
    "StoredImage",
    "UnknownBrandError",
    "Verdict",
    "VerdictKind",
    "add_brand",
    "add_images",
    "brand_holdings",
    "collect_sources",
    "decide",
    "get_brand",
    "list_brands",
    "list_images",
    "load_snapshot",
    "remove_brand",
    "remove_images",
    "update_brand",
]
