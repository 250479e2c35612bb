"""`taobao.tbk.item.get`: keyword search over every seller's items on sale, and other sellers' seeded items.

TOP publishes no machine-readable model; the shape followed is the method's page on the open platform
(open.taobao.com, API `taobao.tbk.item.get`, 淘宝客商品查询), as the official SDKs send and parse it:

- business parameters: `q` (keywords), `fields` (required: which of num_iid, title, pict_url,
  small_images, reserve_price, zk_final_price, user_type, provcity, item_url, seller_id, volume, nick),
  `page_no` (default 1), `page_size` (1..100, default 20); no `session` is needed (an app-level method);
- answer: `{"tbk_item_get_response": {"results": {"n_tbk_item": [{num_iid, title, pict_url,
  small_images: {string: [...]}, reserve_price, zk_final_price, user_type, provcity, item_url, nick,
  seller_id, volume}]}, "total_results": n, "request_id"}}`; with nothing found only `total_results: 0`.

An item matches when every keyword is a word of its title (case-insensitively; Chinese words need only
appear in it). Items come in num_iid order. Seeded items are items of their own sellers, on sale, so the
sandbox's inspection and image serving (`/imgextra/...`) treat them like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox.seeding import Seed, SeedError, matches, plant_seeds
from connectors.sandbox.top.model import sniff_image
from connectors.sandbox.top.state import Item, ItemImage

if TYPE_CHECKING:
    from connectors.sandbox.top.items import Answer, Call, Items
    from connectors.sandbox.top.sandbox import TopSandbox

METHOD = "taobao.tbk.item.get"
DEFAULT_PAGE_SIZE = 20


def seller_number(seller: str) -> int:
    """A stable numeric seller id for a sandbox seller (TOP's seller ids are numbers)."""
    return int(hashlib.sha1(seller.encode("utf-8")).hexdigest()[:9], 16)


def item_url(base_url: str, num_iid: int) -> str:
    return f"{base_url.rstrip('/')}/item.htm?id={num_iid}"


def _render(items: Items, item: Item, names: Iterable[str], base_url: str) -> dict[str, Any]:
    urls = [items.url(base_url, item.images[n].picture) for n in sorted(item.images)]
    values: dict[str, Any] = {
        "num_iid": item.num_iid,
        "title": item.title,
        "pict_url": urls[0] if urls else "",
        "small_images": {"string": urls[1:]},
        "reserve_price": item.price,
        "zk_final_price": item.price,
        "user_type": 0 if item.num_iid in items.store.taobao_shops else 1,
        "provcity": f"{item.state} {item.city}".strip(),
        "item_url": item_url(base_url, item.num_iid),
        "seller_id": seller_number(item.seller),
        "volume": 0,
        "nick": item.seller,
    }
    return {name: values[name] for name in names}


def search(items: Items, call: Call) -> Answer:
    """The `taobao.tbk.item.get` handler (parameters already checked against the contract)."""
    p = call.params
    names = list(dict.fromkeys(n.strip() for n in p["fields"].split(",")))
    page_no, page_size = int(p.get("page_no", "1")), int(p.get("page_size", str(DEFAULT_PAGE_SIZE)))
    with items.store.lock:
        found = sorted(
            (
                i
                for i in items.store.items.values()
                if i.approve_status == "onsale" and matches(p["q"], i.title)
            ),
            key=lambda i: i.num_iid,
        )
        start = (page_no - 1) * page_size
        page = [_render(items, i, names, call.base_url) for i in found[start : start + page_size]]
    if not found:
        return {"total_results": 0}
    return {"results": {"n_tbk_item": page}, "total_results": len(found)}


def plant(sandbox: TopSandbox, seed: Seed, now: float, index: int = 0) -> dict[str, Any]:
    """Put another seller's item on sale: its pictures in the seller's picture space, main first.
    `SeedError` (naming record `index`) for a bad `num` or `user_type`."""
    num, user_type = seed.extras.get("num", 1), seed.extras.get("user_type", 0)
    if not isinstance(num, int) or num < 1:
        raise SeedError(index, "num", "must be a whole number, 1 or more")
    if user_type not in (0, 1):
        raise SeedError(index, "user_type", "must be 0 (a Taobao shop) or 1 (a Tmall store)")
    store = sandbox.store
    with store.lock:
        item = Item(
            num_iid=store.new_num_iid(),
            seller=seed.seller,
            title=seed.title,
            desc=str(seed.extras.get("desc") or seed.title),
            price=str(seed.price),
            num=num,
            type="fixed",
            stuff_status="new",
            cid=0,
            props="",
            state=str(seed.extras.get("state") or "广东"),
            city=str(seed.extras.get("city") or "广州"),
            approve_status="onsale",
            outer_id=None,
            created=now,
            modified=now,
            list_time=now,
        )
        for position, data in enumerate(seed.images):
            kind = sniff_image(data)
            assert kind is not None  # check_seed accepts JPEG, PNG and GIF only
            picture = store.add_picture(seed.seller, f"{seed.title[:40]} {position}", data, kind, 0, now)
            item.images[position] = ItemImage(store.next_id(), position, picture, now)
        store.add_item(item)
        if user_type == 0:
            store.taobao_shops.add(item.num_iid)
    return {"num_iid": item.num_iid, "nick": seed.seller, "seller_id": seller_number(seed.seller)}


def routes(sandbox: TopSandbox) -> list[Route]:
    """The items' web pages and seeding over HTTP."""

    async def page(request: Request) -> Response:
        raw = request.query_params.get("id", "")
        item = sandbox.store.items.get(int(raw)) if raw.isdigit() else None
        if item is None or item.approve_status != "onsale":
            return HTMLResponse("<h1>宝贝不存在</h1>", status_code=404)
        return HTMLResponse(f"<h1>{escape(item.title)}</h1><p>{escape(item.seller)}: ¥{item.price}</p>")

    async def seed(request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        status, body = plant_seeds(payload, sandbox.plant)
        return JSONResponse(body, status_code=status)

    return [Route("/item.htm", page, methods=["GET"]), Route("/_sandbox/seed", seed, methods=["POST"])]
