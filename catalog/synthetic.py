"""Synthetic catalogues for benchmarks and tests: valid, varied, deterministic products, written as a stream.

`records(n)` yields product records in their JSON form; `write(path, n)` writes them as CSV, a JSON array or
JSON Lines (from the suffix) without holding them in memory. The same `seed` always gives the same file.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from catalog.checks import gtin_check_digit
from catalog.csvimport import COLUMNS

_BRANDS: Final = (
    "Northwind Outfitters",
    "Lumen Audio",
    "Kestrel Kitchen",
    "Harbor Tea Co.",
    "Pinecrest Toys",
)
_THINGS: Final = ("jacket", "headphones", "chef's knife", "tea sampler", "building blocks", "water bottle")
_COLORS: Final = ("black", "navy", "red", "olive", "white", "sand")
_SIZES: Final = ("XS", "S", "M", "L", "XL")
_CONDITIONS: Final = ("new", "new", "new", "used_like_new", "refurbished")
_WORDS: Final = [
    "light",
    "durable",
    "everyday",
    "travel",
    "gift",
    "classic",
    "soft",
    "quiet",
    "sturdy",
    "compact",
    "washable",
    "recycled",
]

#: The CSV header `write` uses: every column the importer knows.
HEADER: Final = tuple(COLUMNS)


def _gtin(rng: random.Random) -> str:
    body = "0" + "".join(rng.choice("0123456789") for _ in range(11))
    return body + str(gtin_check_digit(body))


def records(n: int, *, seed: int = 0, image_host: str = "http://127.0.0.1") -> Iterator[dict[str, Any]]:
    """`n` valid product records with distinct SKUs."""
    rng = random.Random(seed)
    for i in range(n):
        brand = rng.choice(_BRANDS)
        thing = rng.choice(_THINGS)
        color, size = rng.choice(_COLORS), rng.choice(_SIZES)
        family = f"SYN-{i // 5:06d}"
        sku = f"{family}-{i % 5}"
        words = " ".join(rng.choice(_WORDS) for _ in range(40))
        record: dict[str, Any] = {
            "sku": sku,
            "title": f"{brand} {thing.title()}, {color}, size {size}",
            "description": f"A {words} {thing}.",
            "brand": brand,
            "gtin": _gtin(rng),
            "mpn": f"MPN-{rng.randrange(10**8):08d}",
            "condition": rng.choice(_CONDITIONS),
            "currency": "USD",
            "price": f"{rng.randrange(199, 99999) / 100:.2f}",
            "quantity": rng.randrange(0, 500),
            "image_urls": [f"{image_host}/images/{sku}/{k}.jpg" for k in range(1, rng.randrange(2, 5))],
            "attributes": {"color": color, "size": size},
            "parent_sku": family,
            "variation_theme": "SizeColor",
            "amazon": {"product_type": "SHIRT"},
            "ebay": {"category_id": str(rng.randrange(1000, 99999))},
        }
        if i % 3 == 0:
            record["localized"] = {
                "zh-CN": {"title": f"{brand} 商品 {i}", "description": "轻便耐用，适合日常使用。"}
            }
            record["tmall"] = {"cid": 50011739}
        yield record


def csv_row(record: dict[str, Any]) -> list[str]:
    """A record's cells under `HEADER`."""
    cells = []
    for path in COLUMNS.values():
        value: Any = record
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            cells.append("")
        elif isinstance(value, list):
            cells.append("|".join(value))
        elif isinstance(value, dict):
            cells.append("|".join(f"{k}={v}" for k, v in value.items()))
        else:
            cells.append(str(value).lower() if isinstance(value, bool) else str(value))
    return cells


def write(path: Path, n: int, *, seed: int = 0) -> Path:
    """Write `n` records to `path` as CSV, a JSON array or JSON Lines, chosen by the suffix."""
    suffix = path.suffix.lower()
    with path.open("w", encoding="utf-8", newline="") as out:
        if suffix == ".csv":
            writer = csv.writer(out)
            writer.writerow(HEADER)
            for record in records(n, seed=seed):
                writer.writerow(csv_row(record))
        elif suffix == ".json":
            out.write("[\n")
            for i, record in enumerate(records(n, seed=seed)):
                out.write((",\n" if i else "") + json.dumps(record, ensure_ascii=False))
            out.write("\n]\n")
        elif suffix in (".jsonl", ".ndjson"):
            for record in records(n, seed=seed):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            raise ValueError(f"unknown suffix {suffix!r}; use .csv, .json or .jsonl")
    return path
