"""Brands and counterfeit checks: the registry, official images, the persisted index and the verdicts.

- `add_brand`, `update_brand`, `get_brand`, `list_brands` (registry), taking a `Connection`.
- `add_images(engine, brand, sources, loader=...)`: official images from paths, folders, URLs or bytes;
  `list_images`, `remove_images` and `remove_brand` (with `brand_holdings` to say what it would delete).
- `BrandIndex(engine)`: the index a worker keeps, reloaded when brands change; `Checker(index).check_image`
  gives a `Verdict` (`counterfeit-suspect`, `authorized`, `no-match`).

Every error raised here is a `BrandError`; images that cannot be loaded raise `fingerprints.ImageError`.

Each name is imported from its module when first used: registering or listing brands needs neither the
matcher nor the image libraries, and the commands that only do that start without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workers.brands.check import Checker, Verdict, VerdictKind, decide
    from workers.brands.errors import BrandError, BrandExistsError, InvalidBrandError, UnknownBrandError
    from workers.brands.images import ImageReport, Rejected, StoredImage, add_images, collect_sources
    from workers.brands.index import BrandIndex, Reference, Snapshot, load_snapshot
    from workers.brands.official import OfficialImage, list_images, remove_images
    from workers.brands.registry import (
        BrandChanges,
        BrandInfo,
        SellerRef,
        add_brand,
        get_brand,
        list_brands,
        update_brand,
    )
    from workers.brands.removal import BrandHoldings, brand_holdings, remove_brand

_MODULES = {
    "Checker": "workers.brands.check",
    "Verdict": "workers.brands.check",
    "VerdictKind": "workers.brands.check",
    "decide": "workers.brands.check",
    "BrandError": "workers.brands.errors",
    "BrandExistsError": "workers.brands.errors",
    "InvalidBrandError": "workers.brands.errors",
    "UnknownBrandError": "workers.brands.errors",
    "ImageReport": "workers.brands.images",
    "OfficialImage": "workers.brands.official",
    "Rejected": "workers.brands.images",
    "StoredImage": "workers.brands.images",
    "add_images": "workers.brands.images",
    "collect_sources": "workers.brands.images",
    "list_images": "workers.brands.official",
    "BrandIndex": "workers.brands.index",
    "Reference": "workers.brands.index",
    "Snapshot": "workers.brands.index",
    "load_snapshot": "workers.brands.index",
    "BrandChanges": "workers.brands.registry",
    "BrandInfo": "workers.brands.registry",
    "SellerRef": "workers.brands.registry",
    "add_brand": "workers.brands.registry",
    "get_brand": "workers.brands.registry",
    "list_brands": "workers.brands.registry",
    "update_brand": "workers.brands.registry",
    "BrandHoldings": "workers.brands.removal",
    "brand_holdings": "workers.brands.removal",
    "remove_brand": "workers.brands.removal",
    "remove_images": "workers.brands.official",
}

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


def __getattr__(name: str) -> Any:
    """Import `name` from its module on first use, and keep it here."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
