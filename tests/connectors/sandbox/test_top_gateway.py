"""The TOP gateway over real HTTP: signed calls accepted, auth failures and bad arguments in TOP's shape."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from top_client import TopClient, TopFactory

from connectors.sandbox.top import TopSandbox

Top = tuple[TopSandbox, TopClient]


def test_a_signed_item_add_is_answered_with_its_num_iid(top: Top, top_images: dict[str, bytes]) -> None:
    sandbox, client = top
    business = {
        "num": "3", "price": "88.00", "type": "fixed", "stuff_status": "new", "title": "Linen dress",
        "desc": "A linen summer dress.", "cid": "50010850", "location.state": "海外", "location.city": "美国",
        "props": "20000:3246379;1627207:28320;20509:28314", "outer_id": "DRESS-1",
    }  # fmt: skip
    response = client.call(
        "taobao.item.add", business, files={"image": ("dress.jpg", top_images["jpeg"], "image/jpeg")}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()["item_add_response"]
    assert answer["item"]["num_iid"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", answer["item"]["created"])
    assert answer["request_id"]
    assert sandbox.item(answer["item"]["num_iid"])["outer_id"] == "DRESS-1"


def test_every_sign_method_and_both_timestamp_forms_are_accepted(top: Top) -> None:
    _, client = top
    num_iid = client.add_item()
    stamp = datetime.fromtimestamp(client.clock(), timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    for sign_method in ("md5", "hmac", "hmac-sha256"):
        for timestamp in (None, stamp):
            answer = client.ok(
                "taobao.item.seller.get",
                {"num_iid": str(num_iid), "fields": "num_iid"},
                sign_method=sign_method,
                timestamp=timestamp,
            )
            assert answer["item"] == {"num_iid": num_iid}


def test_a_get_request_works_like_a_post(top: Top) -> None:
    _, client = top
    num_iid = client.add_item(outer_id="GET-1")
    answer = client.ok(
        "taobao.items.custom.get", {"outer_id": "GET-1", "fields": "num_iid,outer_id"}, http="GET"
    )
    assert answer["items"]["item"] == [{"num_iid": num_iid, "outer_id": "GET-1"}]


def test_a_tampered_request_fails_with_code_25(top: Top) -> None:
    _, client = top
    num_iid = client.add_item()
    query = client.system("taobao.item.price.update", {"num_iid": str(num_iid), "price": "10.00"})
    response = client.http.post(client.url, params=query, data={"num_iid": str(num_iid), "price": "1.00"})
    error = response.json()["error_response"]
    assert (error["code"], error["msg"]) == (25, "Invalid Signature")
    assert error["request_id"]


def test_a_wrong_secret_an_unknown_app_and_a_forged_session_are_refused(top: Top) -> None:
    _, client = top
    business = {"num_iid": "1", "fields": "num_iid"}
    assert client.error("taobao.item.seller.get", business, secret="guess")["code"] == 25
    assert client.error("taobao.item.seller.get", business, app_key="99999999")["code"] == 29
    forged = client.creds["session"][:-2] + "00"
    assert client.error("taobao.item.seller.get", business, session=forged)["code"] == 27
    assert client.error("taobao.item.seller.get", business, session=None)["code"] == 26


def test_a_session_from_another_sandbox_secret_is_invalid(make_top: TopFactory) -> None:
    _, client = make_top(app_secret="first-secret")
    other, _ = make_top(app_secret="second-secret")
    client.creds["session"] = other.credentials_for("seller-1")["session"]
    assert client.error("taobao.item.seller.get", {"num_iid": "1", "fields": "num_iid"})["code"] == 27


def test_a_stale_timestamp_is_refused(top: Top) -> None:
    _, client = top
    stale = str(int((client.clock() - 11 * 60) * 1000))
    error = client.error("taobao.item.seller.get", {"num_iid": "1", "fields": "num_iid"}, timestamp=stale)
    assert error["code"] == 31


def test_bad_arguments_come_back_as_41_with_an_isv_sub_code(top: Top, top_item: dict[str, str]) -> None:
    _, client = top
    error = client.error("taobao.item.add", {**top_item, "price": "12.345", "pic_path": "i1/x/TB1.png"})
    assert error == {
        "code": 41,
        "msg": "Invalid Arguments",
        "sub_code": "isv.invalid-parameter:price",
        "sub_msg": "price must be yuan with at most 2 decimals (e.g. 199.90), got '12.345'",
        "request_id": error["request_id"],
    }


def test_a_missing_argument_comes_back_as_40(top: Top) -> None:
    _, client = top
    error = client.error("taobao.item.price.update", {"num_iid": "1"})
    assert (error["code"], error["sub_code"]) == (40, "isv.missing-parameter:price")


def test_an_unknown_method_is_code_22(top: Top) -> None:
    _, client = top
    assert client.error("taobao.item.delete", {"num_iid": "1"})["code"] == 22


def test_without_format_the_answer_is_xml(top: Top) -> None:
    _, client = top
    num_iid = client.add_item()
    response = client.call(
        "taobao.item.seller.get", {"num_iid": str(num_iid), "fields": "num_iid,title"}, fmt=None
    )
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "item_seller_get_response"
    assert root.findtext("item/num_iid") == str(num_iid)
    assert root.findtext("request_id")


def test_an_xml_error_has_the_same_fields(top: Top) -> None:
    _, client = top
    response = client.call(
        "taobao.item.seller.get", {"num_iid": "1", "fields": "num_iid"}, fmt="xml", secret="no"
    )
    root = ET.fromstring(response.content)
    assert root.tag == "error_response"
    assert (root.findtext("code"), root.findtext("msg")) == ("25", "Invalid Signature")


def test_a_body_that_cannot_be_read_is_refused_in_the_format_asked_for(top: Top) -> None:
    _, client = top
    query = client.system("taobao.item.update.delisting", {"num_iid": "1"})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.http.post(client.url, params=query, data=b"num_iid=\xff", headers=headers)
    assert response.json()["error_response"]["code"] == 47


def test_a_put_is_not_allowed(top: Top) -> None:
    _, client = top
    response = client.call("taobao.item.seller.get", {"num_iid": "1", "fields": "num_iid"}, http="PUT")
    assert response.status_code == 200
    assert response.json()["error_response"]["code"] == 9


def test_errors_never_carry_the_secret_or_the_session(top: Top) -> None:
    _, client = top
    tries: list[dict[str, Any]] = [{"secret": "wrong"}, {"app_key": "1"}, {"timestamp": "yesterday"}]
    for kwargs in tries:
        response = client.call("taobao.item.seller.get", {"num_iid": "x", "fields": "num_iid"}, **kwargs)
        assert client.creds["app_secret"] not in response.text
        assert client.creds["session"] not in response.text


def test_other_paths_are_not_the_gateway(top: Top) -> None:
    _, client = top
    response = requests.get(client.url.replace("/router/rest", "/router/json"), timeout=5)
    assert response.status_code == 404
