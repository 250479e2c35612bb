"""Helpers for the findings and alert tests: a registered brand, a copied listing, a mailer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from connectors.search import FoundListing
from fingerprints import ImageLoader
from workers.findings import ImageMatch, Recorded, record_finding
from workers.mail import Mailer, MailSettings, Transport, queue_alerts

FETCHED_AT = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
PUBLIC_URL = "https://alerts.example.test"


@dataclass(frozen=True)
class CopiedListing:
    """A listing on eBay whose main image copies an Acme image, and the matcher's verdict as evidence."""

    listing: FoundListing
    match: ImageMatch

    def changed(self, **fields: Any) -> CopiedListing:
        return dataclasses.replace(self, listing=dataclasses.replace(self.listing, **fields))

    def with_image(self, data: bytes) -> CopiedListing:
        sha = hashlib.sha256(data).hexdigest()
        return dataclasses.replace(self, match=dataclasses.replace(self.match, listing_image_sha256=sha))


def listing(**fields: Any) -> FoundListing:
    values: dict[str, Any] = {
        "marketplace": "ebay",
        "listing_id": "v1|1234|0",
        "title": "ACME travel mug, best price",
        "seller": "cheap-deals",
        "price": Decimal("9.99"),
        "currency": "USD",
        "image_urls": ("http://127.0.0.1/listing.jpg",),
        "url": "https://www.ebay.com/itm/1234",
    }
    values.update(fields)
    return FoundListing(**values)


def record(engine: Engine, copied: CopiedListing, brand: str = "Acme") -> tuple[Recorded, list[int]]:
    """Record the finding and queue its alerts in one transaction, as the pipeline does."""
    with engine.begin() as conn:
        recorded = record_finding(conn, brand, copied.listing, copied.match)
        alerts = queue_alerts(conn, recorded.finding_id) if recorded.to_alert and recorded.finding_id else []
    return recorded, alerts


def mailer(engine: Engine, transport: Transport, secret: bytes = b"test-link-key") -> Mailer:
    mail = MailSettings(public_url=PUBLIC_URL, mail_from="alerts@listing-sync.test", link_key=secret)
    return Mailer(engine, transport, mail, ImageLoader(allow_private=True))


def jpeg_file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
