"""Perceptual image fingerprints and brand image matching.

The interface the workers use:

- `load_image(source, allow_private=..., max_bytes=..., timeout=..., draft=DRAFT)` (or an `ImageLoader`
  holding those options) turns bytes, a path or an http(s) URL into an RGB image, raising `ImageError`s.
- `fingerprint_image(image)` gives a query's `ImageFingerprints` (whole image and regions);
  `reference_fingerprints(image)` gives one `ImageFingerprints` per variant of a brand image. Both serialise
  with `to_dict` / `from_dict` (JSON-able) or `to_bytes` / `from_bytes`.
- `BrandMatcher.from_references((reference_id, brand_id, fingerprints), ...)` indexes every brand's variants;
  `.match(query)` returns the best `Match` per brand scoring at least `DEFAULT_THRESHOLD`, with its `Reason`;
  `.to_bytes()` / `BrandMatcher.from_bytes()` persist it for the store and for each worker.
- `Fingerprint` is one hash value and `Index` the Hamming index under the matcher.

Every error raised here is a `FingerprintError`. This package imports nothing else of the project's.
"""

from __future__ import annotations

from fingerprints.errors import (
    FetchError,
    FingerprintError,
    FingerprintFormatError,
    FingerprintMismatchError,
    ForbiddenSourceError,
    ImageError,
    ImageTooLargeError,
    UnsupportedImageError,
)
from fingerprints.features import DRAFT, ImageFingerprints, fingerprint_image, reference_fingerprints
from fingerprints.hashes import Fingerprint, colour_signature, dhash, phash
from fingerprints.index import Index
from fingerprints.loading import ImageLoader, load_image
from fingerprints.matching import DEFAULT_THRESHOLD, BrandMatcher, Match, Reason

__all__ = [
    "DEFAULT_THRESHOLD",
    "DRAFT",
    "BrandMatcher",
    "FetchError",
    "Fingerprint",
    "FingerprintError",
    "FingerprintFormatError",
    "FingerprintMismatchError",
    "ForbiddenSourceError",
    "ImageError",
    "ImageFingerprints",
    "ImageLoader",
    "ImageTooLargeError",
    "Index",
    "Match",
    "Reason",
    "UnsupportedImageError",
    "colour_signature",
    "dhash",
    "fingerprint_image",
    "load_image",
    "phash",
    "reference_fingerprints",
]
