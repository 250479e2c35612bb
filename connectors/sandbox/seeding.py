"""Other sellers' listings planted in a sandbox, so that marketplace search finds listings that are not ours.

Every sandbox takes the same seed record, in process (`sandbox.seed(...)`) or as JSON at
`POST /_sandbox/seed` (`{"listings": [record, ...]}`, images as base64):

    {"title": "...", "seller": "...", "price": "12.50", "currency": "USD", "images": ["<base64>", ...]}

plus marketplace extras a sandbox may read (`asin`, `feedback_score`...). A bad record is refused with its
index and field named and costs the other records nothing. Images are kept by content (the same bytes get
the same id, so URLs are stable across restarts) and served by the sandbox itself with their real type.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

MAX_IMAGES = 24
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_TITLE = 500
_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "GIF": ("image/gif", "gif")}
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class SeedError(ValueError):
    """A seed record that cannot be planted: names the record (its index) and the field at fault."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(f"listing {index}: {field}: {message}")
        self.index = index
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Picture:
    """One image as the sandbox serves it."""

    image_id: str
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class Seed:
    """A checked seed record: the listing of another seller, its images as bytes, main first."""

    title: str
    seller: str
    price: Decimal
    currency: str
    images: tuple[bytes, ...]
    extras: Mapping[str, Any] = field(default_factory=dict)


def picture(data: bytes) -> Picture:
    """The image's id, type and size; ValueError when the bytes are not a JPEG, PNG or GIF."""
    if not data:
        raise ValueError("is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"is larger than {MAX_IMAGE_BYTES} bytes")
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("is not a readable image") from exc
    if kind not in _TYPES:
        raise ValueError(f"must be a JPEG, PNG or GIF image, not {kind}")
    content_type, extension = _TYPES[kind]
    return Picture(hashlib.sha256(data).hexdigest()[:24], data, content_type, extension, width, height)


def check_seed(
    index: int,
    *,
    title: Any,
    seller: Any,
    price: Any,
    images: Sequence[bytes] | Any,
    currency: Any = "USD",
    **extras: Any,
) -> Seed:
    """A `Seed` from raw values, or `SeedError` naming the first bad field."""
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise SeedError(index, "title", f"must be text of 1 to {MAX_TITLE} characters")
    if not isinstance(seller, str) or not seller.strip() or len(seller) > 64:
        raise SeedError(index, "seller", "must be text of 1 to 64 characters")
    try:
        amount = Decimal(str(price))
    except (InvalidOperation, ValueError):
        raise SeedError(index, "price", f"must be a decimal number, got {str(price)[:20]!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise SeedError(index, "price", "must be above 0")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise SeedError(index, "currency", "must be a three-letter ISO 4217 code")
    if not isinstance(images, list | tuple) or not 1 <= len(images) <= MAX_IMAGES:
        raise SeedError(index, "images", f"must hold 1 to {MAX_IMAGES} images, main first")
    for n, data in enumerate(images):
        if not isinstance(data, bytes):
            raise SeedError(index, f"images[{n}]", "must be the image's bytes")
        try:
            picture(data)
        except ValueError as why:
            raise SeedError(index, f"images[{n}]", str(why)) from None
    return Seed(
        title.strip(), seller.strip(), amount.quantize(Decimal("0.01")), currency, tuple(images), extras
    )


def plant_seeds(payload: Any, plant: Callable[[Seed, int], dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """Answer a `POST /_sandbox/seed` body: plant each good record with `plant(seed, index)` and report the
    bad ones by index; returns the status (201 when anything was planted or nothing was wrong, else 400) and
    the body `{"listings": [...], "errors": [...]}`."""
    good, bad = decode_seeds(payload)
    planted = []
    for index, seed in good:
        try:
            planted.append(plant(seed, index) | {"index": index})
        except SeedError as error:
            bad.append(error)
    body = {"listings": planted, "errors": [e.as_dict() for e in sorted(bad, key=lambda e: e.index)]}
    return (201 if planted or not bad else 400), body


def decode_seeds(payload: Any) -> tuple[list[tuple[int, Seed]], list[SeedError]]:
    """The good records of a `POST /_sandbox/seed` body (with their index) and the errors of the bad ones."""
    records = payload.get("listings") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        return [], [SeedError(-1, "listings", 'the body must be {"listings": [...]}')]
    good: list[tuple[int, Seed]] = []
    bad: list[SeedError] = []
    for index, record in enumerate(records):
        try:
            if not isinstance(record, dict):
                raise SeedError(index, "(record)", "must be an object")
            raw = record.get("images")
            if not isinstance(raw, list):
                raise SeedError(index, "images", "must be a list of base64 strings")
            images = []
            for n, text in enumerate(raw):
                try:
                    images.append(base64.b64decode(str(text), validate=True))
                except (binascii.Error, ValueError):
                    raise SeedError(index, f"images[{n}]", "is not valid base64") from None
            rest = {k: v for k, v in record.items() if k != "images"}
            good.append((index, check_seed(index, images=images, **_named(index, rest))))
        except SeedError as error:
            bad.append(error)
    return good, bad


def _named(index: int, record: dict[str, Any]) -> dict[str, Any]:
    for name in ("title", "seller", "price"):
        if name not in record:
            raise SeedError(index, name, "is required")
    return record


class Shelf:
    """The images a sandbox serves, by id; thread-safe."""

    def __init__(self) -> None:
        self._pictures: dict[str, Picture] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes) -> Picture:
        found = picture(data)
        with self._lock:
            return self._pictures.setdefault(found.image_id, found)

    def get(self, image_id: str) -> Picture | None:
        with self._lock:
            return self._pictures.get(image_id)

    def clear(self) -> None:
        with self._lock:
            self._pictures.clear()


def words(text: str) -> list[str]:
    """Lower-cased words of `text`."""
    return [w.lower() for w in _WORD.findall(text)]


def matches(query: str | Iterable[str], title: str) -> bool:
    """True when every word asked for is a word of the title (case-insensitive); Chinese words, which
    are not separated by spaces, need only appear in it."""
    asked = words(query) if isinstance(query, str) else [w for q in query for w in words(q)]
    if not asked:
        return False
    have = set(words(title))
    lowered = title.lower()
    return all(w in have or (_CJK.search(w) is not None and w in lowered) for w in asked)
