"""The item and picture methods: what each accepted call does to the store and what it answers.

Each handler gets a call whose parameters already passed the contract, does the stateful checks (the item
is the seller's, the picture is in the seller's picture space, the brand is authorized), changes the store,
records the write in the ledger, and returns the answer's inner object (the gateway wraps it in
`<method>_response` and adds `request_id`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.sandbox.ledger import Ledger
from connectors.sandbox.top import search
from connectors.sandbox.top.categories import BRANDS, NO_BRAND_VID, brand_of, check_props
from connectors.sandbox.top.errors import ApiError, business, invalid
from connectors.sandbox.top.model import ITEM_IMAGE_SLOTS, MAX_NUM, sniff_image
from connectors.sandbox.top.state import IMAGE_PATH_PREFIX, Item, ItemImage, Picture, Store, top_time
from connectors.sandbox.top.wire import Upload

Answer = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One accepted call: the seller it acts for, its parameters and files, the time, the sandbox's URL."""

    seller: str
    params: dict[str, str]
    files: dict[str, Upload]
    now: float
    base_url: str


def money(value: str) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


class Items:
    """Carries out item and picture calls against a `Store`, recording writes in a `Ledger`."""

    def __init__(self, store: Store, ledger: Ledger) -> None:
        self.store = store
        self.ledger = ledger
        self.handlers: dict[str, Callable[[Call], Answer]] = {
            "taobao.item.add": self.add,
            "taobao.item.update": self.update,
            "taobao.item.quantity.update": self.quantity_update,
            "taobao.item.price.update": self.price_update,
            "taobao.item.update.delisting": self.delist,
            "taobao.item.update.listing": self.relist,
            "taobao.picture.upload": self.picture_upload,
            "taobao.item.img.upload": self.img_upload,
            "taobao.items.custom.get": self.custom_get,
            "taobao.item.seller.get": self.seller_get,
            "taobao.tbk.item.get": lambda call: search.search(self, call),
        }

    def add(self, call: Call) -> Answer:
        p = call.params
        self._check_brand(call.seller, p["props"])
        picture = self._picture(call)
        assert picture is not None  # the contract requires pic_path or image
        status = p.get("approve_status", "onsale")
        with self.store.lock:
            item = Item(
                num_iid=self.store.new_num_iid(),
                seller=call.seller,
                title=p["title"],
                desc=p["desc"],
                price=money(p["price"]),
                num=int(p["num"]),
                type=p["type"],
                stuff_status=p["stuff_status"],
                cid=int(p["cid"]),
                props=p["props"],
                state=p["location.state"],
                city=p["location.city"],
                approve_status=status,
                outer_id=p.get("outer_id"),
                created=call.now,
                modified=call.now,
                list_time=call.now if status == "onsale" else None,
            )
            item.images[0] = ItemImage(self.store.next_id(), 0, picture, call.now)
            self.store.add_item(item)
        self.ledger.created(call.seller, item.sku)
        return {"item": {"num_iid": item.num_iid, "created": top_time(call.now)}}

    def update(self, call: Call) -> Answer:
        p = call.params
        with self.store.lock:
            item = self._item(call)
            cid, props = int(p.get("cid", item.cid)), p.get("props", item.props)
            if "cid" in p or "props" in p:
                why = check_props(cid, props)
                if why:
                    name = "props" if "props" in p else "cid"
                    raise ApiError(invalid(name, f"{name}: {why}"))
                self._check_brand(call.seller, props)
            picture = self._picture(call)
            was_onsale = item.approve_status == "onsale"
            item.cid, item.props = cid, props
            for name in ("title", "desc", "type", "stuff_status"):
                if name in p:
                    setattr(item, name, p[name])
            if "price" in p:
                item.price = money(p["price"])
            if "num" in p:
                item.num = int(p["num"])
            item.state = p.get("location.state", item.state)
            item.city = p.get("location.city", item.city)
            if "outer_id" in p and p["outer_id"] != item.outer_id:
                self.store.set_outer_id(item, p["outer_id"])
            if picture is not None:
                item.images[0] = ItemImage(self.store.next_id(), 0, picture, call.now)
            self._set_status(item, p.get("approve_status", item.approve_status), call.now)
            item.modified = call.now
        if was_onsale and item.approve_status == "instock":
            self.ledger.ended(call.seller, item.sku)
        else:
            self.ledger.updated(call.seller, item.sku)
        return {"item": {"num_iid": item.num_iid, "modified": top_time(call.now)}}

    def quantity_update(self, call: Call) -> Answer:
        quantity = int(call.params["quantity"])
        with self.store.lock:
            item = self._item(call)
            num = item.num + quantity if call.params.get("type") == "2" else quantity
            if not 0 <= num <= MAX_NUM:
                raise ApiError(invalid("quantity", f"the stock would become {num}, outside 0..{MAX_NUM}"))
            item.num, item.modified = num, call.now
        self.ledger.updated(call.seller, item.sku)
        return {"item": {"num_iid": item.num_iid, "num": item.num, "modified": top_time(call.now)}}

    def price_update(self, call: Call) -> Answer:
        with self.store.lock:
            item = self._item(call)
            item.price, item.modified = money(call.params["price"]), call.now
        self.ledger.updated(call.seller, item.sku)
        return {"item": {"num_iid": item.num_iid, "modified": top_time(call.now)}}

    def delist(self, call: Call) -> Answer:
        """Take an item off sale; delisting an item already in stock changes nothing and records nothing."""
        with self.store.lock:
            item = self._item(call)
            ended = item.approve_status == "onsale"
            if ended:
                self._set_status(item, "instock", call.now)
                item.modified = call.now
        if ended:
            self.ledger.ended(call.seller, item.sku)
        return {"item": {"num_iid": item.num_iid, "modified": top_time(item.modified)}}

    def relist(self, call: Call) -> Answer:
        with self.store.lock:
            item = self._item(call)
            item.num = int(call.params["num"])
            self._set_status(item, "onsale", call.now)
            item.modified = call.now
        self.ledger.updated(call.seller, item.sku)
        return {"item": {"num_iid": item.num_iid, "modified": top_time(call.now)}}

    def picture_upload(self, call: Call) -> Answer:
        upload = call.files["image"]
        category = int(call.params.get("picture_category_id", "0"))
        picture = self._store_upload(call, upload, call.params["image_input_title"], category)
        return {
            "picture": {
                "picture_id": picture.picture_id,
                "picture_category_id": picture.category_id,
                "picture_path": picture.path,
                "title": picture.title,
                "sizes": len(picture.data),
                "created": top_time(picture.created),
                "modified": top_time(picture.created),
            }
        }

    def img_upload(self, call: Call) -> Answer:
        """Put an image on an item; a position already taken is replaced, so a retry adds no image."""
        p = call.params
        with self.store.lock:
            item = self._item(call)
            if p.get("is_major") == "true":
                position = 0
            elif "position" in p:
                position = int(p["position"])
            else:
                free = [n for n in range(1, ITEM_IMAGE_SLOTS) if n not in item.images]
                if not free:
                    raise ApiError(
                        business("isv.item-img-limit", f"an item holds at most {ITEM_IMAGE_SLOTS} images")
                    )
                position = free[0]
            picture = self._store_upload(call, call.files["image"], call.files["image"].filename, 0)
            image = item.images[position] = ItemImage(self.store.next_id(), position, picture, call.now)
            item.modified = call.now
        self.ledger.updated(call.seller, item.sku)
        return {
            "item_img": {
                "id": image.id,
                "url": self.url(call.base_url, picture),
                "position": position,
                "created": top_time(call.now),
            }
        }

    def custom_get(self, call: Call) -> Answer:
        names = _names(call.params["fields"])
        seen: dict[int, Item] = {}
        for outer_id in call.params["outer_id"].split(","):
            for item in self.store.by_outer_id(call.seller, outer_id):
                seen.setdefault(item.num_iid, item)
        if not seen:
            return {}
        return {"items": {"item": [self.render(item, names, call.base_url) for item in seen.values()]}}

    def seller_get(self, call: Call) -> Answer:
        item = self._item(call)
        return {"item": self.render(item, _names(call.params["fields"]), call.base_url)}

    @staticmethod
    def url(base_url: str, picture: Picture) -> str:
        return base_url.rstrip("/") + IMAGE_PATH_PREFIX + picture.path

    def render(self, item: Item, names: Iterable[str], base_url: str) -> Answer:
        """The item as TOP's Item structure, restricted to `names` (absent values are left out)."""
        out: Answer = {}
        for name in names:
            if name == "item_img":
                images = [item.images[n] for n in sorted(item.images)]
                out["item_imgs"] = {
                    "item_img": [
                        {"id": i.id, "url": self.url(base_url, i.picture), "position": i.position}
                        for i in images
                    ]
                }
                continue
            value = _FIELDS[name](item, base_url)
            if value is not None:
                out[name] = value
        return out

    def _item(self, call: Call) -> Item:
        num_iid = int(call.params["num_iid"])
        item = self.store.seller_item(call.seller, num_iid)
        if item is None:
            raise ApiError(business("isv.item-not-exist", f"the seller has no item {num_iid}"))
        return item

    def _picture(self, call: Call) -> Picture | None:
        """The main picture a call names: `pic_path` in the picture space (preferred) or an uploaded image."""
        if "pic_path" in call.params:
            picture = self.store.seller_picture(call.seller, call.params["pic_path"])
            if picture is None:
                raise ApiError(invalid("pic_path", "pic_path is not a picture in the seller's picture space"))
            return picture
        upload = call.files.get("image")
        return self._store_upload(call, upload, upload.filename, 0) if upload else None

    def _store_upload(self, call: Call, upload: Upload, title: str, category: int) -> Picture:
        kind = sniff_image(upload.data)
        assert kind is not None  # the contract refuses anything else
        return self.store.add_picture(call.seller, title or "image", upload.data, kind, category, call.now)

    def _check_brand(self, seller: str, props: str) -> None:
        vid = brand_of(props)
        if vid is not None and vid != NO_BRAND_VID and vid not in self.store.brands.get(seller, ()):
            raise ApiError(
                business(
                    "isv.brand-not-authorized",
                    f"the seller has no brand authorization for {BRANDS.get(vid, vid)} ({vid})",
                )
            )

    @staticmethod
    def _set_status(item: Item, status: str, now: float) -> None:
        if status == item.approve_status:
            return
        item.approve_status = status
        if status == "onsale":
            item.list_time, item.delist_time = now, None
        else:
            item.delist_time = now


def _main_picture_url(item: Item, base_url: str) -> str | None:
    main = item.images.get(0)
    return Items.url(base_url, main.picture) if main else None


def _time(epoch: float | None) -> str | None:
    return top_time(epoch) if epoch is not None else None


_FIELDS: dict[str, Callable[[Item, str], object]] = {
    "num_iid": lambda item, _: item.num_iid,
    "title": lambda item, _: item.title,
    "nick": lambda item, _: item.seller,
    "type": lambda item, _: item.type,
    "stuff_status": lambda item, _: item.stuff_status,
    "cid": lambda item, _: item.cid,
    "props": lambda item, _: item.props,
    "desc": lambda item, _: item.desc,
    "price": lambda item, _: item.price,
    "num": lambda item, _: item.num,
    "outer_id": lambda item, _: item.outer_id,
    "approve_status": lambda item, _: item.approve_status,
    "location": lambda item, _: {"state": item.state, "city": item.city},
    "pic_url": _main_picture_url,
    "detail_url": lambda item, base_url: f"{base_url.rstrip('/')}/_sandbox/items/{item.num_iid}",
    "created": lambda item, _: top_time(item.created),
    "modified": lambda item, _: top_time(item.modified),
    "list_time": lambda item, _: _time(item.list_time),
    "delist_time": lambda item, _: _time(item.delist_time),
}


def _names(fields: str) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in fields.split(",")))
