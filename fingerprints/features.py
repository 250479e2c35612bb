"""All the fingerprints of one image, and the two entry points that make them: queries and references."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from fingerprints.errors import FingerprintError, FingerprintFormatError
from fingerprints.hashes import (
    RESAMPLE,
    Fingerprint,
    dct_bits,
    thumbnail,
    thumbnail_is_grey,
    thumbnail_signature,
)
from fingerprints.normalise import WORK_SIDE, prepare, regions, shrink, variants

KINDS = ("phash", "dhash", "detail", "colour")

DETAIL_SIZE = 24
"""The detail hash is a pHash of this size (576 bits, from a 96x96 thumbnail)."""

DRAFT = WORK_SIDE
"""The `draft` to load query images with (``load_image(source, draft=DRAFT)``): JPEGs decode at the
smallest DCT scale whose longest side is still `WORK_SIDE` (a 1000-px image at 1/4), so decoding does the
shrinking, which is most of the speed of fingerprinting."""


@dataclass(frozen=True)
class ImageFingerprints:
    """The hashes of one view of an image (the whole of it, a variant, or a region) and of its regions.

    - `phash`, `dhash`: 64-bit, bit-equal to `imagehash.phash` / `imagehash.dhash` of the working image;
      `phash` is what the index looks up.
    - `detail`: a 576-bit pHash (hash_size 24) that separates products whose outline is alike.
    - `colour`: the colour signature, which tells the same shape in another colour apart.
    - `greyscale`: the image has no colour at all, so its colour says nothing.
    - `view`: which variant (``full``, ``mirror``, ``rotate+4``...) or region (``panel-0``, ``q1``...).
    - `regions`: for a query, the fingerprints of its panels or windows (see `normalise.regions`).
    """

    phash: Fingerprint
    dhash: Fingerprint
    detail: Fingerprint
    colour: Fingerprint
    greyscale: bool = False
    view: str = "full"
    regions: tuple[ImageFingerprints, ...] = field(default=())

    def views(self) -> Iterator[ImageFingerprints]:
        """This view, then each region."""
        yield self
        yield from self.regions

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict` restores an equal value."""
        data: dict[str, Any] = {"view": self.view, "greyscale": self.greyscale}
        data.update({kind: str(getattr(self, kind)) for kind in KINDS})
        if self.regions:
            data["regions"] = [region.to_dict() for region in self.regions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageFingerprints:
        try:
            prints = {kind: Fingerprint.from_hex(str(data[kind])) for kind in KINDS}
            return cls(
                **prints,
                greyscale=bool(data.get("greyscale", False)),
                view=str(data.get("view", "full")),
                regions=tuple(cls.from_dict(region) for region in data.get("regions", ())),
            )
        except FingerprintError:
            raise
        except (KeyError, TypeError, AttributeError) as exc:
            raise FingerprintFormatError(f"invalid image fingerprints: missing or bad field {exc}") from None

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ImageFingerprints:
        try:
            return cls.from_dict(json.loads(data))
        except (ValueError, UnicodeDecodeError) as exc:
            raise FingerprintFormatError(f"invalid image fingerprints: {exc}") from None


def _hash_view(image: Image.Image, view: str, greyscale: bool | None = None) -> ImageFingerprints:
    """Every hash of one view, from one grey image and one colour thumbnail of its working image.

    `greyscale` is the whole image's verdict, which its regions share; None decides it from this view.
    """
    work = shrink(image)
    grey = work.convert("L")
    small = thumbnail(work)
    detail = dct_bits(np.asarray(grey.resize((4 * DETAIL_SIZE, 4 * DETAIL_SIZE), RESAMPLE)), DETAIL_SIZE)
    dgrid = np.asarray(grey.resize((9, 8), RESAMPLE))
    return ImageFingerprints(
        phash=Fingerprint.from_bits("phash", dct_bits(np.asarray(grey.resize((32, 32), RESAMPLE)), 8)),
        dhash=Fingerprint.from_bits("dhash", dgrid[:, 1:] > dgrid[:, :-1]),
        detail=Fingerprint.from_bits("detail", detail),
        colour=thumbnail_signature(small),
        greyscale=thumbnail_is_grey(small) if greyscale is None else greyscale,
        view=view,
    )


def fingerprint_image(image: Image.Image, *, with_regions: bool = True) -> ImageFingerprints:
    """Fingerprints of a query image: the whole working image plus its regions (collage panels)."""
    base = prepare(image)
    whole = _hash_view(base, "full")
    if not with_regions:
        return whole
    parts = tuple(_hash_view(piece, name, whole.greyscale) for name, piece in regions(base))
    return ImageFingerprints(
        whole.phash, whole.dhash, whole.detail, whole.colour, whole.greyscale, "full", parts
    )


def reference_fingerprints(image: Image.Image) -> list[ImageFingerprints]:
    """Fingerprints of a brand image and of its variants (mirror, crops, rotations), one entry each."""
    prints: list[ImageFingerprints] = []
    for name, piece in variants(image):
        prints.append(_hash_view(piece, name, prints[0].greyscale if prints else None))
    return prints
