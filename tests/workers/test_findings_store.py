from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alert_support import CopiedListing, record
from sqlalchemy import Engine

from workers.brands import get_brand
from workers.findings import (
    EvidenceError,
    TransitionError,
    UnknownBrandError,
    confirm,
    dismiss,
    export_csv,
    get_finding,
    list_findings,
    mark_alerted,
    record_finding,
)
from workers.store.brand_models import Alert


def alerts(engine: Engine) -> list[tuple[int, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Alert.contact_id, Alert.sent_at).order_by(Alert.contact_id))
        return [(r.contact_id, r.sent_at) for r in rows]


def test_a_new_finding_keeps_its_evidence_and_queues_one_alert_per_contact(
    engine: Engine, acme_copy: CopiedListing
) -> None:
    recorded, queued = record(engine, acme_copy)
    assert recorded.created and recorded.finding_id is not None and len(queued) == 2
    with engine.connect() as conn:
        finding = get_finding(conn, recorded.finding_id)
    assert (finding.brand, finding.marketplace, finding.listing_id, finding.state) == (
        "Acme",
        "ebay",
        "v1|1234|0",
        "new",
    )
    ev = finding.evidence
    assert ev["brand_image"]["source"].endswith("1.jpg")
    assert ev["brand_words"] == ["Acme"]
    assert ev["price_floor"]["far_below"] is True
    assert ev["listing_image"]["sha256"] == acme_copy.match.listing_image_sha256
    assert len(ev["reasons"]) == 3 and finding.score > acme_copy.match.score * 0.7


def test_finding_an_unchanged_listing_again_changes_nothing(engine: Engine, acme_copy: CopiedListing) -> None:
    first, _ = record(engine, acme_copy)
    with engine.connect() as conn:
        before = get_finding(conn, first.finding_id or 0)
    again, queued = record(engine, acme_copy.changed(title="ACME  travel mug, best price "))
    with engine.connect() as conn:
        after = get_finding(conn, first.finding_id or 0)
    assert (again.created, again.changed, queued) == (False, False, [])
    assert after == before


def test_a_materially_changed_listing_is_alerted_again(engine: Engine, acme_copy: CopiedListing) -> None:
    first, _ = record(engine, acme_copy)
    with engine.begin() as conn:
        mark_alerted(conn, first.finding_id or 0)
        conn.execute(sa.update(Alert).values(sent_at=sa.func.current_timestamp(), message_id="<m@x>"))
    again, queued = record(engine, acme_copy.changed(price=Decimal("5.00")))
    assert again.changed and len(queued) == 2
    with engine.connect() as conn:
        finding = get_finding(conn, first.finding_id or 0)
    assert finding.state == "new" and finding.evidence["price"] == "5.00"
    assert [sent for _, sent in alerts(engine)] == [None, None]


def test_an_authorized_sellers_listing_raises_nothing(engine: Engine, acme_copy: CopiedListing) -> None:
    recorded, queued = record(engine, acme_copy.changed(seller="good shop"))
    assert recorded.allowed_seller and recorded.finding_id is None and queued == []
    with engine.connect() as conn:
        assert list_findings(conn) == []


def test_findings_move_from_new_to_alerted_to_confirmed_and_no_further(
    engine: Engine, acme_copy: CopiedListing
) -> None:
    finding_id = record(engine, acme_copy)[0].finding_id or 0
    with engine.begin() as conn:
        mark_alerted(conn, finding_id)
        assert confirm(conn, finding_id) is True
        assert confirm(conn, finding_id) is False  # again: nothing to do
        with pytest.raises(TransitionError, match="cannot go from confirmed to dismissed"):
            dismiss(conn, finding_id)
        assert [f.state for f in list_findings(conn, brand="Acme", state="confirmed")] == ["confirmed"]


def test_dismissing_allowlists_the_seller_on_that_marketplace_only(
    engine: Engine, acme_copy: CopiedListing
) -> None:
    finding_id = record(engine, acme_copy)[0].finding_id or 0
    with engine.begin() as conn:
        assert dismiss(conn, finding_id) is True
        assert dismiss(conn, finding_id) is False
        assert get_brand(conn, "Acme").authorizes("cheap-deals", "ebay")
        assert not get_brand(conn, "Acme").authorizes("cheap-deals", "amazon")
    other_listing, _ = record(engine, acme_copy.changed(listing_id="v1|999|0"))
    same_again, _ = record(engine, acme_copy.changed(price=Decimal("1")))
    elsewhere, _ = record(engine, acme_copy.changed(marketplace="amazon", listing_id="B0X/cheap-deals"))
    assert other_listing.allowed_seller and same_again.allowed_seller
    assert elsewhere.created


def test_a_listing_without_a_seller_is_refused_with_the_field_named(
    engine: Engine, acme_copy: CopiedListing
) -> None:
    with engine.begin() as conn, pytest.raises(EvidenceError, match=r"listing v1\|1234\|0: seller: is empty"):
        blank = acme_copy.changed(seller=" ")
        record_finding(conn, "Acme", blank.listing, blank.match)
    with engine.begin() as conn, pytest.raises(UnknownBrandError):
        record_finding(conn, "Nobody", acme_copy.listing, acme_copy.match)


def test_the_export_lists_confirmed_findings_for_a_bulk_complaint(
    engine: Engine, acme_copy: CopiedListing
) -> None:
    confirmed = record(engine, acme_copy)[0].finding_id or 0
    record(engine, acme_copy.changed(listing_id="v1|555|0", url="https://www.ebay.com/itm/555"))
    with engine.begin() as conn:
        confirm(conn, confirmed)
        text = export_csv(conn, "Acme")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["listing_id"], r["listing_url"], r["marketplace"], r["brand"]) for r in rows] == [
        ("v1|1234|0", "https://www.ebay.com/itm/1234", "ebay", "Acme")
    ]
    assert "counterfeit" in rows[0]["reason"]
    assert "image matches brand image" in rows[0]["evidence"] and rows[0]["found_at"].startswith("20")
