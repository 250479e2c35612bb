"""`findings export`: confirmed findings as a CSV shaped for a marketplace's bulk IP-complaint upload."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Connection

from workers.findings.repository import CONFIRMED, FindingRow, list_findings

COLUMNS = (
    "listing_id",
    "listing_url",
    "marketplace",
    "brand",
    "seller",
    "reason",
    "evidence",
    "found_at",
)
REASON = "counterfeit: copies the brand's product images without authorization"


def evidence_summary(row: FindingRow) -> str:
    """One line: the matched brand image, the score and every reason."""
    image = row.evidence.get("brand_image", {})
    listing_image = row.evidence.get("listing_image", {})
    parts = [
        f"score {row.score:.2f}",
        *row.evidence.get("reasons", []),
        f"brand image {image.get('source', '?')}",
        f"listing image {listing_image.get('url', '?')} sha256 {listing_image.get('sha256', '?')}",
    ]
    return "; ".join(parts)


def export_csv(conn: Connection, brand: str) -> str:
    """The brand's confirmed findings, oldest first, one row each, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in reversed(list_findings(conn, brand=brand, state=CONFIRMED)):
        writer.writerow(
            [
                row.listing_id,
                row.evidence.get("url", ""),
                row.marketplace,
                row.brand,
                row.seller,
                REASON,
                evidence_summary(row),
                row.created_at.isoformat(),
            ]
        )
    return out.getvalue()
