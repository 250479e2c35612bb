"""Load an image safely from bytes, a path or a URL into an upright RGB picture on white.

Images come from strangers, so every step is bounded: bytes are capped, the format is sniffed from the bytes
(never trusted from a name or a Content-Type), the pixel count is checked from the header before decoding
(Pillow's decompression-bomb guard, as our own error), and any decoder failure becomes an `ImageError`.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests
from PIL import ExifTags, Image, ImageOps
from requests.adapters import BaseAdapter

from fingerprints.errors import FingerprintError, ImageError, ImageTooLargeError, UnsupportedImageError
from fingerprints.fetching import AddressPolicy, fetch, new_session, redact

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
WHITE = (255, 255, 255)

Source = bytes | str | Path


@dataclass
class ImageLoader:
    """Loads images with one set of limits; keeps one HTTP session for its URLs.

    `allow_private` lets URLs reach private, loopback and link-local addresses (sandboxes and tests);
    `allowed_networks` opens only the listed networks (CIDR strings). `draft` asks JPEGs to be decoded at a
    reduced scale whose longest side stays at least that many pixels (`draft_scale`), which is most of the
    speed of fingerprinting.

    `mounts` are transport adapters by URL prefix (as on a `requests.Session`): a URL under one goes through
    its adapter, which decides where it connects, so the address checks do not apply to it (how the sandboxes'
    image host is reached in tests and benchmarks).
    """

    allow_private: bool = False
    allowed_networks: Iterable[str] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    max_pixels: int = DEFAULT_MAX_PIXELS
    draft: int | None = None
    mounts: Mapping[str, BaseAdapter] = field(default_factory=dict)
    _policy: AddressPolicy = field(init=False, repr=False)
    _session: requests.Session | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._policy = AddressPolicy.build(self.allow_private, self.allowed_networks)

    def load(self, source: Source) -> Image.Image:
        """The image at `source` (bytes, a path, or an http(s) URL) as an upright RGB image on white."""
        data, label = self.read(source)
        return decode(data, source=label, max_pixels=self.max_pixels, draft=self.draft)

    def read(self, source: Source) -> tuple[bytes, str]:
        """The encoded bytes of `source` and a label for it that is safe to show (no URL secrets)."""
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            if len(data) > self.max_bytes:
                raise ImageTooLargeError(f"{len(data)} bytes exceeds the cap of {self.max_bytes}")
            return data, "<bytes>"
        if isinstance(source, str) and "://" in source:
            if self._session is None:
                self._session = new_session(self._policy)
                for prefix, adapter in self.mounts.items():
                    self._session.mount(prefix, adapter)
            mounted = any(source.startswith(prefix) for prefix in self.mounts)
            body = fetch(
                source,
                session=self._session,
                policy=AddressPolicy(allow_private=True) if mounted else self._policy,
                max_bytes=self.max_bytes,
                timeout=self.timeout,
            )
            return body, redact(source)
        if isinstance(source, str | Path):
            return _read_file(Path(source), self.max_bytes), str(source)
        raise ImageError(f"unsupported source type {type(source).__name__}", source="<source>")

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> ImageLoader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def load_image(
    source: Source,
    *,
    allow_private: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    draft: int | None = None,
) -> Image.Image:
    """Load one image (see `ImageLoader`); raises an `ImageError` subclass on any failure."""
    with ImageLoader(
        allow_private=allow_private, max_bytes=max_bytes, timeout=timeout, max_pixels=max_pixels, draft=draft
    ) as loader:
        return loader.load(source)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ImageError("no such file", source=str(path)) from None
    except OSError as exc:
        raise ImageError(
            f"cannot read file ({exc.strerror or type(exc).__name__})", source=str(path)
        ) from None
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"file exceeds the cap of {max_bytes} bytes", source=str(path))
    return data


def decode(
    data: bytes, *, source: str = "<bytes>", max_pixels: int = DEFAULT_MAX_PIXELS, draft: int | None = None
) -> Image.Image:
    """Decode `data` into an upright RGB image, alpha flattened on white, the first frame if animated."""
    if not data:
        raise UnsupportedImageError("empty input", source=source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width <= 0 or height <= 0:
                raise UnsupportedImageError(f"empty image {width}x{height}", source=source)
            if width * height > max_pixels:
                raise ImageTooLargeError(
                    f"{width}x{height} pixels exceeds the limit of {max_pixels} (decompression bomb guard)",
                    source=source,
                )
            if draft and image.format == "JPEG":
                scale = draft_scale(width, height, draft)
                if scale > 1:
                    mode = "RGB" if image.mode != "CMYK" else None
                    image.draft(mode, (max(1, width // scale), max(1, height // scale)))
            image.load()
            # In place: returning a transposed copy would copy every image that needs no turning.
            ImageOps.exif_transpose(image, in_place=True)
            return to_rgb(image)
    except FingerprintError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(f"decompression bomb guard: {exc}", source=source) from None
    except Image.UnidentifiedImageError:
        raise UnsupportedImageError(
            f"not an image in a supported format ({', '.join(FORMATS)})", source=source
        ) from None
    except Exception as exc:
        # Decoders for hostile input fail in many ways (OSError, SyntaxError, struct.error, ...): all are
        # the same answer for us, an image we cannot use.
        raise UnsupportedImageError(
            f"cannot decode image ({type(exc).__name__}: {exc})", source=source
        ) from None


def upright_size(data: bytes) -> tuple[int, int]:
    """The (width, height) of an encoded image as shown, EXIF orientation applied, read from its header alone:
    the full size, where `decode` with a `draft` gives a reduced one. For bytes `decode` accepted."""
    with Image.open(io.BytesIO(data), formats=FORMATS) as image:
        width, height = image.size
        turned = image.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
    return (height, width) if turned else (width, height)


def draft_scale(width: int, height: int, longest: int) -> int:
    """The largest JPEG DCT reduction (1, 2, 4 or 8) that keeps the longest side at least `longest`."""
    for scale in (8, 4, 2):
        if max(width, height) // scale >= longest:
            return scale
    return 1


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB: alpha composited on white, 16-bit and float scaled, CMYK converted."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return Image.fromarray(_scale_to_bytes(np.asarray(image)), "L").convert("RGB")
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("LA", "La", "PA", "RGBa", "RGBX"):
        image = image.convert("RGBA")
    elif mode != "RGBA":
        image = image.convert("RGB")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, WHITE)
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image


def _scale_to_bytes(pixels: np.ndarray) -> np.ndarray:
    """Scale 16-bit, 32-bit or float grey levels to 0..255, keeping a 0..255 range as it is."""
    values = pixels.astype(np.float64)
    if pixels.dtype.kind == "f":
        low, high = float(values.min()), float(values.max())
        values = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    elif values.max() > 255:
        values = values * (255.0 / 65535.0)
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)
