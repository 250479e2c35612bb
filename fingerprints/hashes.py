"""Perceptual hashes as values, and the functions that compute them.

`phash` and `dhash` give the same bits as `imagehash.phash` / `imagehash.dhash` for the same PIL image (the
same resampling and the same DCT calls), so fingerprints stay comparable with hashes computed elsewhere. The
speed of fingerprinting comes from the image they are given: decoded at reduced size and normalised once.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from fingerprints.errors import FingerprintFormatError, FingerprintMismatchError

RESAMPLE = Image.Resampling.LANCZOS


class Fingerprint:
    """An immutable bit string with a kind (the algorithm that made it) and a size in bits.

    `a - b` is the Hamming distance; `str()` is ``kind:hex`` and `Fingerprint.from_hex` reverses it exactly;
    `.hex` alone is the hex digest imagehash would print for the same bits. Subtracting fingerprints of
    different kinds or sizes raises `FingerprintMismatchError`; `==` is simply False for them, so that
    fingerprints of several kinds can share a set or a dict.
    """

    __slots__ = ("bits", "kind", "value")

    kind: str
    bits: int
    value: int

    def __init__(self, kind: str, value: int, bits: int) -> None:
        if not kind or ":" in kind:
            raise FingerprintFormatError(f"invalid fingerprint kind {kind!r}")
        if bits <= 0 or bits % 4:
            raise FingerprintFormatError(
                f"fingerprint size must be a positive multiple of 4 bits, not {bits}"
            )
        if value < 0 or value >> bits:
            raise FingerprintFormatError(f"value does not fit in {bits} bits")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "bits", bits)
        object.__setattr__(self, "value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Fingerprint is immutable")

    @classmethod
    def from_bits(cls, kind: str, bits: np.ndarray) -> Fingerprint:
        """Pack a boolean array, row-major and most significant bit first (imagehash's order)."""
        flat = np.asarray(bits, dtype=bool).ravel()
        packed = np.packbits(flat, bitorder="big").tobytes()
        value = int.from_bytes(packed, "big") >> (len(packed) * 8 - flat.size)
        return cls(kind, value, flat.size)

    @classmethod
    def from_hex(cls, text: str, kind: str | None = None) -> Fingerprint:
        """Parse ``kind:hex`` (as `str()` writes), or a bare hex digest together with `kind`."""
        found_kind, sep, digits = text.strip().rpartition(":")
        if sep and kind is not None and found_kind != kind:
            raise FingerprintMismatchError(f"expected a {kind} fingerprint, got {found_kind!r}")
        kind = found_kind if sep else kind
        if kind is None:
            raise FingerprintFormatError(f"fingerprint {text!r} has no kind; pass kind= or use 'kind:hex'")
        try:
            value = int(digits, 16)
        except ValueError:
            raise FingerprintFormatError(f"fingerprint {text!r} is not hexadecimal") from None
        return cls(kind, value, 4 * len(digits))

    @property
    def hex(self) -> str:
        return f"{self.value:0{self.bits // 4}x}"

    def to_bits(self) -> np.ndarray:
        """The bits as a flat boolean array (the inverse of `from_bits`)."""
        raw = self.value.to_bytes((self.bits + 7) // 8, "big")
        unpacked = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="big")
        return unpacked[unpacked.size - self.bits :].astype(bool)

    def _check(self, other: Fingerprint) -> None:
        if self.kind != other.kind or self.bits != other.bits:
            raise FingerprintMismatchError(
                f"cannot compare a {self.bits}-bit {self.kind} with a {other.bits}-bit {other.kind}"
            )

    def __sub__(self, other: Fingerprint) -> int:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        self._check(other)
        return (self.value ^ other.value).bit_count()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return (self.kind, self.bits, self.value) == (other.kind, other.bits, other.value)

    def __hash__(self) -> int:
        return hash((self.kind, self.bits, self.value))

    def __len__(self) -> int:
        return self.bits

    def __str__(self) -> str:
        return f"{self.kind}:{self.hex}"

    def __repr__(self) -> str:
        return f"Fingerprint({self.kind!r}, 0x{self.hex}, bits={self.bits})"


def _grey(image: Image.Image) -> Image.Image:
    return image if image.mode == "L" else image.convert("L")


@functools.cache
def _dct_rows(side: int, keep: int) -> np.ndarray:
    """The first `keep` rows of scipy's unnormalised DCT-II matrix for `side` samples."""
    k, n = np.arange(keep)[:, None], np.arange(side)[None, :]
    return 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * side))


def dct_bits(pixels: np.ndarray, hash_size: int) -> np.ndarray:
    """pHash bits of a square thumbnail: its low `hash_size`² DCT frequencies above or below their median.

    Two small matrix products give the low frequencies only, which is several times faster than two full
    transforms. They agree with `scipy.fftpack.dct` (imagehash's call) to rounding; only when a coefficient
    sits within rounding of the median (flat or exactly symmetric thumbnails) could that flip a bit, and
    then scipy's own transform decides, so the bits always equal imagehash's.
    """
    rows = _dct_rows(pixels.shape[-1], hash_size)
    low = rows @ pixels.astype(np.float64) @ rows.T
    # The median of an even count is the mean of its two middle values, as np.median computes it.
    middle = low.size // 2
    below, above = np.partition(low.ravel(), (middle - 1, middle))[middle - 1 : middle + 1]
    if above - below <= 1e-9 * (abs(low[0, 0]) + 1.0):
        import scipy.fftpack  # rarely needed, and slow to import

        dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
        low = dct[:hash_size, :hash_size]
        return low > np.median(low)
    return low > (below + above) / 2


def phash(image: Image.Image, hash_size: int = 8, highfreq_factor: int = 4) -> Fingerprint:
    """DCT hash: the low `hash_size`² frequencies of a LANCZOS thumbnail, each above or below their median."""
    if hash_size < 2:
        raise ValueError("hash_size must be at least 2")
    side = hash_size * highfreq_factor
    pixels = np.asarray(_grey(image).resize((side, side), RESAMPLE))
    return Fingerprint.from_bits("phash", dct_bits(pixels, hash_size))


def dhash(image: Image.Image, hash_size: int = 8) -> Fingerprint:
    """Gradient hash: is each pixel of a (hash_size+1) x hash_size thumbnail brighter than its left?"""
    if hash_size < 2:
        raise ValueError("hash_size must be at least 2")
    pixels = np.asarray(_grey(image).resize((hash_size + 1, hash_size), RESAMPLE))
    return Fingerprint.from_bits("dhash", pixels[:, 1:] > pixels[:, :-1])


HUE_BINS = 12
GREY_BINS = 4
COLOUR_LEVELS = 8
COLOUR_BITS = (HUE_BINS + GREY_BINS) * COLOUR_LEVELS


def thumbnail(image: Image.Image) -> Image.Image:
    """The 32x32 RGB box-filtered thumbnail that the colour signature and the greyscale test both read."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return rgb.resize((32, 32), Image.Resampling.BOX)


def colour_signature(image: Image.Image) -> Fingerprint:
    """Where the non-white pixels sit in colour: 12 hue bins and 4 grey levels, thermometer-coded.

    Each bin's share is stored as sqrt(share) in 8 levels, one bit per level, so the Hamming distance of two
    signatures is the L1 distance of their (square-rooted) histograms. Near-white pixels are left out: they
    are mostly background, whose share changes with padding and cropping, not with the product.
    """
    return thumbnail_signature(thumbnail(image))


def thumbnail_signature(small: Image.Image) -> Fingerprint:
    """`colour_signature` of an image already reduced by `thumbnail`."""
    hue, saturation, value = np.asarray(small.convert("HSV"), dtype=np.int32).reshape(-1, 3).T
    # Undo a global brightness change: the brightest pixels (a white background, highlights) become white.
    k = value.size - 1 - value.size // 100
    value = np.minimum(value * 255 // max(int(np.partition(value, k)[k]), 51), 255)
    keep = ~((value > 235) & (saturation < 31))
    chromatic = keep & (saturation >= 64) & (value >= 51)
    grey = keep & ~chromatic
    counts = np.concatenate(
        [
            np.bincount(hue[chromatic] * HUE_BINS >> 8, minlength=HUE_BINS),
            np.bincount(np.minimum(value[grey] * GREY_BINS >> 8, GREY_BINS - 1), minlength=GREY_BINS),
        ]
    ).astype(np.float64)
    total = counts.sum()
    shares = counts / total if total else counts
    levels = np.rint(np.sqrt(shares) * COLOUR_LEVELS).astype(int)
    thermometer = np.arange(COLOUR_LEVELS)[None, :] < levels[:, None]
    return Fingerprint.from_bits("colour", thermometer)


def is_greyscale(image: Image.Image, tolerance: int = 12, share: float = 0.995) -> bool:
    """True when (almost) every pixel has R = G = B: a grey image carries no colour evidence either way."""
    return thumbnail_is_grey(thumbnail(image), tolerance, share)


def thumbnail_is_grey(small: Image.Image, tolerance: int = 12, share: float = 0.995) -> bool:
    """`is_greyscale` of an image already reduced by `thumbnail`."""
    red, green, blue = np.asarray(small, dtype=np.int16).reshape(-1, 3).T
    spread = np.maximum(np.maximum(red, green), blue) - np.minimum(np.minimum(red, green), blue)
    return bool((spread <= tolerance).mean() >= share)


__all__ = [
    "Fingerprint",
    "colour_signature",
    "dct_bits",
    "dhash",
    "is_greyscale",
    "phash",
    "thumbnail",
    "thumbnail_is_grey",
    "thumbnail_signature",
]
