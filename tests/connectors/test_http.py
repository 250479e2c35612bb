"""The HTTP boundary: transport failures and HTTP answers become the right connector errors."""

from __future__ import annotations

import socket

import pytest
from connector_support import Answer

from connectors.errors import AuthError, ConnectorError, PermanentError, TransientError
from connectors.http import HttpClient, ban_seconds, make_session


@pytest.fixture
def client(scripted):
    return HttpClient(scripted.url, session=make_session(4), timeout=(1.0, 1.0))


def test_a_2xx_answer_comes_back_decoded(client, scripted):
    scripted.answer(Answer(200, {"ok": True}))
    assert client.json("GET", "/thing") == {"ok": True}


def test_a_429_is_transient_with_retry_after_from_the_header(client, scripted):
    scripted.answer(
        Answer(429, {"errors": [{"code": "QuotaExceeded", "message": "slow down"}]}, {"Retry-After": "7"})
    )
    with pytest.raises(TransientError) as info:
        client.request("GET", "/thing")
    assert info.value.retry_after == 7.0
    assert info.value.status == 429
    assert "QuotaExceeded" in str(info.value)


def test_a_throttle_without_header_takes_the_wait_from_the_body(client, scripted):
    scripted.answer(
        Answer(429, {"errors": [{"code": "7", "message": "This ban will last for 12 more seconds"}]})
    )
    with pytest.raises(TransientError) as info:
        client.request("GET", "/thing")
    assert info.value.retry_after == 12.0


def test_amazons_rate_header_gives_the_wait_when_nothing_else_does(client, scripted):
    body = {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota."}]}
    scripted.answer(Answer(429, body, {"x-amzn-RateLimit-Limit": "0.5"}))
    with pytest.raises(TransientError) as info:
        client.request("GET", "/thing")
    assert info.value.retry_after == 2.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_answers_are_transient(client, scripted, status):
    scripted.answer(Answer(status, {"errors": [{"code": "InternalFailure", "message": "oops"}]}))
    with pytest.raises(TransientError) as info:
        client.request("POST", "/thing")
    assert info.value.status == status


def test_other_4xx_answers_are_permanent_with_the_marketplace_code(client, scripted):
    body = {
        "errors": [{"errorId": 25002, "message": "bad", "longMessage": "The SKU is bad.", "parameters": []}]
    }
    scripted.answer(Answer(400, body))
    with pytest.raises(PermanentError) as info:
        client.request("PUT", "/thing")
    assert info.value.code == "25002"
    assert "The SKU is bad." in str(info.value)


def test_a_read_timeout_is_transient(scripted):
    scripted.answer(Answer(200, {}, hold=scripted.release))
    client = HttpClient(scripted.url, session=make_session(1), timeout=(1.0, 0.2))
    with pytest.raises(TransientError, match="no answer in time"):
        client.request("GET", "/slow")


def test_a_refused_connection_is_transient():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = HttpClient(f"http://127.0.0.1:{port}", session=make_session(1), timeout=(1.0, 1.0))
    with pytest.raises(TransientError, match="connection failed"):
        client.request("GET", "/")


def test_a_garbled_body_is_transient(client, scripted):
    scripted.answer(Answer(200, b"{not json"))
    with pytest.raises(TransientError, match="not valid JSON"):
        client.json("GET", "/thing")


def test_401_twice_is_an_auth_error(client, scripted):
    scripted.answer(Answer(401, {"errors": [{"code": "Unauthorized", "message": "no"}]}))
    with pytest.raises(AuthError):
        client.request("GET", "/thing")


def test_error_messages_leave_out_the_query_string(scripted):
    scripted.answer(Answer(503, {}))
    client = HttpClient(scripted.url, session=make_session(1))
    with pytest.raises(ConnectorError) as info:
        client.request("GET", "/router/rest?session=SECRET-SESSION&sign=ABC")
    assert "SECRET-SESSION" not in str(info.value)
    assert "SECRET-SESSION" not in repr(info.value)


def test_ban_seconds_reads_top_flow_control_words():
    assert ban_seconds("This ban will last for 42 more seconds") == 42.0
    assert ban_seconds("nothing here") is None
