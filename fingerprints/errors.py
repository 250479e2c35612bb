"""The error tree of the fingerprints package: everything raised here is a `FingerprintError`."""

from __future__ import annotations


class FingerprintError(Exception):
    """Base class of every error raised by the fingerprints package."""


class ImageError(FingerprintError):
    """An image could not be loaded or decoded; `source` names it (a path, a URL or ``<bytes>``)."""

    def __init__(self, message: str, *, source: str = "<bytes>") -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class ForbiddenSourceError(ImageError):
    """The URL's scheme or address is not allowed (not http(s), or a private, loopback or reserved host)."""


class FetchError(ImageError):
    """The image could not be downloaded: connection failure, timeout or an HTTP error status."""


class ImageTooLargeError(ImageError):
    """The encoded image exceeds the byte cap, or its pixel count trips the decompression-bomb guard."""


class UnsupportedImageError(ImageError):
    """The bytes are not an image in a format we decode, or the image is truncated or corrupt."""


class FingerprintMismatchError(FingerprintError, ValueError):
    """Two fingerprints of different kinds or sizes were compared."""


class FingerprintFormatError(FingerprintError, ValueError):
    """A serialised fingerprint, index or matcher could not be parsed."""
