"""Fingerprint encoded image bytes in one picklable call: what a worker hands to a helper process."""

from __future__ import annotations

from fingerprints.errors import ImageError
from fingerprints.features import DRAFT, fingerprint_image
from fingerprints.loading import DEFAULT_MAX_PIXELS, decode


def fingerprint_encoded(
    data: bytes, source: str = "<bytes>", max_pixels: int = DEFAULT_MAX_PIXELS, draft: int | None = DRAFT
) -> tuple[bytes | None, str]:
    """(`ImageFingerprints.to_bytes()` of the decoded image, "") or (None, why it cannot be used).

    Errors come back as values, so that nothing but bytes and text crosses a process boundary.
    """
    try:
        image = decode(data, source=source, max_pixels=max_pixels, draft=draft)
    except ImageError as exc:
        return None, exc.reason
    return fingerprint_image(image).to_bytes(), ""
