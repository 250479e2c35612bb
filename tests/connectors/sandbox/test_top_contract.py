"""The TOP contract as a pure function over captured requests: what it accepts and what it refuses."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from connectors.sandbox.top.auth import AppCredentials
from connectors.sandbox.top.contract import problems
from connectors.sandbox.top.errors import Problem
from connectors.sandbox.top.wire import Captured
from connectors.top_signing import sign

APP = AppCredentials("12345678", "contract-secret")
NOW = 1_714_536_000.0  # 2024-05-01 12:00:00 GMT+8
URL = "http://127.0.0.1:9/router/rest"


def captured(
    api: str,
    business: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None = None,
    *,
    http: str = "POST",
    secret: str = APP.app_secret,
    after_signing: dict[str, str] | None = None,
    url: str = URL,
    **system: str | None,
) -> Captured:
    """A request built and prepared by `requests` as a connector would send it."""
    params: dict[str, Any] = {
        "method": api,
        "app_key": APP.app_key,
        "session": APP.session_for("seller-1"),
        "timestamp": str(int(NOW * 1000)),
        "v": "2.0",
        "sign_method": "md5",
        "format": "json",
        **system,
    }
    params = {k: v for k, v in params.items() if v is not None}
    if "sign" not in params:
        params["sign"] = sign({**params, **business}, secret, params.get("sign_method", "md5"))
    business = {**business, **(after_signing or {})}
    if http == "GET":
        prepared = requests.Request("GET", url, params={**params, **business}).prepare()
    else:
        prepared = requests.Request(http, url, params=params, data=business, files=files).prepare()
    return Captured.of(prepared.method or http, prepared.url or url, prepared.headers, prepared.body)


def codes(found: list[Problem]) -> list[tuple[int, str | None]]:
    return [(p.code, p.sub_code) for p in found]


@pytest.fixture
def item(top_item: dict[str, str]) -> Callable[..., dict[str, str]]:
    """An item.add's business parameters with `changes` applied."""

    def make(**changes: str) -> dict[str, str]:
        return {**top_item, "outer_id": "SKU-1", "pic_path": "i1/abc/TB1.png", **changes}

    return make


def test_an_item_add_shaped_as_top_md_says_passes(item: Callable[..., dict[str, str]]) -> None:
    assert problems(captured("taobao.item.add", item()), APP, now=NOW) == []


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_every_sign_method_verifies(sign_method: str) -> None:
    request = captured(
        "taobao.item.seller.get", {"num_iid": "1", "fields": "num_iid"}, sign_method=sign_method
    )
    assert problems(request, APP, now=NOW) == []


def test_a_gmt8_timestamp_and_an_epoch_millisecond_one_both_pass() -> None:
    gmt8 = datetime.fromtimestamp(NOW, timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    assert gmt8 == "2024-05-01 12:00:00"
    for stamp in (gmt8, str(int(NOW * 1000))):
        assert (
            problems(
                captured("taobao.item.update.delisting", {"num_iid": "1"}, timestamp=stamp), APP, now=NOW
            )
            == []
        )


def test_a_get_with_every_parameter_in_the_query_passes() -> None:
    request = captured("taobao.items.custom.get", {"outer_id": "A,B", "fields": "num_iid,title"}, http="GET")
    assert request.body == b""
    assert problems(request, APP, now=NOW) == []


def test_a_multipart_image_is_left_out_of_the_signature_and_passes(top_images: dict[str, bytes]) -> None:
    for image in (top_images["png"], top_images["jpeg"], top_images["gif"]):
        request = captured(
            "taobao.item.img.upload",
            {"num_iid": "1", "position": "2"},
            {"image": ("a.img", image, "application/octet-stream")},
        )
        assert (request.header("content-type") or "").startswith("multipart/form-data")
        assert problems(request, APP, now=NOW) == []


def test_a_value_changed_after_signing_fails_with_code_25(item: Callable[..., dict[str, str]]) -> None:
    request = captured("taobao.item.add", item(), after_signing={"price": "1.00"})
    assert codes(problems(request, APP, now=NOW)) == [(25, None)]


def test_a_signature_made_with_another_secret_fails_with_code_25(item: Callable[..., dict[str, str]]) -> None:
    request = captured("taobao.item.add", item(), secret="not-the-secret")
    assert codes(problems(request, APP, now=NOW)) == [(25, None)]


@pytest.mark.parametrize(
    ("dropped", "code"),
    [("method", 21), ("app_key", 28), ("timestamp", 30), ("v", 32), ("session", 26)],
)
def test_a_missing_system_parameter_has_its_own_code(dropped: str, code: int) -> None:
    overrides: dict[str, Any] = {dropped: None}
    request = captured("taobao.item.update.delisting", {"num_iid": "1"}, **overrides)
    assert codes(problems(request, APP, now=NOW))[0] == (code, None)


def test_a_missing_sign_is_code_24_and_a_missing_sign_method_is_code_40() -> None:
    request = captured("taobao.item.update.delisting", {"num_iid": "1"}, sign="")
    assert codes(problems(request, APP, now=NOW)) == [(24, None)]
    request = captured("taobao.item.update.delisting", {"num_iid": "1"}, sign="X", sign_method=None)
    assert (40, "isv.missing-parameter:sign_method") in codes(problems(request, APP, now=NOW))


@pytest.mark.parametrize(
    ("system", "code"),
    [
        ({"app_key": "87654321"}, 29),
        ({"session": AppCredentials("12345678", "other-secret").session_for("seller-1")}, 27),
        ({"session": "6100deadbeef"}, 27),
        ({"v": "1.0"}, 34),
        ({"format": "yaml"}, 23),
        ({"method": "taobao.item.delete"}, 22),
        ({"timestamp": str(int((NOW - 601) * 1000))}, 31),
        ({"timestamp": str(int((NOW + 601) * 1000))}, 31),
        ({"timestamp": "2024/05/01 12:00:00"}, 31),
    ],
)
def test_a_wrong_system_parameter_is_refused_with_its_code(system: dict[str, Any], code: int) -> None:
    request = captured("taobao.item.update.delisting", {"num_iid": "1"}, **system)
    assert codes(problems(request, APP, now=NOW))[0][0] == code


def test_a_timestamp_within_ten_minutes_passes() -> None:
    request = captured(
        "taobao.item.update.delisting", {"num_iid": "1"}, timestamp=str(int((NOW - 590) * 1000))
    )
    assert problems(request, APP, now=NOW) == []


def test_every_missing_required_argument_is_code_40_naming_it(item: Callable[..., dict[str, str]]) -> None:
    business = item()
    del business["title"], business["price"]
    found = codes(problems(captured("taobao.item.add", business), APP, now=NOW))
    assert found == [(40, "isv.missing-parameter:price"), (40, "isv.missing-parameter:title")]


def test_an_item_without_a_picture_is_refused(item: Callable[..., dict[str, str]]) -> None:
    business = item()
    del business["pic_path"]
    found = problems(captured("taobao.item.add", business), APP, now=NOW)
    assert codes(found) == [(40, "isv.missing-parameter:pic_path")]
    assert "pic_path or image" in (found[0].sub_msg or "")


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"price": "19.999"}, "price"),
        ({"price": "0"}, "price"),
        ({"price": "100000000.01"}, "price"),
        ({"price": "-5"}, "price"),
        ({"title": "棉" * 31}, "title"),
        ({"title": "a" * 61}, "title"),
        ({"title": "棉" * 29 + "abc"}, "title"),
        ({"desc": "four"}, "desc"),
        ({"desc": "d" * 25_001}, "desc"),
        ({"num": "900000001"}, "num"),
        ({"num": "-1"}, "num"),
        ({"num": "ten"}, "num"),
        ({"outer_id": "x" * 65}, "outer_id"),
        ({"outer_id": "货" * 22}, "outer_id"),
        ({"type": "auction"}, "type"),
        ({"stuff_status": "second"}, "stuff_status"),
        ({"approve_status": "live"}, "approve_status"),
        ({"props": "20000-3246379"}, "props"),
        ({"props": "20000:3246379;1627207:28320"}, "props"),
        ({"props": "20000:3246379;1627207:28320;20509:28314;99999:1"}, "props"),
        ({"props": "20000:424242;1627207:28320;20509:28314"}, "props"),
        ({"cid": "16"}, "cid"),
        ({"cid": "777"}, "cid"),
        ({"location.state": " "}, "location.state"),
    ],
)
def test_an_argument_breaking_the_rules_is_code_41_naming_it(
    changes: dict[str, str], name: str, item: Callable[..., dict[str, str]]
) -> None:
    found = problems(captured("taobao.item.add", item(**changes)), APP, now=NOW)
    assert codes(found) == [(41, f"isv.invalid-parameter:{name}")]
    assert name in (found[0].sub_msg or "")


def test_thirty_chinese_characters_or_sixty_ascii_fit_a_title(item: Callable[..., dict[str, str]]) -> None:
    for title in ("棉" * 30, "a" * 60, "棉" * 29 + "ab"):
        assert problems(captured("taobao.item.add", item(title=title)), APP, now=NOW) == []


def test_an_unknown_business_parameter_is_refused(item: Callable[..., dict[str, str]]) -> None:
    found = problems(captured("taobao.item.add", item(location_state="浙江")), APP, now=NOW)
    assert codes(found) == [(41, "isv.invalid-parameter:location_state")]


def test_an_image_sent_as_text_or_not_an_image_or_too_big_is_refused(top_images: dict[str, bytes]) -> None:
    as_text = captured("taobao.item.img.upload", {"num_iid": "1", "image": "aGVsbG8="})
    assert (41, "isv.invalid-parameter:image") in codes(problems(as_text, APP, now=NOW))
    for data in (b"BM not a png", b"", top_images["png"] + bytes(3 * 1024 * 1024)):
        request = captured(
            "taobao.picture.upload", {"image_input_title": "a.png"}, {"image": ("a.png", data, "image/png")}
        )
        assert codes(problems(request, APP, now=NOW)) == [(41, "isv.invalid-parameter:image")]


def test_picture_upload_needs_its_image_as_a_file() -> None:
    request = captured("taobao.picture.upload", {"image_input_title": "a.png"})
    assert codes(problems(request, APP, now=NOW)) == [(40, "isv.missing-parameter:image")]


def test_a_parameter_given_twice_is_refused() -> None:
    request = captured("taobao.item.update.delisting", {"num_iid": "1", "v": "2.0"})
    assert codes(problems(request, APP, now=NOW)) == [(41, "isv.invalid-parameter:v")]


def test_a_json_body_is_refused_clearly() -> None:
    request = Captured.of(
        "POST",
        captured("taobao.item.update.delisting", {}).path
        + "?"
        + captured("taobao.item.update.delisting", {}).query,
        {"Content-Type": "application/json"},
        b'{"num_iid": "1"}',
    )
    found = problems(request, APP, now=NOW)
    assert codes(found) == [(41, "isv.invalid-parameter:Content-Type")]


def test_a_put_or_another_path_is_refused() -> None:
    assert codes(
        problems(captured("taobao.item.update.delisting", {"num_iid": "1"}, http="PUT"), APP, now=NOW)
    ) == [(9, None)]
    elsewhere = captured(
        "taobao.item.update.delisting", {"num_iid": "1"}, url="http://127.0.0.1:9/router/json"
    )
    assert codes(problems(elsewhere, APP, now=NOW)) == [(22, None)]


def test_a_body_that_is_not_utf8_is_code_47() -> None:
    good = captured("taobao.item.update.delisting", {})
    request = Captured(
        "POST", good.path, good.query, {"content-type": "application/x-www-form-urlencoded"}, b"num_iid=\xff"
    )
    assert codes(problems(request, APP, now=NOW)) == [(47, None)]


def test_quantity_updates_check_the_update_type() -> None:
    full = captured("taobao.item.quantity.update", {"num_iid": "1", "quantity": "-3"})
    assert codes(problems(full, APP, now=NOW)) == [(41, "isv.invalid-parameter:quantity")]
    incremental = captured("taobao.item.quantity.update", {"num_iid": "1", "quantity": "-3", "type": "2"})
    assert problems(incremental, APP, now=NOW) == []


def test_problems_uses_the_current_time_by_default() -> None:
    request = captured(
        "taobao.item.update.delisting", {"num_iid": "1"}, timestamp=str(int(time.time() * 1000))
    )
    assert problems(request, APP) == []
