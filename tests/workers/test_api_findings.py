from __future__ import annotations

from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import redis
import requests
from alert_support import PUBLIC_URL, CopiedListing, mailer, record
from sqlalchemy import Engine

from connectors.sandbox.server import BackgroundServer
from workers.api.app import create_app
from workers.api.deps import Services
from workers.brands import get_brand
from workers.findings import get_finding
from workers.mail import LinkSigner, OutboxTransport, send_alert
from workers.mail.compose import one_line

KEY = b"test-link-key"


@pytest.fixture
def api(engine: Engine, redis_url: str) -> Iterator[str]:
    """The seller API itself, with the link signer the e-mails were signed with."""
    client = redis.Redis.from_url(redis_url)
    app = create_app(Services(engine, client, link_signer=LinkSigner(KEY)))
    with BackgroundServer(app, name="seller-api") as server:
        yield server.url
    client.close()


def test_without_a_link_signer_the_api_serves_no_finding_pages(engine: Engine, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    with BackgroundServer(create_app(Services(engine, client)), name="seller-api") as server:
        assert requests.get(f"{server.url}/v1/findings/1/confirm?token=x", timeout=10).status_code == 404
    client.close()


def state(engine: Engine, finding_id: int) -> str:
    with engine.connect() as conn:
        return get_finding(conn, finding_id).state


def emailed_links(engine: Engine, alert_id: int, outbox: Path, api: str) -> dict[str, str]:
    """The confirm and dismiss links of the e-mail actually sent, pointed at the test server."""
    send_alert(alert_id, mailer(engine, OutboxTransport(outbox)))
    (path,) = outbox.iterdir()
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = {}
    for line in text.splitlines():
        for action in ("confirm", "dismiss"):
            if line.lower().startswith(action):
                found[action] = one_line(line.split(": ", 1)[1]).replace(PUBLIC_URL, api)
    return found


def test_the_emailed_confirm_link_asks_first_then_confirms_once(
    engine: Engine, acme_copy: CopiedListing, api: str, tmp_path: Path
) -> None:
    recorded, ids = record(engine, acme_copy)
    finding_id = recorded.finding_id or 0
    link = emailed_links(engine, ids[0], tmp_path / "outbox", api)["confirm"]
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and '<form method="post"' in page.text and "cheap-deals" in page.text
    assert state(engine, finding_id) == "alerted"  # a link scanner's GET decides nothing
    done = requests.post(link, timeout=10)
    assert done.status_code == 200 and "Confirmed" in done.text
    again = requests.post(link, timeout=10)
    assert again.status_code == 200 and "confirmed already" in again.text
    assert state(engine, finding_id) == "confirmed"


def test_the_emailed_dismiss_link_allowlists_the_seller(
    engine: Engine, acme_copy: CopiedListing, api: str, tmp_path: Path
) -> None:
    recorded, ids = record(engine, acme_copy)
    links = emailed_links(engine, ids[0], tmp_path / "outbox", api)
    assert requests.post(links["dismiss"], timeout=10).status_code == 200
    assert state(engine, recorded.finding_id or 0) == "dismissed"
    with engine.connect() as conn:
        assert get_brand(conn, "Acme").authorizes("cheap-deals", "ebay")
    refused = requests.post(links["confirm"], timeout=10)
    assert refused.status_code == 409 and "dismissed" in refused.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_bad_forged_or_expired_token_gets_a_clear_403(
    engine: Engine, acme_copy: CopiedListing, api: str
) -> None:
    finding_id = record(engine, acme_copy)[0].finding_id or 0
    url = f"{api}/v1/findings/{finding_id}/confirm"
    expired = LinkSigner(KEY, max_age=-1).sign(finding_id, "confirm")
    cases = {
        "": "incomplete",
        LinkSigner(b"forged").sign(finding_id, "confirm"): "signature does not match",
        LinkSigner(KEY).sign(finding_id, "dismiss"): "another finding or action",
        expired: "expired",
    }
    for token, reason in cases.items():
        for method in ("GET", "POST"):
            answer = requests.request(method, url, params={"token": token}, timeout=10)
            assert answer.status_code == 403 and reason in answer.text, (method, token)
    assert state(engine, finding_id) == "new"
