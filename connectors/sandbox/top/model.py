"""The TOP methods the sandbox serves, written out as a model: parameters, their rules, answer keys.

TOP publishes no machine-readable model, so this table is it, built from `tmall/TOP.md` and the platform's
method pages. Each rule is a small function returning None when a value is fine, else why it is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.sandbox.top.categories import parse_props

Rule = Callable[[str], "str | None"]

MAX_NUM = 900_000_000
MIN_PRICE = Decimal("0.01")
MAX_PRICE = Decimal("100000000.00")
MAX_IMAGE_BYTES = 3 * 1024 * 1024
MAX_OUTER_IDS = 40
ITEM_IMAGE_SLOTS = 5  # position 0 is the main picture, 1..4 the others

ITEM_FIELDS = frozenset(
    {
        "num_iid", "title", "nick", "type", "stuff_status", "cid", "props", "desc", "price", "num",
        "outer_id", "approve_status", "location", "pic_url", "item_img", "detail_url", "created",
        "modified", "list_time", "delist_time",
    }
)  # fmt: skip

# What `taobao.tbk.item.get` can answer for each item (see `search.py`).
TBK_FIELDS = frozenset(
    {"num_iid", "title", "pict_url", "small_images", "reserve_price", "zk_final_price", "user_type"}
    | {"provcity", "item_url", "seller_id", "volume", "nick"}
)

_INTEGER = re.compile(r"-?\d{1,12}")
_PRICE = re.compile(r"\d{1,9}(\.\d{1,2})?")


def integer(low: int, high: int) -> Rule:
    def rule(value: str) -> str | None:
        if not _INTEGER.fullmatch(value):
            return f"must be an integer, got {value[:20]!r}"
        if not low <= int(value) <= high:
            return f"must be between {low} and {high}, got {value}"
        return None

    return rule


def price(value: str) -> str | None:
    if not _PRICE.fullmatch(value):
        return f"must be yuan with at most 2 decimals (e.g. 199.90), got {value[:20]!r}"
    if not MIN_PRICE <= Decimal(value) <= MAX_PRICE:
        return f"must be between {MIN_PRICE} and {MAX_PRICE} yuan, got {value}"
    return None


def choice(*allowed: str) -> Rule:
    def rule(value: str) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}, got {value[:20]!r}"

    return rule


def boolean(value: str) -> str | None:
    return None if value in ("true", "false") else f"must be true or false, got {value[:20]!r}"


def chars(low: int, high: int) -> Rule:
    def rule(value: str) -> str | None:
        if not value.strip():
            return "must not be blank"
        if not low <= len(value) <= high:
            return f"must be {low}..{high} characters, got {len(value)}"
        return None

    return rule


def title_bytes(value: str) -> int:
    """A title's length as TOP counts it: a character outside ASCII (e.g. CJK) counts 2 bytes."""
    return sum(1 if ord(ch) < 128 else 2 for ch in value)


def title(value: str) -> str | None:
    if not value.strip():
        return "must not be blank"
    size = title_bytes(value)
    return None if size <= 60 else f"must be at most 60 bytes (30 Chinese characters), got {size}"


def utf8_bytes(high: int) -> Rule:
    def rule(value: str) -> str | None:
        size = len(value.encode("utf-8"))
        return None if size <= high else f"must be at most {high} bytes, got {size}"

    return rule


def fields(value: str) -> str | None:
    names = [name.strip() for name in value.split(",")]
    unknown = [name for name in names if name not in ITEM_FIELDS]
    if unknown:
        return f"unsupported field {unknown[0][:30]!r}; supported: {', '.join(sorted(ITEM_FIELDS))}"
    return None


def tbk_fields(value: str) -> str | None:
    unknown = [name.strip() for name in value.split(",") if name.strip() not in TBK_FIELDS]
    if unknown:
        return f"unsupported field {unknown[0][:30]!r}; supported: {', '.join(sorted(TBK_FIELDS))}"
    return None


def outer_ids(value: str) -> str | None:
    ids = value.split(",")
    if len(ids) > MAX_OUTER_IDS:
        return f"at most {MAX_OUTER_IDS} outer ids, got {len(ids)}"
    for one in ids:
        if not one or len(one.encode("utf-8")) > 64:
            return f"each outer id must be 1..64 bytes (bad {one[:20]!r})"
    return None


def props(value: str) -> str | None:
    parsed = parse_props(value)
    return parsed if isinstance(parsed, str) else None


@dataclass(frozen=True)
class Method:
    """One API method: its business parameters (name -> rule), which are required, and its file parameters."""

    name: str
    params: Mapping[str, Rule]
    required: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()
    required_files: frozenset[str] = frozenset()
    one_of: tuple[str, ...] = ()  # at least one of these (parameters or files) must be present
    write: bool = True
    session: bool = True  # False for app-level methods, which need no seller session
    response_key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "response_key", response_key(self.name))


def response_key(method: str) -> str:
    """Drop a leading `taobao.`, turn dots into `_`, append `_response` (TOP.md's rule)."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


NUM_IID = integer(1, 10**15)
_ITEM_CONTENT: dict[str, Rule] = {
    "num": integer(0, MAX_NUM),
    "price": price,
    "type": choice("fixed"),
    "stuff_status": choice("new"),
    "title": title,
    "desc": chars(5, 25_000),
    "cid": integer(1, 10**12),
    "props": props,
    "location.state": chars(1, 20),
    "location.city": chars(1, 20),
    "approve_status": choice("onsale", "instock"),
    "outer_id": utf8_bytes(64),
    "pic_path": chars(1, 255),
}

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "taobao.item.add",
            _ITEM_CONTENT,
            required=frozenset(
                {
                    "num",
                    "price",
                    "type",
                    "stuff_status",
                    "title",
                    "desc",
                    "cid",
                    "location.state",
                    "location.city",
                }
            ),
            files=frozenset({"image"}),
            one_of=("pic_path", "image"),
        ),
        Method(
            "taobao.item.update",
            {"num_iid": NUM_IID, **_ITEM_CONTENT},
            frozenset({"num_iid"}),
            frozenset({"image"}),
        ),
        Method(
            "taobao.item.quantity.update",
            {"num_iid": NUM_IID, "quantity": integer(-MAX_NUM, MAX_NUM), "type": choice("1", "2")},
            frozenset({"num_iid", "quantity"}),
        ),
        Method(
            "taobao.item.price.update", {"num_iid": NUM_IID, "price": price}, frozenset({"num_iid", "price"})
        ),
        Method("taobao.item.update.delisting", {"num_iid": NUM_IID}, frozenset({"num_iid"})),
        Method(
            "taobao.item.update.listing",
            {"num_iid": NUM_IID, "num": integer(1, MAX_NUM)},
            frozenset({"num_iid", "num"}),
        ),
        Method(
            "taobao.picture.upload",
            {"image_input_title": chars(1, 50), "picture_category_id": integer(0, 10**12)},
            frozenset({"image_input_title"}),
            frozenset({"image"}),
            frozenset({"image"}),
        ),
        Method(
            "taobao.item.img.upload",
            {"num_iid": NUM_IID, "position": integer(0, ITEM_IMAGE_SLOTS - 1), "is_major": boolean},
            frozenset({"num_iid"}),
            frozenset({"image"}),
            frozenset({"image"}),
        ),
        Method(
            "taobao.items.custom.get",
            {"outer_id": outer_ids, "fields": fields},
            frozenset({"outer_id", "fields"}),
            write=False,
        ),
        Method(
            "taobao.tbk.item.get",
            {
                "q": chars(1, 100),
                "fields": tbk_fields,
                "page_no": integer(1, 100),
                "page_size": integer(1, 100),
            },
            frozenset({"q", "fields"}),
            write=False,
            session=False,
        ),
        Method(
            "taobao.item.seller.get",
            {"num_iid": NUM_IID, "fields": fields},
            frozenset({"num_iid", "fields"}),
            write=False,
        ),
    )
}


def sniff_image(data: bytes) -> str | None:
    """The image type from its first bytes (`jpg`, `png` or `gif`), or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    return None


def image(data: bytes) -> str | None:
    if not data:
        return "is empty"
    if len(data) > MAX_IMAGE_BYTES:
        return f"must be at most 3 MB, got {len(data)} bytes"
    if sniff_image(data) is None:
        return "must be a JPG, GIF or PNG image"
    return None
