"""From a finding to its e-mail at the SMTP server: the alerting half of `benchmarks/alerts.py` (issue 7).

On a warm system (store migrated, brand registered, SMTP server and image host up, one alert sent first), for
each of `--listings` copied listings: record the finding and queue its alerts in one transaction, then
`send_alert` each of the brand's `--contacts` contacts (fetch both images, make the thumbnails, compose,
sign the links, deliver over SMTP to aiosmtpd on 127.0.0.1, record sent_at). Prints wall-clock latency from
the start of recording to the last contact's e-mail accepted: p50, p95 and max, beside the target p95 <= 5 s
that the whole path from a scan to the SMTP server must meet. SQLite in a temporary folder unless
`--database-url` names an empty database of its own (it is migrated and written to).

    PYTHONPATH=. /work/venv/bin/python benchmarks/alert_mail.py [--json] [--listings 40] [--contacts 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where fingerprints.py would shadow the package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import datetime as dt
import functools
import hashlib
import http.server
import json
import random
import socket
import statistics
import tempfile
import threading
import time
from decimal import Decimal
from typing import Any

from aiosmtpd.controller import Controller

from benchmarks import imagery
from connectors.search import FoundListing
from fingerprints import ImageLoader
from workers.brands import BrandIndex, Checker, VerdictKind, add_brand, add_images
from workers.findings import match_from_verdict, record_finding
from workers.mail import Mailer, MailSettings, SmtpTransport, queue_alerts, send_alert
from workers.store import migrate, open_engine

TARGET_P95 = 5.0


class Counter:
    """An aiosmtpd handler that counts accepted messages."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 OK"


class FreePortController(Controller):
    def __init__(self, handler: Any) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._sock.getsockname()[1])

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(listings: int, contacts: int, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = open_engine(database_url or f"sqlite:///{root / 'store.db'}")
        migrate(engine)
        rng = random.Random(7)
        products = [imagery.draw(imagery.random_product(rng, imagery.KINDS[i % 5])) for i in range(2)]
        official = root / "official.jpg"
        official.write_bytes(imagery.jpeg(products[0]))
        with engine.begin() as conn:
            emails = [f"contact{i}@acme.example" for i in range(contacts)]
            add_brand(conn, "Acme", emails=emails, aliases=["ACME Co"], price_floor="40", currency="USD")
        add_images(engine, "Acme", [official], loader=ImageLoader())
        copy = imagery.jpeg(products[0].resize((products[0].width * 3 // 4, products[0].height * 3 // 4)), 70)
        www = root / "www"
        www.mkdir()
        (www / "copy.jpg").write_bytes(copy)
        httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(www))
        )
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        image_url = f"http://127.0.0.1:{httpd.server_address[1]}/copy.jpg"
        verdict = Checker(BrandIndex(engine)).check_image(copy, seller="cheap-deals")
        assert verdict.verdict == VerdictKind.COUNTERFEIT_SUSPECT, verdict
        match = match_from_verdict(
            verdict,
            image_url=image_url,
            image_sha256=hashlib.sha256(copy).hexdigest(),
            fetched_at=dt.datetime.now(dt.UTC),
        )
        counter = Counter()
        smtp = FreePortController(counter)
        smtp.start()
        mail = MailSettings(mail_from="alerts@listing-sync.test", link_key=b"benchmark")
        mailer = Mailer(
            engine, SmtpTransport(f"smtp://127.0.0.1:{smtp.port}"), mail, ImageLoader(allow_private=True)
        )
        latencies: list[float] = []
        try:
            for number in range(listings + 1):  # the first one warms the system and is not counted
                listing = FoundListing(
                    "ebay", f"v1|{number}|0", f"ACME Co travel mug {number}", f"seller-{number}",
                    Decimal("9.99"), "USD", (image_url,), f"https://www.ebay.com/itm/{number}",
                )  # fmt: skip
                start = time.perf_counter()
                with engine.begin() as conn:
                    recorded = record_finding(conn, "Acme", listing, match)
                    ids = queue_alerts(conn, recorded.finding_id or 0)
                for alert_id in ids:
                    send_alert(alert_id, mailer)
                if number:
                    latencies.append(time.perf_counter() - start)
        finally:
            smtp.stop()
            httpd.shutdown()
            httpd.server_close()
            engine.dispose()
        assert counter.accepted == (listings + 1) * contacts, counter.accepted
        return {
            "listings": listings,
            "contacts": contacts,
            "emails": counter.accepted,
            "p50_s": round(statistics.median(latencies), 4),
            "p95_s": round(percentile(latencies, 0.95), 4),
            "max_s": round(max(latencies), 4),
            "target_p95_s": TARGET_P95,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=40)
    parser.add_argument("--contacts", type=int, default=2)
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true", help="print one JSON line after the figures")
    args = parser.parse_args()
    figures = run(args.listings, args.contacts, args.database_url)
    print(
        f"finding -> e-mail accepted by SMTP, {figures['listings']} listings x {figures['contacts']} contacts"
    )
    p50, p95, top = (figures[k] * 1000 for k in ("p50_s", "p95_s", "max_s"))
    print(f"  p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {top:.1f} ms")
    print(f"  target: p95 <= {TARGET_P95:.0f} s for the whole path from a scan or sync (this part only)")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
