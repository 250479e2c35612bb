"""Thumbnails for alert e-mails: JPEG, at most 100 KB, from any image the fingerprints loader can read."""

from __future__ import annotations

import io

from PIL import Image

from fingerprints import ImageLoader
from fingerprints.errors import FingerprintError

MAX_BYTES = 100 * 1024
SIDE = 320


def encode_thumbnail(image: Image.Image, max_bytes: int = MAX_BYTES, side: int = SIDE) -> bytes:
    """A JPEG of `image` within `side` pixels, stepping quality and then size down until it fits."""
    image = image.convert("RGB")
    while True:
        small = image.copy()
        small.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in (85, 70, 55, 40):
            out = io.BytesIO()
            small.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= max_bytes:
                return out.getvalue()
        side = side * 3 // 4


def thumbnail_of(loader: ImageLoader, source: str | bytes | None) -> bytes | None:
    """The thumbnail of `source`, or None when it cannot be read now (the e-mail says so instead)."""
    if not source:
        return None
    try:
        return encode_thumbnail(loader.load(source))
    except FingerprintError:
        return None
