"""Item and picture methods over real HTTP: what each call does, and what the ledger records."""

from __future__ import annotations

import requests
from top_client import TopClient, TopFactory

from connectors.sandbox.top import TopSandbox
from connectors.sandbox.top.categories import NO_BRAND_VID

Top = tuple[TopSandbox, TopClient]
ALL_FIELDS = (
    "num_iid,title,nick,price,num,outer_id,approve_status,cid,props,pic_url,item_img,location,list_time"
)


def upload(client: TopClient, data: bytes, title: str = "front.png") -> str:
    answer = client.ok(
        "taobao.picture.upload", {"image_input_title": title}, files={"image": (title, data, "image/png")}
    )
    return answer["picture"]["picture_path"]


def test_an_uploaded_picture_can_be_an_items_pic_path_and_is_served(
    top: Top, top_images: dict[str, bytes]
) -> None:
    _, client = top
    path = upload(client, top_images["png"])
    num_iid = client.add_item(pic_path=path)
    item = client.ok("taobao.item.seller.get", {"num_iid": str(num_iid), "fields": "pic_url"})["item"]
    assert item["pic_url"].endswith(path)
    served = requests.get(item["pic_url"], timeout=5)
    assert served.content == top_images["png"]
    assert served.headers["content-type"] == "image/png"


def test_a_pic_path_outside_the_sellers_picture_space_is_refused(
    make_top: TopFactory, top_images: dict[str, bytes], top_item: dict[str, str]
) -> None:
    sandbox, client = make_top()
    path = upload(client, top_images["png"])
    other = TopClient(
        client.url.removesuffix("/router/rest"), sandbox.credentials_for("seller-2"), client.clock
    )
    error = other.error("taobao.item.add", {**top_item, "pic_path": path})
    assert (error["code"], error["sub_code"]) == (41, "isv.invalid-parameter:pic_path")


def test_item_add_is_not_idempotent_and_the_ledger_counts_both_creates(top: Top) -> None:
    sandbox, client = top
    first, second = client.add_item("DUP-1"), client.add_item("DUP-1")
    assert first != second
    found = client.ok("taobao.items.custom.get", {"outer_id": "DUP-1", "fields": "num_iid"})
    assert sorted(i["num_iid"] for i in found["items"]["item"]) == [first, second]
    assert sandbox.counts("seller-1")["DUP-1"].creates == 2


def test_looking_up_an_unknown_outer_id_finds_nothing(top: Top) -> None:
    _, client = top
    answer = client.ok("taobao.items.custom.get", {"outer_id": "NOPE", "fields": "num_iid"})
    assert list(answer) == ["request_id"]


def test_custom_get_finds_only_the_callers_items(make_top: TopFactory) -> None:
    sandbox, client = make_top()
    client.add_item("SHARED")
    other = TopClient(
        client.url.removesuffix("/router/rest"), sandbox.credentials_for("seller-2"), client.clock
    )
    assert "items" not in other.ok("taobao.items.custom.get", {"outer_id": "SHARED", "fields": "num_iid"})


def test_an_item_reads_back_as_it_was_added(top: Top, top_item: dict[str, str]) -> None:
    _, client = top
    num_iid = client.add_item("READ-1")
    item = client.ok("taobao.item.seller.get", {"num_iid": str(num_iid), "fields": ALL_FIELDS})["item"]
    assert item["title"] == top_item["title"]
    assert item["price"] == "199.90"
    assert item["num"] == 10
    assert item["nick"] == "seller-1"
    assert item["approve_status"] == "onsale"
    assert item["location"] == {"state": "浙江", "city": "杭州"}
    assert item["item_imgs"]["item_img"][0]["position"] == 0
    assert list(item)[:3] == ["num_iid", "title", "nick"]


def test_updates_change_the_item_and_count_as_updates(top: Top) -> None:
    sandbox, client = top
    num_iid = str(client.add_item("UPD-1"))
    client.ok("taobao.item.update", {"num_iid": num_iid, "title": "新标题 New title", "price": "150"})
    client.ok("taobao.item.price.update", {"num_iid": num_iid, "price": "149.5"})
    answer = client.ok("taobao.item.quantity.update", {"num_iid": num_iid, "quantity": "4"})
    assert answer["item"]["num"] == 4
    answer = client.ok("taobao.item.quantity.update", {"num_iid": num_iid, "quantity": "-3", "type": "2"})
    assert answer["item"]["num"] == 1
    item = client.ok("taobao.item.seller.get", {"num_iid": num_iid, "fields": "title,price,num"})["item"]
    assert item == {"title": "新标题 New title", "price": "149.50", "num": 1}
    counts = sandbox.counts("seller-1")["UPD-1"]
    assert (counts.creates, counts.updates, counts.ends) == (1, 4, 0)


def test_an_incremental_update_below_zero_is_refused_and_changes_nothing(top: Top) -> None:
    sandbox, client = top
    num_iid = str(client.add_item("Q-1"))
    error = client.error("taobao.item.quantity.update", {"num_iid": num_iid, "quantity": "-11", "type": "2"})
    assert (error["code"], error["sub_code"]) == (41, "isv.invalid-parameter:quantity")
    assert sandbox.item(int(num_iid))["num"] == 10
    assert sandbox.counts("seller-1")["Q-1"].updates == 0


def test_a_new_outer_id_moves_the_item_in_lookups(top: Top) -> None:
    _, client = top
    num_iid = client.add_item("OLD")
    client.ok("taobao.item.update", {"num_iid": str(num_iid), "outer_id": "NEW"})
    assert "items" not in client.ok("taobao.items.custom.get", {"outer_id": "OLD", "fields": "num_iid"})
    found = client.ok("taobao.items.custom.get", {"outer_id": "NEW", "fields": "num_iid"})
    assert found["items"]["item"] == [{"num_iid": num_iid}]


def test_a_category_change_must_fit_the_items_props(top: Top) -> None:
    _, client = top
    num_iid = str(client.add_item())
    error = client.error("taobao.item.update", {"num_iid": num_iid, "cid": "1512"})
    assert (error["code"], error["sub_code"]) == (41, "isv.invalid-parameter:cid")
    accepted = client.ok(
        "taobao.item.update", {"num_iid": num_iid, "cid": "1512", "props": "20000:3246379;1627207:1"}
    )
    assert accepted["item"]["num_iid"] == int(num_iid)


def test_delisting_ends_a_listing_once_and_listing_brings_it_back(top: Top) -> None:
    sandbox, client = top
    num_iid = str(client.add_item("END-1"))
    client.ok("taobao.item.update.delisting", {"num_iid": num_iid})
    client.ok("taobao.item.update.delisting", {"num_iid": num_iid})
    assert sandbox.live("seller-1") == []
    assert sandbox.counts("seller-1")["END-1"].ends == 1
    client.ok("taobao.item.update.listing", {"num_iid": num_iid, "num": "7"})
    live = sandbox.live("seller-1")
    assert [(i["num_iid"], i["num"]) for i in live] == [(int(num_iid), 7)]


def test_an_item_added_in_stock_is_not_live(top: Top) -> None:
    sandbox, client = top
    client.add_item("WARE-1", approve_status="instock")
    assert sandbox.live("seller-1") == []
    assert len(sandbox.items_of("seller-1", "WARE-1")) == 1


def test_another_sellers_item_does_not_exist_for_the_caller(make_top: TopFactory) -> None:
    sandbox, client = make_top()
    num_iid = client.add_item()
    other = TopClient(
        client.url.removesuffix("/router/rest"), sandbox.credentials_for("seller-2"), client.clock
    )
    error = other.error("taobao.item.update.delisting", {"num_iid": str(num_iid)})
    assert (error["code"], error["msg"], error["sub_code"]) == (
        15,
        "Remote Service Error",
        "isv.item-not-exist",
    )
    assert sandbox.live("seller-1")[0]["num_iid"] == num_iid


def test_a_branded_item_needs_the_sellers_brand_authorization(top: Top, top_item: dict[str, str]) -> None:
    sandbox, client = top
    props = "20000:10122;1627207:28320;20509:28314"
    business = {**top_item, "props": props, "pic_path": "unused"}
    error = client.error("taobao.item.add", business)
    assert (error["code"], error["sub_code"]) == (15, "isv.brand-not-authorized")
    assert "Nike" in error["sub_msg"]
    sandbox.authorize_brand("seller-1", 10122)
    num_iid = client.add_item("NIKE-1", props=props)
    assert sandbox.item(num_iid)["props"] == props
    client.add_item("PLAIN-1", props=f"20000:{NO_BRAND_VID};1627207:1;20509:2")


def test_item_images_take_positions_and_a_retry_replaces_rather_than_adds(
    top: Top, top_images: dict[str, bytes]
) -> None:
    sandbox, client = top
    num_iid = str(client.add_item("IMG-1"))
    files = {"image": ("side.jpg", top_images["jpeg"], "image/jpeg")}
    first = client.ok("taobao.item.img.upload", {"num_iid": num_iid, "position": "2"}, files=files)[
        "item_img"
    ]
    again = client.ok("taobao.item.img.upload", {"num_iid": num_iid, "position": "2"}, files=files)[
        "item_img"
    ]
    assert (first["position"], again["position"]) == (2, 2)
    assert requests.get(again["url"], timeout=5).content == top_images["jpeg"]
    major = client.ok(
        "taobao.item.img.upload",
        {"num_iid": num_iid, "is_major": "true"},
        files={"image": ("main.gif", top_images["gif"], "image/gif")},
    )["item_img"]
    item = sandbox.item(int(num_iid))
    assert [i["position"] for i in item["item_imgs"]["item_img"]] == [0, 2]
    assert item["pic_url"] == major["url"]


def test_an_item_holds_at_most_five_images(top: Top, top_images: dict[str, bytes]) -> None:
    _, client = top
    num_iid = str(client.add_item())
    files = {"image": ("x.png", top_images["png"], "image/png")}
    positions = [
        client.ok("taobao.item.img.upload", {"num_iid": num_iid}, files=files)["item_img"]["position"]
        for _ in range(4)
    ]
    assert positions == [1, 2, 3, 4]
    error = client.error("taobao.item.img.upload", {"num_iid": num_iid}, files=files)
    assert (error["code"], error["sub_code"]) == (15, "isv.item-img-limit")
