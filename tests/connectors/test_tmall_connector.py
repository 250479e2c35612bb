"""The Tmall (TOP) connector against the TOP sandbox over real HTTP: each operation and each error class."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from connectors.base import Action, Change
from connectors.errors import AuthError, PermanentError, TransientError
from connectors.http import make_session
from connectors.registry import build_connector
from connectors.sandbox.faults import Fault, FaultPlan, Faults


@pytest.fixture
def item(make_product, image_host):
    """`item(sku, **fields)`: a product whose image lives on the local image host."""

    def make(sku: str, **fields):
        fields.setdefault("image_urls", [f"{image_host.url}/{sku}/main.png"])
        return make_product(sku, **fields)

    return make


def methods(market) -> list[str]:
    return [r.url.split("method=", 1)[1].split("&", 1)[0] for r in market.sent("/router/rest")]


def test_a_create_uploads_the_picture_then_adds_after_a_lookup(tmall, item):
    connector = tmall.connector()
    results = connector.push(
        [Change(Action.CREATE, "T-1", item("T-1")), Change(Action.CREATE, "T-2", item("T-2"))]
    )
    assert all(r.ok for r in results), [r.error for r in results]
    assert all(r.ids["num_iid"] for r in results)
    assert methods(tmall) == [
        "taobao.items.custom.get",
        "taobao.picture.upload",
        "taobao.item.add",
        "taobao.picture.upload",
        "taobao.item.add",
    ]
    live = {i["outer_id"]: i for i in tmall.sandbox.live(tmall.seller)}
    assert set(live) == {"T-1", "T-2"}
    assert Decimal(str(live["T-1"]["price"])) == Decimal("131.72")  # 18.50 USD at 7.12
    assert len(tmall.sandbox.pictures(tmall.seller)) == 2
    session_key = tmall.sandbox.credentials_for(tmall.seller)["session"]
    assert not [r.url for r in tmall.sent() if session_key in (r.url or "")]


def test_an_accepted_then_lost_add_is_retried_without_a_duplicate(make_sandbox, item):
    def draws(seed: int) -> list[Fault | None]:
        faults = Faults(FaultPlan(seed=seed, lost_write_rate=0.5))
        order = ("taobao.picture.upload", "taobao.item.add", "taobao.picture.upload", "taobao.item.update")
        return [faults.draw(op, write=True) for op in order]

    seed = next(s for s in range(10_000) if draws(s) == [None, Fault.LOST_WRITE, None, None])
    tmall = make_sandbox("tmall", faults=FaultPlan(seed=seed, lost_write_rate=0.5))
    connector = tmall.connector()
    change = Change(Action.CREATE, "LOST-1", item("LOST-1"))
    with pytest.raises(TransientError):
        connector.push([change])  # the item was added, but the answer was lost
    results = connector.push([change])
    assert results[0].ok, results[0].error
    assert len(tmall.sandbox.items_of(tmall.seller, "LOST-1")) == 1
    counts = tmall.sandbox.counts(tmall.seller)["LOST-1"]
    assert (counts.creates, counts.updates) == (1, 1)
    assert results[0].ids["num_iid"] == str(tmall.sandbox.items_of(tmall.seller, "LOST-1")[0]["num_iid"])


def test_a_price_and_quantity_change_uses_the_narrow_calls(tmall, item):
    connector = tmall.connector()
    created = connector.push([Change(Action.CREATE, "N-1", item("N-1"))])[0]
    change = Change(Action.UPDATE_OFFER, "N-1", item("N-1", price="20.00", quantity=3), ids=created.ids)
    assert connector.push([change])[0].ok
    assert methods(tmall)[-2:] == ["taobao.item.quantity.update", "taobao.item.price.update"]
    live = connector.fetch("N-1")
    assert live is not None
    assert (live.price, live.quantity) == (Decimal("142.40"), 3)


def test_a_content_change_updates_the_item(tmall, item):
    connector = tmall.connector()
    connector.push([Change(Action.CREATE, "C-1", item("C-1"))])
    zh = {"zh-CN": {"title": "新款粗陶咖啡杯", "description": "新的描述，手工上釉。"}}
    results = connector.push([Change(Action.UPDATE_CONTENT, "C-1", item("C-1", localized=zh))])
    assert results[0].ok, results[0].error
    assert tmall.sandbox.items_of(tmall.seller, "C-1")[0]["title"] == "新款粗陶咖啡杯"


def test_an_end_delists_the_item(tmall, item):
    connector = tmall.connector()
    connector.push([Change(Action.CREATE, "D-1", item("D-1"))])
    assert connector.push([Change(Action.END, "D-1")])[0].ok
    assert tmall.sandbox.live(tmall.seller) == []
    assert connector.fetch("D-1").status == "instock"


def test_a_missing_chinese_title_is_a_result_naming_the_field(tmall, item):
    connector = tmall.connector()
    results = connector.push(
        [
            Change(Action.CREATE, "ZH-0", item("ZH-0", localized={})),
            Change(Action.CREATE, "ZH-1", item("ZH-1")),
        ]
    )
    assert isinstance(results[0].error, PermanentError)
    assert results[0].error.field == "localized.zh-CN.title"
    assert results[1].ok


def test_a_refused_item_is_a_result_with_tops_sub_code(tmall, item):
    branded = item("BR-1", tmall={"cid": 50023724, "props": "20000:10122"})  # Nike, not authorized
    results = tmall.connector().push([Change(Action.CREATE, "BR-1", branded)])
    assert isinstance(results[0].error, PermanentError)
    assert results[0].error.code == "isv.brand-not-authorized"


def test_an_unreachable_image_is_a_result_naming_the_image(tmall, make_product, image_host):
    p = make_product("IMG-1", image_urls=[f"{image_host.url}/missing/IMG-1.png"])
    results = tmall.connector().push([Change(Action.CREATE, "IMG-1", p)])
    assert isinstance(results[0].error, PermanentError)
    assert results[0].error.field == "image_urls[0]"


def test_code_7_is_transient_with_the_ban_seconds(make_sandbox, item):
    frozen = time.time()  # the sandbox's clock stands still, so the ban is exactly 1 / 0.5 s
    tmall = make_sandbox("tmall", limits=True, method_qps=0.5, method_burst=1, clock=lambda: frozen)
    connector = tmall.connector()
    results = connector.push(
        [Change(Action.CREATE, "Q-1", item("Q-1")), Change(Action.CREATE, "Q-2", item("Q-2"))]
    )
    assert results[0].ok
    assert results[1].retryable
    assert results[1].error.retry_after == 2.0  # "This ban will last for 2 more seconds"


def test_a_platform_error_is_transient(make_sandbox, item):
    tmall = make_sandbox("tmall", faults=FaultPlan(error_rate=1.0))
    with pytest.raises(TransientError, match=r"isp\."):
        tmall.connector().push([Change(Action.CREATE, "E-1", item("E-1"))])


def test_a_garbled_answer_is_transient(make_sandbox, item):
    tmall = make_sandbox("tmall", faults=FaultPlan(malformed_rate=1.0))
    with pytest.raises(TransientError, match="not valid JSON"):
        tmall.connector().push([Change(Action.CREATE, "G-1", item("G-1"))])


def test_a_wrong_secret_is_an_auth_error_that_shows_no_secret(tmall, item):
    creds = {**tmall.sandbox.credentials_for(tmall.seller), "app_secret": "wrong-secret-123"}
    # a session of its own: this request is wrong on purpose and stays out of the contract check
    connector = build_connector(
        "tmall", endpoint=tmall.server.url, credentials=creds, session=make_session(1)
    )
    with pytest.raises(AuthError) as info:
        connector.push([Change(Action.CREATE, "A-1", item("A-1"))])
    assert "wrong-secret-123" not in str(info.value) + repr(info.value)
    assert creds["session"] not in str(info.value) + repr(info.value)


def test_a_hang_past_the_read_timeout_is_transient(make_sandbox, item):
    tmall = make_sandbox("tmall", faults=FaultPlan(hang_rate=1.0, hang_seconds=1.0))
    with pytest.raises(TransientError, match="no answer in time"):
        tmall.connector(timeout=(1.0, 0.2)).push([Change(Action.CREATE, "H-1", item("H-1"))])


def test_the_other_images_are_uploaded_into_the_item(tmall, item, image_host):
    urls = [f"{image_host.url}/IM-1/{n}.png" for n in range(6)]
    result = tmall.connector().push([Change(Action.CREATE, "IM-1", item("IM-1", image_urls=urls))])[0]
    assert result.ok, result.error
    assert methods(tmall)[-4:] == ["taobao.item.img.upload"] * 4  # positions 1..4; TOP holds five images
    [live] = tmall.sandbox.items_of(tmall.seller, "IM-1")
    assert len(live["item_imgs"]["item_img"]) == 5


def test_a_bad_second_image_refuses_the_sku_before_anything_is_created(tmall, item, image_host):
    urls = [f"{image_host.url}/BAD-1/main.png", f"{image_host.url}/missing/BAD-1.png"]
    result = tmall.connector().push([Change(Action.CREATE, "BAD-1", item("BAD-1", image_urls=urls))])[0]
    assert result.error.field == "image_urls[1]"
    assert tmall.sandbox.items_of(tmall.seller, "BAD-1") == []
    assert tmall.sandbox.pictures(tmall.seller) == []
