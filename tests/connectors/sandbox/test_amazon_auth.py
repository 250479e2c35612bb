"""Login with Amazon and access tokens: what works, and the exact refusals when it does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from amazon_helpers import AMAZON_SELLER, AmazonClient, FakeClock

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.amazon.auth import ENV_PREFIX, AppCredentials

UNAUTHORIZED = {"code": "Unauthorized", "message": "Access to requested resource is denied."}


def grant(url: str, **form: str) -> requests.Response:
    return requests.post(url + "/auth/o2/token", data=form, timeout=5)


def good_form(sandbox: AmazonSandbox, seller_id: str = AMAZON_SELLER) -> dict[str, str]:
    creds = sandbox.credentials_for(seller_id)
    return {
        "grant_type": "refresh_token",
        **{k: creds[k] for k in ("refresh_token", "client_id", "client_secret")},
    }


def assert_unauthorized(answer: requests.Response, details: str) -> None:
    assert answer.status_code == 403
    (error,) = answer.json()["errors"]
    assert {k: error[k] for k in ("code", "message")} == UNAUTHORIZED
    assert details in error["details"]
    assert answer.headers["x-amzn-RequestId"]


def test_a_refresh_token_grant_answers_as_lwa_does(amazon_server: tuple[AmazonSandbox, str]) -> None:
    sandbox, url = amazon_server
    answer = grant(url, **good_form(sandbox))
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"] == sandbox.credentials_for(AMAZON_SELLER)["refresh_token"]
    assert body["access_token"].startswith("Atza|")


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "amzn1.application-oa2-client.other"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|QTE|forged"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"refresh_token": ""}, 400, "invalid_request"),
    ],
)
def test_a_bad_grant_is_refused_in_lwa_shape(
    amazon_server: tuple[AmazonSandbox, str], change: dict[str, str], status: int, error: str
) -> None:
    sandbox, url = amazon_server
    answer = grant(url, **{**good_form(sandbox), **change})
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    secret = sandbox.credentials.client_secret
    assert secret not in answer.text


def test_a_token_request_that_is_not_a_form_is_invalid(amazon_server: tuple[AmazonSandbox, str]) -> None:
    sandbox, url = amazon_server
    answer = requests.post(url + "/auth/o2/token", json=good_form(sandbox), timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")


def test_calls_without_a_valid_token_are_refused_as_sp_api_does(amazon: AmazonClient) -> None:
    path = amazon.url + amazon.item_path("SKU-1")
    params = {"marketplaceIds": "ATVPDKIKX0DER"}
    assert_unauthorized(requests.get(path, params=params, timeout=5), "missing")
    forged = {"x-amz-access-token": amazon.token[:-4] + "0000"}
    assert_unauthorized(requests.get(path, params=params, headers=forged, timeout=5), "invalid")
    refresh = {"x-amz-access-token": amazon.sandbox.credentials_for(amazon.seller_id)["refresh_token"]}
    assert_unauthorized(requests.get(path, params=params, headers=refresh, timeout=5), "invalid")


def test_a_token_for_one_seller_does_not_open_another_sellers_listings(amazon: AmazonClient) -> None:
    answer = amazon.call(
        "GET",
        amazon.item_path("SKU-1", seller_id="A2OTHERSELLER"),
        params={"marketplaceIds": "ATVPDKIKX0DER"},
    )
    assert_unauthorized(answer, "seller")


def test_a_token_expires_after_an_hour_and_a_refresh_gets_a_working_one(
    amazon: AmazonClient, amazon_clock: FakeClock
) -> None:
    assert amazon.put("SKU-1").status_code == 200
    amazon_clock.advance(3599)
    assert amazon.get("SKU-1").status_code == 200
    amazon_clock.advance(1)
    assert_unauthorized(amazon.get("SKU-1"), "expired")
    amazon.token = amazon.login()
    assert amazon.get("SKU-1").status_code == 200


def test_expire_tokens_expires_every_token_issued_so_far(amazon: AmazonClient) -> None:
    assert amazon.put("SKU-1").status_code == 200
    amazon.sandbox.expire_tokens()
    assert_unauthorized(amazon.get("SKU-1"), "expired")
    amazon.token = amazon.login()
    assert amazon.get("SKU-1").status_code == 200


def test_seller_credentials_survive_a_restart_and_differ_per_seller() -> None:
    first, second = AmazonSandbox(), AmazonSandbox()
    assert first.credentials_for("A1") == second.credentials_for("A1")
    assert first.credentials_for("A1")["refresh_token"] != first.credentials_for("A2")["refresh_token"]
    assert AmazonSandbox(secret="other").credentials_for("A1") != first.credentials_for("A1")


def test_a_token_from_before_a_restart_still_works(start_amazon: Callable[..., Any]) -> None:
    before, url = start_amazon()
    client = AmazonClient(before, url)
    _, after_url = start_amazon()
    answer = requests.get(
        after_url + client.item_path("SKU-1"),
        params={"marketplaceIds": "ATVPDKIKX0DER"},
        headers={"x-amz-access-token": client.token},
        timeout=5,
    )
    assert answer.status_code == 404  # authenticated; there is just no such listing in the new sandbox


def test_app_credentials_come_from_options_then_the_environment_then_defaults() -> None:
    environ = {ENV_PREFIX + "CLIENT_ID": "env-id", ENV_PREFIX + "SECRET": "env-secret"}
    resolved = AppCredentials.resolve(client_secret="option-secret", environ=environ)
    assert (resolved.client_id, resolved.client_secret, resolved.secret) == (
        "env-id",
        "option-secret",
        "env-secret",
    )
    assert AppCredentials.resolve(environ={}) == AppCredentials()
    assert "option-secret" not in repr(resolved)


def test_the_environment_sets_the_sandbox_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PREFIX + "CLIENT_ID", "amzn1.application-oa2-client.fromenv")
    assert AmazonSandbox().credentials_for("A1")["client_id"] == "amzn1.application-oa2-client.fromenv"
    assert AmazonSandbox(client_id="given").credentials_for("A1")["client_id"] == "given"
