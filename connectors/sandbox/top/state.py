"""What the TOP sandbox keeps: sellers' items, their picture spaces and brand authorizations."""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

GMT8 = timezone(timedelta(hours=8))
FIRST_NUM_IID = 520_000_000_001
FIRST_PICTURE_ID = 100_000_000_001
IMAGE_PATH_PREFIX = "/imgextra/"


def top_time(epoch: float) -> str:
    """TOP's time format: `yyyy-MM-dd HH:mm:ss` in GMT+8."""
    return datetime.fromtimestamp(epoch, GMT8).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Picture:
    """An image in a seller's picture space; `path` is what `pic_path` refers to."""

    picture_id: int
    seller: str
    path: str
    title: str
    data: bytes
    kind: str  # jpg, png or gif
    category_id: int
    created: float

    @property
    def content_type(self) -> str:
        return {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}[self.kind]


@dataclass
class ItemImage:
    id: int
    position: int
    picture: Picture
    created: float


@dataclass
class Item:
    num_iid: int
    seller: str
    title: str
    desc: str
    price: str
    num: int
    type: str
    stuff_status: str
    cid: int
    props: str
    state: str
    city: str
    approve_status: str
    outer_id: str | None
    created: float
    modified: float
    list_time: float | None = None
    delist_time: float | None = None
    images: dict[int, ItemImage] = field(default_factory=dict)  # position -> image; 0 is the main one

    @property
    def sku(self) -> str:
        """The ledger's key: the seller's outer_id, or the num_iid for items without one."""
        return self.outer_id if self.outer_id is not None else f"num_iid:{self.num_iid}"


class Store:
    """Items by num_iid, an outer_id index per seller, pictures by path; one lock guards them all."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.items: dict[int, Item] = {}
        self.pictures: dict[str, Picture] = {}
        self.brands: defaultdict[str, set[int]] = defaultdict(set)
        self.taobao_shops: set[int] = set()  # seeded items sold from a Taobao shop (tbk user_type 0)
        self._by_outer_id: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        self._num_iids = itertools.count(FIRST_NUM_IID)
        self._ids = itertools.count(FIRST_PICTURE_ID)

    def next_id(self) -> int:
        return next(self._ids)

    def add_item(self, item: Item) -> None:
        with self.lock:
            self.items[item.num_iid] = item
            if item.outer_id is not None:
                self._by_outer_id[(item.seller, item.outer_id)].append(item.num_iid)

    def new_num_iid(self) -> int:
        return next(self._num_iids)

    def set_outer_id(self, item: Item, outer_id: str) -> None:
        with self.lock:
            if item.outer_id is not None:
                self._by_outer_id[(item.seller, item.outer_id)].remove(item.num_iid)
            item.outer_id = outer_id
            self._by_outer_id[(item.seller, outer_id)].append(item.num_iid)

    def seller_item(self, seller: str, num_iid: int) -> Item | None:
        item = self.items.get(num_iid)
        return item if item is not None and item.seller == seller else None

    def by_outer_id(self, seller: str, outer_id: str) -> list[Item]:
        with self.lock:
            return [self.items[n] for n in self._by_outer_id.get((seller, outer_id), ())]

    def seller_items(self, seller: str) -> list[Item]:
        with self.lock:
            return [item for item in self.items.values() if item.seller == seller]

    def add_picture(
        self, seller: str, title: str, data: bytes, kind: str, category_id: int, now: float
    ) -> Picture:
        picture_id = self.next_id()
        tag = hashlib.sha1(seller.encode("utf-8")).hexdigest()[:10]
        path = f"i1/{tag}/TB{picture_id}.{kind}"
        picture = Picture(picture_id, seller, path, title, data, kind, category_id, now)
        with self.lock:
            self.pictures[path] = picture
        return picture

    def seller_picture(self, seller: str, pic_path: str) -> Picture | None:
        """The seller's picture named by a relative picture-space path or the full URL the sandbox gave."""
        _, marker, rest = pic_path.partition(IMAGE_PATH_PREFIX)
        picture = self.pictures.get(rest if marker else pic_path)
        return picture if picture is not None and picture.seller == seller else None

    def reset(self) -> None:
        with self.lock:
            self.items.clear()
            self.pictures.clear()
            self.taobao_shops.clear()
            self._by_outer_id.clear()
