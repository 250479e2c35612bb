"""The TOP sandbox's `taobao.tbk.item.get`: signing, shape, paging, flow control, seeding and images."""

from __future__ import annotations

import base64

import requests

from connectors.sandbox.top.search import seller_number

METHOD = "taobao.tbk.item.get"
FIELDS = "num_iid,title,pict_url,small_images,zk_final_price,nick,seller_id,item_url"


def test_a_signed_search_finds_a_seeded_item_in_the_tbk_shape(top, make_photo) -> None:
    sandbox, client = top
    planted = sandbox.seed(
        title="手工粗陶咖啡杯 仿品", seller="小店88", price="15.80", images=[make_photo(1), make_photo(2)]
    )
    sandbox.seed(title="不锈钢水壶", seller="other", price="30", images=[make_photo(3)])
    answer = client.ok(METHOD, {"q": "咖啡杯", "fields": FIELDS})
    assert answer["total_results"] == 1
    [item] = answer["results"]["n_tbk_item"]
    assert item["num_iid"] == planted["num_iid"]
    assert (item["title"], item["nick"], item["zk_final_price"]) == ("手工粗陶咖啡杯 仿品", "小店88", "15.80")
    assert item["seller_id"] == planted["seller_id"] == seller_number("小店88")
    assert len(item["small_images"]["string"]) == 1
    assert requests.get(item["item_url"]).status_code == 200
    main = requests.get(item["pict_url"])
    assert (main.headers["content-type"], main.content) == ("image/png", make_photo(1))


def test_fields_choose_what_each_item_carries(top, make_photo) -> None:
    sandbox, client = top
    sandbox.seed(title="Silk scarf", seller="s", price="9", images=[make_photo()])
    [item] = client.ok(METHOD, {"q": "SCARF", "fields": "num_iid,title"})["results"]["n_tbk_item"]
    assert set(item) == {"num_iid", "title"}


def test_search_needs_no_session_but_a_valid_signature(top, make_photo) -> None:
    sandbox, client = top
    sandbox.seed(title="Wool hat", seller="s", price="9", images=[make_photo()])
    assert client.ok(METHOD, {"q": "hat", "fields": FIELDS}, session=None)["total_results"] == 1
    assert client.error(METHOD, {"q": "hat", "fields": FIELDS}, secret="wrong")["code"] == 25
    assert (
        client.error("taobao.item.seller.get", {"num_iid": "1", "fields": "title"}, session=None)["code"]
        == 26
    )


def test_pages_cover_every_match_once(top, make_photo) -> None:
    sandbox, client = top
    for n in range(5):
        sandbox.seed(title=f"Ceramic bowl {n}", seller=f"s{n}", price="2", images=[make_photo(n)])
    seen: list[int] = []
    for page_no in (1, 2, 3):
        answer = client.ok(METHOD, {"q": "bowl", "fields": FIELDS, "page_no": str(page_no), "page_size": "2"})
        assert answer["total_results"] == 5
        seen += [i["num_iid"] for i in answer["results"]["n_tbk_item"]]
    assert len(seen) == len(set(seen)) == 5
    empty = client.ok(METHOD, {"q": "nothing-like-this", "fields": FIELDS})
    assert empty["total_results"] == 0 and "results" not in empty


def test_bad_parameters_get_top_error_codes(top) -> None:
    _, client = top
    assert client.error(METHOD, {"fields": FIELDS})["sub_code"] == "isv.missing-parameter:q"
    assert (
        client.error(METHOD, {"q": "x", "fields": "num_iid,price"})["sub_code"]
        == "isv.invalid-parameter:fields"
    )
    assert client.error(METHOD, {"q": "x", "fields": FIELDS, "page_size": "500"})["code"] == 41


def test_flow_control_bans_with_code_7(make_top) -> None:
    _, client = make_top(limits=True, method_qps=1.0)
    assert "total_results" in client.ok(METHOD, {"q": "x", "fields": FIELDS})
    error = client.error(METHOD, {"q": "x", "fields": FIELDS})
    assert error["code"] == 7 and "This ban will last for 1 more seconds" in error["sub_msg"]


def test_our_sellers_items_on_sale_are_found_too(top, make_photo) -> None:
    sandbox, client = top
    num_iid = client.add_item("SKU-9")
    title = sandbox.item(num_iid)["title"]
    [item] = client.ok(METHOD, {"q": title, "fields": FIELDS})["results"]["n_tbk_item"]
    assert (item["num_iid"], item["nick"]) == (num_iid, "seller-1")
    seeded = sandbox.seed(title=title, seller="tmall-store", price="9", user_type=1, images=[make_photo()])
    fields = {"q": title, "fields": "num_iid,user_type"}
    found = client.ok(METHOD, fields)["results"]["n_tbk_item"]
    assert found == [{"num_iid": num_iid, "user_type": 1}, {"num_iid": seeded["num_iid"], "user_type": 1}]
    taobao = sandbox.seed(title=title, seller="taobao-shop", price="9", images=[make_photo()])
    assert client.ok(METHOD, fields)["results"]["n_tbk_item"][-1] == {
        "num_iid": taobao["num_iid"],
        "user_type": 0,
    }


def test_seeding_over_http_names_bad_records(top, make_photo) -> None:
    _, client = top
    url = client.url.removesuffix("/router/rest")
    image = base64.b64encode(make_photo()).decode()
    records = [{"title": "Jade bracelet", "seller": "s", "price": "-1", "images": [image]}]
    records.append({**records[0], "price": "88", "currency": "CNY"})
    records.append({**records[1], "user_type": 2})
    body = requests.post(url + "/_sandbox/seed", json={"listings": records}).json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, "price"), (2, "user_type")]
    assert body["errors"][0]["message"] == "must be above 0"
    assert len(body["listings"]) == 1
    assert client.ok(METHOD, {"q": "bracelet", "fields": FIELDS})["total_results"] == 1
