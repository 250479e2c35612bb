"""eBay OAuth in the sandbox: grants, refusals in eBay's shapes, scopes, expiry, derived credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from ebay_client import EbayClient, FakeClock

from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.ebay.auth import API_SCOPE, AppCredentials
from connectors.sandbox.ebay.model import SCOPE_INVENTORY, SCOPE_READONLY

Start = Callable[..., tuple[EbaySandbox, EbayClient]]


def first_error(answer: requests.Response) -> dict[str, Any]:
    return answer.json()["errors"][0]


def test_a_refresh_grant_answers_a_two_hour_user_token(ebay_client: EbayClient) -> None:
    answer = ebay_client.grant(scope=SCOPE_INVENTORY)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 7200
    assert body["token_type"] == "User Access Token"
    assert set(body) == {"access_token", "expires_in", "token_type"}


def test_a_wrong_client_secret_is_refused_as_invalid_client(ebay_client: EbayClient) -> None:
    ebay_client.credentials = {**ebay_client.credentials, "client_secret": "wrong"}
    answer = ebay_client.grant()
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert "wrong" not in answer.text


def test_a_forged_refresh_token_is_refused_as_invalid_grant(ebay_client: EbayClient) -> None:
    token = ebay_client.credentials["refresh_token"]
    answer = ebay_client.grant(refresh_token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_scope_the_seller_did_not_grant_is_refused(
    shared_ebay: tuple[EbaySandbox, str], seller: str
) -> None:
    sandbox, url = shared_ebay
    client = EbayClient(url, sandbox.credentials_for(seller, scopes=[API_SCOPE, SCOPE_READONLY]))
    assert client.grant(scope=SCOPE_READONLY).status_code == 200
    refused = client.grant(scope=f"{SCOPE_READONLY} {SCOPE_INVENTORY}")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"


def test_an_unsupported_grant_type_is_named_as_such(ebay_client: EbayClient) -> None:
    answer = ebay_client.grant(grant_type="password")
    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_grant_type")


def test_an_application_token_cannot_make_seller_calls(ebay_client: EbayClient) -> None:
    auth = (ebay_client.credentials["client_id"], ebay_client.credentials["client_secret"])
    form = {"grant_type": "client_credentials", "scope": API_SCOPE}
    answer = requests.post(f"{ebay_client.url}/identity/v1/oauth2/token", auth=auth, data=form)
    assert answer.json()["token_type"] == "Application Access Token"
    ebay_client.token = answer.json()["access_token"]
    refused = ebay_client.call("GET", "/inventory_item/MUG-1")
    assert refused.status_code == 403
    assert first_error(refused)["errorId"] == 1100


def test_an_application_token_is_only_for_the_public_scope(ebay_client: EbayClient) -> None:
    auth = (ebay_client.credentials["client_id"], ebay_client.credentials["client_secret"])
    form = {"grant_type": "client_credentials", "scope": SCOPE_INVENTORY}
    answer = requests.post(f"{ebay_client.url}/identity/v1/oauth2/token", auth=auth, data=form)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_scope")


def test_a_call_without_a_token_or_with_a_bad_one_gets_eBays_401(ebay_client: EbayClient) -> None:
    url = f"{ebay_client.url}/sell/inventory/v1/inventory_item/MUG-1"
    missing = requests.get(url)
    assert (missing.status_code, first_error(missing)["errorId"]) == (401, 1002)
    ebay_client.token = "v^1.1#i^1#p^3#t^not-a-token"
    invalid = ebay_client.call("GET", "/inventory_item/MUG-1")
    assert invalid.status_code == 401
    assert first_error(invalid) == {
        "errorId": 1001,
        "domain": "OAuth",
        "category": "REQUEST",
        "message": "Invalid access token",
        "longMessage": "Invalid access token. Check the value of the Authorization HTTP request header.",
    }


def test_a_read_only_token_reads_but_cannot_write(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    ebay_client.login(scope=SCOPE_READONLY)
    assert ebay_client.call("GET", "/inventory_item/MUG-1").status_code == 404
    refused = ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    assert (refused.status_code, first_error(refused)["errorId"]) == (403, 1100)


def test_expired_tokens_are_refused_until_refreshed(ebay: EbaySandbox, ebay_client: EbayClient) -> None:
    assert ebay_client.call("GET", "/inventory_item/MUG-1").status_code == 404
    ebay.expire_tokens()
    assert first_error(ebay_client.call("GET", "/inventory_item/MUG-1"))["errorId"] == 1001
    ebay_client.login()
    assert ebay_client.call("GET", "/inventory_item/MUG-1").status_code == 404


def test_a_token_lasts_two_hours_by_the_sandbox_clock(serve_ebay: Start, clock: FakeClock) -> None:
    _, client = serve_ebay(clock=clock)
    client.login()
    clock.advance(7199)
    assert client.call("GET", "/inventory_item/MUG-1").status_code == 404
    clock.advance(1)
    assert client.call("GET", "/inventory_item/MUG-1").status_code == 401


def test_seller_credentials_are_derived_the_same_after_a_restart() -> None:
    first, second = EbaySandbox(), EbaySandbox()
    assert first.credentials_for("shop-7") == second.credentials_for("shop-7")
    assert (
        first.credentials_for("shop-7")["refresh_token"] != first.credentials_for("shop-8")["refresh_token"]
    )


def test_app_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTING_SYNC_SANDBOX_EBAY_CLIENT_ID", "my-app")
    monkeypatch.setenv("LISTING_SYNC_SANDBOX_SECRET", "shared-secret")
    from_env = EbaySandbox()
    assert from_env.credentials_for("s")["client_id"] == "my-app"
    assert from_env.credentials.secret == "shared-secret"
    assert EbaySandbox(client_id="given").credentials.client_id == "given"
    assert "shared-secret" not in repr(from_env.credentials)
    assert AppCredentials().client_id != "my-app"
