"""The scan image cache over real HTTP: an image seen lately is not fetched again, an old one is, unchanged
bytes keep their fingerprints, and unsafe or broken URLs are refused with the URL named."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from fingerprints import FetchError, ForbiddenSourceError, ImageLoader
from workers.scan_images import ImageCache
from workers.store.brand_models import ScannedImage


def test_an_image_is_fetched_once_then_taken_from_the_store_until_it_is_old(
    engine: Engine, drawn: list[Image.Image], web_root: tuple[Path, str]
) -> None:
    root, base = web_root
    data = imagery.jpeg(drawn[0])
    (root / "a.jpg").write_bytes(data)
    cache = ImageCache(engine, ImageLoader(allow_private=True))
    first = cache.get(f"{base}/a.jpg")
    assert first.fetched and first.sha256 == hashlib.sha256(data).hexdigest()
    again = cache.get(f"{base}/a.jpg")
    assert not again.fetched and again.prints == first.prints and again.fetched_at == first.fetched_at

    (root / "a.jpg").write_bytes(imagery.jpeg(drawn[1]))  # the same URL, other bytes: seen lately, kept
    assert cache.get(f"{base}/a.jpg").sha256 == first.sha256
    old = ImageCache(engine, ImageLoader(allow_private=True), max_age=dt.timedelta(0))
    changed = old.get(f"{base}/a.jpg")
    assert changed.fetched and changed.sha256 != first.sha256 and changed.prints != first.prints
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ScannedImage)).scalar_one() == 1


def test_the_same_bytes_at_another_url_reuse_their_fingerprints(
    engine: Engine, drawn: list[Image.Image], web_root: tuple[Path, str]
) -> None:
    root, base = web_root
    data = imagery.jpeg(drawn[2])
    (root / "one.jpg").write_bytes(data)
    (root / "two.jpg").write_bytes(data)
    cache = ImageCache(engine, ImageLoader(allow_private=True))
    one, two = cache.get(f"{base}/one.jpg"), cache.get(f"{base}/two.jpg")
    assert two.fetched and (two.sha256, two.prints) == (one.sha256, one.prints)


def test_private_addresses_and_missing_images_are_refused_naming_the_url(
    engine: Engine, web_root: tuple[Path, str]
) -> None:
    _, base = web_root
    with pytest.raises(ForbiddenSourceError, match=r"127\.0\.0\.1"):
        ImageCache(engine, ImageLoader()).get(f"{base}/a.jpg?token=secret")
    with pytest.raises(FetchError, match="404") as missing:
        ImageCache(engine, ImageLoader(allow_private=True)).get(f"{base}/gone.jpg?token=secret")
    assert "gone.jpg" in str(missing.value) and "secret" not in str(missing.value)
