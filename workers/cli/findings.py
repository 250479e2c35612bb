"""`listing-sync findings ...`: list suspected counterfeits, decide them, export them, send their alerts."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workers.cli.common import FAILED, fail, store
from workers.settings import Settings, SettingsError
from workers.values import FindingState

# The commands import the domain they need when they run: the brand matcher and the mail composer are slow
# to import, and every other command of the program would pay for them.

app = typer.Typer(
    help="Suspected counterfeit listings: list, confirm, dismiss, export.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    CSV = "csv"


@app.command("list")
def list_(
    brand: Annotated[str | None, typer.Option("--brand", help="Only this brand's findings.")] = None,
    state: Annotated[
        FindingState | None, typer.Option("--state", help="Only findings in this state.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array instead of text.")] = False,
) -> None:
    """List findings, newest first."""
    from workers.findings import FindingError, list_findings

    with store() as engine, engine.connect() as conn:
        try:
            rows = list_findings(conn, brand=brand, state=state)
        except FindingError as exc:
            fail(str(exc))
    if as_json:
        typer.echo(json.dumps([row.to_json() for row in rows], ensure_ascii=False))
        return
    for row in rows:
        title = " ".join(str(row.evidence.get("title", "")).split())
        typer.echo(
            f"{row.id}\t{row.state}\t{row.score:.2f}\t{row.brand}\t{row.marketplace}\t{row.listing_id}\t"
            f"{row.seller}\t{title}"
        )


def _decide(finding_id: int, action: str) -> None:
    from workers.findings import FindingError, confirm, dismiss

    with store() as engine:
        try:
            with engine.begin() as conn:
                changed = (confirm if action == "confirm" else dismiss)(conn, finding_id)
        except FindingError as exc:
            fail(str(exc))
    typer.echo(
        f"finding {finding_id}: {action}ed" if changed else f"finding {finding_id}: already {action}ed"
    )


@app.command("confirm")
def confirm_(finding_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Confirm a finding as a counterfeit: it goes into `findings export`."""
    _decide(finding_id, "confirm")


@app.command("dismiss")
def dismiss_(finding_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Dismiss a finding: its seller joins the brand's allowlist on that marketplace."""
    _decide(finding_id, "dismiss")


@app.command("export")
def export(
    brand: Annotated[str, typer.Argument(metavar="BRAND")],
    format: Annotated[ExportFormat, typer.Option("--format", help="The file format.")] = ExportFormat.CSV,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
) -> None:
    """Confirmed findings of BRAND as a CSV for a marketplace's bulk IP-complaint upload."""
    from workers.findings import FindingError, export_csv

    with store() as engine, engine.connect() as conn:
        try:
            text = export_csv(conn, brand)
        except FindingError as exc:
            fail(str(exc))
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")


@app.command("send-alerts")
def send_alerts(
    digests: Annotated[
        bool, typer.Option("--digests", help="Also send the daily digests due (what the daily job does).")
    ] = False,
) -> None:
    """Send every alert not yet sent, now, through SMTP_URL or into the outbox."""
    from workers.mail import (
        Mailer,
        MailError,
        MailSettings,
        TransientMailError,
        digests_due,
        send_alert,
        send_digest,
        transport_for,
    )
    from workers.mail.send import pending_alerts

    try:
        settings = Settings.from_env()
        mail = MailSettings.from_env(settings)
        transport = transport_for(settings)
    except (SettingsError, MailError) as exc:
        fail(str(exc))
    from fingerprints import ImageLoader

    with store() as engine, ImageLoader(allow_private=settings.allow_private_images) as loader:
        with engine.connect() as conn:
            ids = pending_alerts(conn)
            contacts = digests_due(conn) if digests else []
        mailer = Mailer(engine, transport, mail, loader)
        counts: dict[str, int] = {}
        jobs = [(send_alert, i, "alert") for i in ids] + [(send_digest, c, "digest") for c in contacts]
        for send, key, kind in jobs:
            try:
                outcome = f"{kind}s {send(key, mailer)}"
            except TransientMailError as exc:
                fail(f"{exc}; {len(jobs) - sum(counts.values())} e-mails left to send", FAILED)
            counts[outcome] = counts.get(outcome, 0) + 1
    typer.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing to send")


@app.command("digest")
def digest(
    brand: Annotated[str, typer.Argument(metavar="BRAND")],
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="One of the brand's contact e-mails.")],
    daily: Annotated[
        bool, typer.Option("--daily/--each", help="One daily digest, or an e-mail per finding (the default).")
    ] = True,
) -> None:
    """Choose how one brand contact hears about findings: a daily digest or an e-mail per finding."""
    from workers.brands import BrandError, get_brand
    from workers.mail import set_digest

    with store() as engine:
        try:
            with engine.begin() as conn:
                found = set_digest(conn, get_brand(conn, brand).id, email, daily)
        except BrandError as exc:
            fail(str(exc))
    if not found:
        fail(f"brand {brand!r} has no contact {email!r}")
    typer.echo(f"{email}: {'a daily digest' if daily else 'an e-mail per finding'}")
