"""A brand's official images: found in folders by their content, loaded safely, fingerprinted and stored.

Each image is stored once per brand by the SHA-256 of its bytes; adding it again changes nothing. A file or
URL that cannot be used is reported with its source and the reason and costs no other image. Fingerprinting
happens outside any transaction; the rows and the rebuilt index are written together at the end.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from fingerprints import ImageError, ImageFingerprints, ImageLoader, reference_fingerprints
from fingerprints.loading import upright_size
from workers.brands.persisted import begin_change, store_matcher
from workers.brands.registry import brand_id
from workers.store.brand_models import BrandImage

Source = str | Path | bytes

_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def looks_like_image(head: bytes) -> bool:
    """Whether the first bytes of a file are those of an image format we decode (JPEG, PNG, GIF, WebP...)."""
    return head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


@dataclass(frozen=True)
class Rejected:
    source: str
    reason: str


@dataclass(frozen=True)
class StoredImage:
    id: int
    source: str
    content_sha256: str


@dataclass
class ImageReport:
    """What `add_images` did with each source: added, already there, rejected (why), or not an image."""

    added: list[StoredImage] = field(default_factory=list)
    unchanged: list[StoredImage] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "unchanged": len(self.unchanged),
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
            "ignored": self.ignored,
        }


def collect_sources(items: Iterable[Source], report: ImageReport) -> list[Source]:
    """The images to load: URLs, bytes and files as given; folders walked recursively in name order, taking
    the files whose content starts like an image (others go to `report.ignored`; hidden files are skipped)."""
    found: list[Source] = []
    for item in items:
        if isinstance(item, bytes) or (isinstance(item, str) and "://" in item):
            found.append(item)
        elif Path(item).is_dir():
            found.extend(_walk(Path(item), report))
        else:
            found.append(Path(item))
    return found


def _walk(folder: Path, report: ImageReport) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            try:
                with path.open("rb") as handle:
                    head = handle.read(16)
            except OSError as exc:
                report.rejected.append(
                    Rejected(str(path.absolute()), f"cannot read file ({exc.strerror or exc})")
                )
                continue
            if looks_like_image(head):
                yield path
            else:
                report.ignored.append(str(path))


@dataclass(frozen=True)
class PreparedImage:
    source: str
    content_sha256: str
    fingerprints: dict[str, Any]
    width: int
    height: int


def prepare_image(loader: ImageLoader, source: Source, label: str, known: set[str]) -> PreparedImage | str:
    """Load and fingerprint one image; only its content hash when `known` holds it already (no work)."""
    data, _ = loader.read(source)
    digest = hashlib.sha256(data).hexdigest()
    if digest in known:
        return digest
    image = loader.load(data)
    variants = [prints.to_dict() for prints in reference_fingerprints(image)]
    width, height = upright_size(data)  # the image's own size: `image` may be decoded at a reduced scale
    return PreparedImage(label, digest, {"variants": variants}, width, height)


def source_label(source: Source, number: int = 0) -> str:
    """How a source is shown and stored: a URL without credentials, query or fragment (they may be secret)."""
    if isinstance(source, bytes):
        return f"<bytes #{number}>" if number else "<bytes>"
    if isinstance(source, str) and "://" in source:
        try:
            parts = urlsplit(source)
            host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            return "<invalid url>"
        return f"{parts.scheme}://{host}{port}{parts.path}"
    return str(source)


def add_images(
    engine: Engine,
    brand: str,
    items: Iterable[Source],
    *,
    loader: ImageLoader,
    on_source: Callable[[str, int], None] | None = None,
) -> ImageReport:
    """Add official images to `brand` from paths, folders, URLs or bytes, extending the index once.

    `on_source(label, total)` is called before each image (for a progress bar). Give a `loader` with
    `draft=fingerprints.DRAFT`, as queries use, so that an identical copy of an official image scores 1.0.
    Raises `UnknownBrandError`.
    """
    report = ImageReport()
    with engine.connect() as conn:
        owner = brand_id(conn, brand)
        known = _hashes(conn, owner)
    sources = collect_sources(items, report)
    prepared: dict[str, PreparedImage] = {}
    seen: dict[str, str] = {}
    skip = set(known)
    for number, source in enumerate(sources, 1):
        label = str(source.absolute()) if isinstance(source, Path) else source_label(source, number)
        if on_source is not None:
            on_source(label, len(sources))
        try:
            result = prepare_image(loader, source, label, skip)
        except ImageError as exc:
            report.rejected.append(Rejected(label, exc.reason))
            continue
        if isinstance(result, PreparedImage):
            prepared[result.content_sha256] = result
            skip.add(result.content_sha256)
        else:
            seen.setdefault(result, label)
    with engine.begin() as conn:
        _store(conn, owner, prepared, seen, report)
    return report


def _hashes(conn: Connection, owner: int) -> set[str]:
    query = sa.select(BrandImage.content_sha256).where(BrandImage.brand_id == owner)
    return set(conn.execute(query).scalars())


def _store(
    conn: Connection,
    owner: int,
    prepared: dict[str, PreparedImage],
    seen: dict[str, str],
    report: ImageReport,
) -> None:
    if prepared:
        begin_change(conn)  # locks the index first, so the hashes read next are final
        fresh = {k: v for k, v in prepared.items() if k not in _hashes(conn, owner)}
        for digest in prepared.keys() - fresh.keys():
            seen.setdefault(digest, prepared[digest].source)
        if fresh:
            rows = conn.execute(
                sa.insert(BrandImage).returning(
                    BrandImage.id, BrandImage.content_sha256, sort_by_parameter_order=True
                ),
                [
                    {
                        "brand_id": owner,
                        "source": p.source[:2000],
                        "content_sha256": p.content_sha256,
                        "fingerprints": p.fingerprints,
                        "width": p.width,
                        "height": p.height,
                    }
                    for p in fresh.values()
                ],
            )
            stored = [StoredImage(r.id, fresh[r.content_sha256].source, r.content_sha256) for r in rows]
            report.added.extend(stored)
            store_matcher(
                conn,
                added=[
                    (image.id, owner, ImageFingerprints.from_dict(variant))
                    for image in stored
                    for variant in fresh[image.content_sha256].fingerprints["variants"]
                ],
            )
    if seen:
        query = sa.select(BrandImage.content_sha256, BrandImage.id).where(
            BrandImage.brand_id == owner, BrandImage.content_sha256.in_(list(seen))
        )
        ids = {digest: image_id for digest, image_id in conn.execute(query)}
        report.unchanged.extend(StoredImage(ids[d], seen[d], d) for d in seen if d in ids)
