"""A brand scan end to end: from a scan's start to each counterfeit's e-mail at the SMTP server; a re-scan.

Seeds the three sandboxes (limits off: with them on, Amazon's getItemOffers at 0.5 calls a second sets the
pace, 2 s a listing) with `--copies` copies of a brand's images per marketplace (mirrored, padded, cropped,
banners, recompressed...) and `--listings` unrelated listings whose titles name the brand, then runs the
`scan_brand` actor on an in-process worker with the e-mail actor delivering to aiosmtpd on 127.0.0.1. Prints
the scan's wall time and listings per second, the latency of each finding's e-mails (from its finding being
recorded, and from the scan's start), p50 and p95 beside the target (p95 <= 5 s from a listing entering the
scan to its e-mail), and a re-scan's wall time and images fetched (0 expected: the image cache).

    PYTHONPATH=. python benchmarks/scan.py [--copies 10] [--listings 40] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where fingerprints.py would shadow the package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import datetime as dt
import io
import json
import random
import statistics
import tempfile
import threading
import time
import uuid
from email import message_from_bytes
from typing import Any

import dramatiq
import numpy as np
import sqlalchemy as sa
from cryptography.fernet import Fernet
from PIL import Image

from benchmarks import imagery
from benchmarks.alert_mail import FreePortController, percentile
from connectors.sandbox.run import start_sandboxes
from fingerprints import DRAFT, ImageLoader
from workers.brands import add_brand, add_images
from workers.broker import CHECK, EMAIL, redis_url, setup_broker
from workers.context import Context, attach, writing
from workers.mail import Mailer, MailSettings, SmtpTransport
from workers.sandboxes import connect_scanner
from workers.scan_runs import open_scan, scan_state
from workers.scans import ScanTools
from workers.settings import Settings
from workers.store import migrate, open_engine
from workers.store.brand_models import Finding

TARGET_P95 = 5.0
TRICKS = ("mirror", "pad-square", "crop", "banner", "recompress", "resize", "tone")
CONTACTS = ["owner@acme.example", "legal@acme.example"]


class Arrivals:
    """An aiosmtpd handler noting when each finding's e-mails were accepted."""

    def __init__(self) -> None:
        self.at: dict[int, list[float]] = {}
        self.done = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        finding = int(message_from_bytes(envelope.content)["X-Listing-Sync-Finding"])
        with self.done:
            self.at.setdefault(finding, []).append(time.time())
            self.done.notify_all()
        return "250 OK"

    def count(self) -> int:
        return sum(len(v) for v in self.at.values())

    def wait_for(self, emails: int, timeout: float) -> None:
        with self.done:
            self.done.wait_for(lambda: self.count() >= emails, timeout)


def noise(n: int) -> bytes:
    """An unrelated picture: random coloured blocks."""
    cells = np.random.default_rng(n).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    image = Image.fromarray(cells, "RGB").resize((256, 256), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def follow(ctx: Context, scan_id: int) -> dict[str, Any]:
    while True:
        with ctx.engine.connect() as conn:
            state = scan_state(conn, scan_id)
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)


def run(copies: int, listings: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, start_sandboxes(limits=False) as running:
        key = Fernet.generate_key().decode()
        settings = Settings(Path(tmp), f"sqlite:///{tmp}/store.db", secret_key=key)
        engine = open_engine(settings.database_url)
        migrate(engine)
        rng = random.Random(7)
        products = [imagery.draw(imagery.random_product(rng, imagery.KINDS[i % 5])) for i in range(3)]
        with engine.begin() as conn:
            add_brand(conn, "Acme", emails=CONTACTS, authorized=["Good Shop"])
        add_images(engine, "Acme", [imagery.jpeg(p) for p in products], loader=ImageLoader(draft=DRAFT))
        connect_scanner(engine, running, key, limits=False)
        for name, sandbox, _ in running:
            currency = "CNY" if name == "tmall" else "USD"
            for n in range(copies):
                trick = TRICKS[n % len(TRICKS)]
                image = imagery.TRANSFORMS[trick](products[n % 3], random.Random(n), [])
                sandbox.seed(  # type: ignore[attr-defined]
                    title=f"Acme copy {n}", seller=f"A{n:04d}COPY", price="9.99", currency=currency,
                    images=[imagery.jpeg(image, quality=80)],
                )  # fmt: skip
            for n in range(listings):
                sandbox.seed(  # type: ignore[attr-defined]
                    title=f"Acme compatible part {n}", seller=f"A{n:04d}OTHER", price="5", currency=currency,
                    images=[noise(n)],
                )  # fmt: skip

        arrivals = Arrivals()
        smtp = FreePortController(arrivals)
        smtp.start()
        broker = setup_broker(redis_url(settings), namespace=f"bench-scan-{uuid.uuid4().hex[:6]}")
        ctx = Context.build(settings, redis_url(settings), prefix=broker.namespace, engine=engine)
        ctx.extras["scan_tools"] = ScanTools.build(ctx, ImageLoader(allow_private=True, draft=DRAFT))
        mail = MailSettings(mail_from="alerts@listing-sync.test", link_key=b"benchmark")
        transport = SmtpTransport(f"smtp://127.0.0.1:{smtp.port}")
        ctx.extras["mailer"] = Mailer(engine, transport, mail, ImageLoader(allow_private=True))
        attach(broker, ctx)
        from workers import actors

        worker = dramatiq.Worker(broker, queues={CHECK, EMAIL}, worker_threads=4, worker_timeout=100)
        worker.start()
        try:
            figures: dict[str, Any] = {"copies_per_marketplace": copies, "others_per_marketplace": listings}
            for label in ("first", "rescan"):
                began, before = time.time(), arrivals.count()
                with writing(engine) as conn:
                    scan_id, _ = open_scan(conn, "Acme")
                actors.scan_brand.send(scan_id)
                state = follow(ctx, scan_id)
                scanned = time.time() - began
                if label == "first":
                    arrivals.wait_for(len(CONTACTS) * state["summary"]["totals"]["new_findings"], 120)
                totals = state["summary"]["totals"]
                figures[label] = {
                    "status": state["status"],
                    "seconds": round(scanned, 3),
                    "listings": totals["listings"],
                    "listings_per_second": round(totals["listings"] / scanned, 1),
                    "images_fetched": totals["images_fetched"],
                    "images_cached": totals["images_cached"],
                    "new_findings": totals["new_findings"],
                    "emails": arrivals.count() - before,
                }
                if label == "first":
                    figures["latency"] = latencies(engine, arrivals, began)
        finally:
            worker.stop()
            smtp.stop()
            engine.dispose()
        return figures


def latencies(engine: sa.Engine, arrivals: Arrivals, began: float) -> dict[str, Any]:
    with engine.connect() as conn:
        recorded = {row.id: row.created_at for row in conn.execute(sa.select(Finding.id, Finding.created_at))}
    from_finding = [
        max(times) - recorded[finding].replace(tzinfo=dt.UTC).timestamp()
        for finding, times in arrivals.at.items()
    ]
    from_start = [max(times) - began for times in arrivals.at.values()]
    return {
        "findings": len(from_finding),
        "finding_to_email_p50_s": round(statistics.median(from_finding), 3),
        "finding_to_email_p95_s": round(percentile(from_finding, 0.95), 3),
        "scan_start_to_email_p50_s": round(statistics.median(from_start), 3),
        "scan_start_to_email_p95_s": round(percentile(from_start, 0.95), 3),
        "target_p95_s": TARGET_P95,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the brand's images per marketplace")
    parser.add_argument("--listings", type=int, default=40, help="unrelated listings per marketplace")
    parser.add_argument("--json", action="store_true", help="print one JSON line after the figures")
    args = parser.parse_args()
    figures = run(args.copies, args.listings)
    for label in ("first", "rescan"):
        f = figures[label]
        print(
            f"{label:<7} scan: {f['listings']} listings in {f['seconds']:.2f} s "
            f"({f['listings_per_second']:.0f}/s), "
            f"{f['images_fetched']} images fetched, {f['images_cached']} from the cache, "
            f"{f['new_findings']} new findings, {f['emails']} e-mails"
        )
    lat = figures["latency"]
    print(
        f"finding recorded -> e-mails accepted: p50 {lat['finding_to_email_p50_s']:.2f} s, "
        f"p95 {lat['finding_to_email_p95_s']:.2f} s ({lat['findings']} findings)"
    )
    print(
        f"scan start -> e-mails accepted: p50 {lat['scan_start_to_email_p50_s']:.2f} s, "
        f"p95 {lat['scan_start_to_email_p95_s']:.2f} s "
        f"(target p95 <= {TARGET_P95:.0f} s from a listing entering the scan)"
    )
    if args.json:
        print(json.dumps({"benchmark": "scan", **figures}))


if __name__ == "__main__":
    main()
