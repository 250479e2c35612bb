"""Token auths: cached, refreshed before expiry and once on a refusal, thread-safe, never leaking secrets."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests
from connector_support import Answer

from connectors.auth import EBAY_INVENTORY_SCOPE, EbayAuth, LwaAuth, TopAuth
from connectors.errors import AuthError
from connectors.http import HttpClient, make_session
from connectors.top_signing import sign

SECRET = "client-secret-xyz"
REFRESH = "Atzr|refresh-token-abc"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token(n: int, expires_in: int = 3600) -> Answer:
    return Answer(200, {"access_token": f"token-{n}", "token_type": "bearer", "expires_in": expires_in})


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def lwa(scripted, clock):
    return LwaAuth(
        f"{scripted.url}/auth/o2/token", "client-1", SECRET, REFRESH, session=make_session(2), clock=clock
    )


def test_the_token_is_fetched_once_and_reused(scripted, lwa):
    scripted.answer(token(1), Answer(200, {}), Answer(200, {}))
    api = HttpClient(scripted.url, lwa, session=make_session(2))
    api.request("GET", "/a")
    api.request("GET", "/b")
    assert lwa.refreshes == 1
    assert [s.headers.get("x-amz-access-token") for s in scripted.seen[1:]] == ["token-1", "token-1"]
    form = parse_qs(scripted.seen[0].body.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH],
        "client_id": ["client-1"],
        "client_secret": [SECRET],
    }


def test_the_token_is_refreshed_shortly_before_it_expires(scripted, lwa, clock):
    scripted.answer(token(1), Answer(200, {}), token(2), Answer(200, {}))
    api = HttpClient(scripted.url, lwa, session=make_session(2))
    api.request("GET", "/a")
    clock.now += 3600 - 60  # inside the refresh margin, before the real expiry
    api.request("GET", "/b")
    assert lwa.refreshes == 2
    assert scripted.seen[-1].headers.get("x-amz-access-token") == "token-2"


def test_an_expired_token_answer_is_refreshed_without_the_caller_noticing(scripted, lwa):
    refused = Answer(
        403, {"errors": [{"code": "Unauthorized", "message": "The access token you provided has expired."}]}
    )
    scripted.answer(token(1), refused, token(2), Answer(200, {"ok": True}))
    api = HttpClient(scripted.url, lwa, session=make_session(2))
    assert api.json("GET", "/a") == {"ok": True}
    assert lwa.refreshes == 2


def test_a_refused_refresh_is_an_auth_error_without_secrets(scripted, lwa):
    scripted.answer(Answer(400, {"error": "invalid_grant", "error_description": f"bad token {REFRESH}"}))
    api = HttpClient(scripted.url, lwa, session=make_session(2))
    with pytest.raises(AuthError) as info:
        api.request("GET", "/a")
    for text in (str(info.value), repr(info.value), repr(lwa), repr(api)):
        assert SECRET not in text
        assert REFRESH not in text
    assert "invalid_grant" in str(info.value)


def test_a_still_refused_token_after_one_refresh_is_an_auth_error(scripted, lwa):
    refused = Answer(
        401, {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]}
    )
    scripted.answer(token(1), refused, token(2), refused)
    api = HttpClient(scripted.url, lwa, session=make_session(2))
    with pytest.raises(AuthError):
        api.request("GET", "/a")
    assert lwa.refreshes == 2


def test_threads_share_one_refresh(scripted, lwa):
    scripted.answer(token(1))
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(lwa.token())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tokens == ["token-1"] * 8
    assert lwa.refreshes == 1


def test_ebay_auth_uses_basic_client_auth_and_scopes(scripted):
    auth = EbayAuth(
        f"{scripted.url}/identity/v1/oauth2/token", "app-1", SECRET, REFRESH, session=make_session(1)
    )
    scripted.answer(token(9, 7200), Answer(200, {}))
    HttpClient(scripted.url, auth, session=make_session(1)).request("GET", "/sell/inventory/v1/offer")
    grant = scripted.seen[0]
    assert grant.headers["Authorization"] == "Basic " + base64.b64encode(f"app-1:{SECRET}".encode()).decode()
    assert parse_qs(grant.body.decode())["scope"] == [EBAY_INVENTORY_SCOPE]
    assert scripted.seen[1].headers["Authorization"] == "Bearer token-9"
    assert SECRET not in repr(auth)


def test_top_signing_covers_query_and_multipart_text_but_not_files():
    now = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
    auth = TopAuth("app-1", SECRET, "session-1", sign_method="hmac-sha256", now=lambda: now)
    image = b"\x89PNG bytes"
    request = requests.Request(
        "POST",
        "http://127.0.0.1:1/router/rest?method=taobao.picture.upload",
        data={"image_input_title": "主图.png"},
        files={"image": ("main.png", image, "image/png")},
        auth=auth,
    ).prepare()
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query["timestamp"] == "2026-11-23 09:02:03"  # GMT+8
    assert (query["app_key"], query["sign_method"]) == ("app-1", "hmac-sha256")
    assert "session" not in query  # the session key travels in the body, out of URLs and their log lines
    assert b'name="session"\r\n\r\nsession-1' in request.body
    assert image in request.body
    signed = {k: v for k, v in query.items() if k != "sign"} | {
        "image_input_title": "主图.png",
        "session": "session-1",
    }
    assert query["sign"] == sign(signed, SECRET, "hmac-sha256")
    assert SECRET not in request.url
    assert SECRET not in repr(auth)


def test_top_signing_keeps_a_form_body_a_form_body():
    auth = TopAuth("app-1", SECRET, "session-1", sign_method="md5")
    request = requests.Request(
        "POST",
        "http://127.0.0.1:1/router/rest?method=taobao.item.update.delisting",
        data={"num_iid": "7"},
        auth=auth,
    ).prepare()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(request.body)) == {"num_iid": "7", "session": "session-1"}
    assert int(request.headers["Content-Length"]) == len(request.body)
