from __future__ import annotations

import csv
import io
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from alert_support import CopiedListing, record
from cli_helpers import Cli
from smtp_support import SmtpServer
from sqlalchemy import Engine

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the store is covered above


def test_findings_list_filters_by_brand_and_state(
    engine: Engine, acme_copy: CopiedListing, cli_db: Cli
) -> None:
    first = record(engine, acme_copy)[0].finding_id
    second = record(engine, acme_copy.changed(listing_id="v1|2|0"))[0].finding_id
    assert cli_db("findings", "confirm", str(first)).returncode == 0
    listed = cli_db.json("findings", "list", "--brand", "Acme")
    assert [f["id"] for f in listed] == [second, first]
    assert listed[1]["state"] == "confirmed" and listed[1]["url"] == "https://www.ebay.com/itm/1234"
    assert [f["id"] for f in cli_db.json("findings", "list", "--state", "new")] == [second]
    text = cli_db("findings", "list")
    assert text.returncode == 0 and f"{first}\tconfirmed\t" in text.stdout and "cheap-deals" in text.stdout
    unknown = cli_db("findings", "list", "--brand", "Nope")
    assert unknown.returncode == 2 and "unknown brand 'Nope'" in unknown.stderr
    bad_state = cli_db("findings", "list", "--state", "maybe")
    assert bad_state.returncode == 2 and "maybe" in bad_state.stderr


@sqlite_only
def test_findings_export_writes_the_confirmed_ones_as_csv(
    engine: Engine, acme_copy: CopiedListing, cli_db: Cli, tmp_path: Path
) -> None:
    finding_id = record(engine, acme_copy)[0].finding_id
    record(engine, acme_copy.changed(listing_id="v1|2|0"))
    cli_db("findings", "confirm", str(finding_id))
    out = tmp_path / "complaint.csv"
    done = cli_db("findings", "export", "Acme", "--format", "csv", "--output", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["listing_id"], r["brand"], r["marketplace"]) for r in rows] == [("v1|1234|0", "Acme", "ebay")]
    assert cli_db("findings", "export", "Acme").stdout.splitlines()[0].startswith("listing_id,listing_url,")
    assert "--format" in cli_db("findings", "export", "--help").stdout


@sqlite_only
def test_findings_dismiss_twice_and_confirm_after_dismiss(
    engine: Engine, acme_copy: CopiedListing, cli_db: Cli
) -> None:
    finding_id = str(record(engine, acme_copy)[0].finding_id)
    assert cli_db("findings", "dismiss", finding_id).stdout.strip() == f"finding {finding_id}: dismissed"
    assert "already dismissed" in cli_db("findings", "dismiss", finding_id).stdout
    refused = cli_db("findings", "confirm", finding_id)
    assert refused.returncode == 2 and "cannot go from dismissed to confirmed" in refused.stderr
    assert "unknown finding 999" in cli_db("findings", "confirm", "999").stderr


@sqlite_only
def test_send_alerts_goes_to_the_outbox_without_smtp_and_to_smtp_with_it(
    engine: Engine, acme_copy: CopiedListing, cli_db: Cli, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    record(engine, acme_copy)
    done = cli_db("findings", "send-alerts")
    assert done.returncode == 0 and done.stdout.strip() == "2 alerts sent", done.stderr
    outbox = tmp_path / "data" / "outbox"
    for path in outbox.iterdir():
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert message["X-Listing-Sync-Finding"] is not None
    assert cli_db("findings", "digest", "Acme", "legal@acme.example", "--daily").returncode == 0
    record(engine, acme_copy.changed(title="Acme mug, new"))
    sent = cli_db("findings", "send-alerts", "--digests", SMTP_URL=smtp_server.url)
    assert sent.stdout.strip() == "1 alerts sent, 1 digests sent" and len(smtp_server.messages) == 2
    assert {r.rcpt_tos[0] for r in smtp_server.messages} == {"owner@acme.example", "legal@acme.example"}
    missing = cli_db("findings", "digest", "Acme", "nobody@acme.example")
    assert missing.returncode == 2 and "has no contact 'nobody@acme.example'" in missing.stderr
    assert cli_db("findings", "send-alerts").stdout.strip() == "nothing to send"
