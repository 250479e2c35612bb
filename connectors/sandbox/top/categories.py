"""The sandbox's built-in leaf categories, their item properties, and the brands it knows.

TOP items name a leaf category (`cid`) and key properties as `props` = `pid:vid;pid:vid`. This small table
stands in for the platform's category tree: each leaf lists the pids it requires and the ones it allows.
The brand property (pid 20000) is required everywhere, as on Tmall; its value must be a known brand vid.
Every brand except "no brand" needs the seller's brand authorization (a sandbox rule standing in for Tmall's
brand qualification): grant it with `TopSandbox(brand_authorizations=...)` or `authorize_brand()`.
Cids and their names are Taobao's; the brands include those of the shipped sample catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

BRAND_PID = 20000
COLOUR_PID = 1627207
SIZE_PID = 20509
SHOE_SIZE_PID = 20549
MODEL_PID = 13021751
NO_BRAND_VID = 3246379

BRANDS: dict[int, str] = {
    NO_BRAND_VID: "无品牌 (no brand)",
    10122: "Nike",
    11016: "Adidas",
    30111: "Apple",
    81147: "Xiaomi",
    2150923: "Levi's",
    3223467: "Acme Outfitters",
    3223468: "Northwind Goods",
    3223471: "Northwind Outfitters",
    3223472: "Lumen Audio",
    3223473: "Kestrel Kitchen",
    3223474: "Harbor Tea Co.",
    3223475: "Pinecrest Toys",
}


@dataclass(frozen=True)
class Category:
    cid: int
    name: str
    leaf: bool = True
    required: frozenset[int] = frozenset()
    optional: frozenset[int] = frozenset()

    @property
    def allowed(self) -> frozenset[int]:
        return self.required | self.optional


def _leaf(cid: int, name: str, required: set[int], optional: set[int] | None = None) -> Category:
    return Category(
        cid, name, True, frozenset({BRAND_PID} | required), frozenset({MODEL_PID} | (optional or set()))
    )


CATEGORIES: dict[int, Category] = {
    c.cid: c
    for c in (
        Category(16, "女装/女士精品 (women's clothing)", leaf=False),
        Category(1625, "女士内衣/男士内衣/家居服 (underwear)", leaf=False),
        _leaf(1512, "手机 (mobile phones)", {COLOUR_PID}),
        _leaf(50000671, "T恤 (T-shirts)", {COLOUR_PID, SIZE_PID}),
        _leaf(50010850, "连衣裙 (dresses)", {COLOUR_PID, SIZE_PID}),
        _leaf(50012906, "运动鞋 (sneakers)", {COLOUR_PID, SHOE_SIZE_PID}),
        _leaf(50008163, "床品套件 (bedding sets)", set(), {COLOUR_PID, SIZE_PID}),
        _leaf(50023724, "其他 (other goods)", set(), {COLOUR_PID, SIZE_PID}),
        _leaf(50011739, "运动茄克/外套 (sports jackets)", {COLOUR_PID, SIZE_PID}),
        _leaf(50013228, "运动T恤 (sports T-shirts)", {COLOUR_PID, SIZE_PID}),
        _leaf(302910, "帽子 (hats)", {COLOUR_PID}, {SIZE_PID}),
        _leaf(1205, "耳机/耳麦 (headphones)", {COLOUR_PID}),
        _leaf(121616, "组合/迷你/卡通音响 (compact speakers)", {COLOUR_PID}),
        _leaf(50010101, "烹饪用具 (cookware and kitchen knives)", set(), {COLOUR_PID, SIZE_PID}),
        _leaf(50026397, "茶叶 (tea)", set()),
        _leaf(50023504, "积木/拆装/串珠/拼图/配对玩具 (building blocks)", set(), {COLOUR_PID}),
    )
}


def parse_props(text: str) -> list[tuple[int, int]] | str:
    """`pid:vid;pid:vid` as pairs, or a message saying what is wrong (a trailing `;` is allowed)."""
    pairs: list[tuple[int, int]] = []
    for part in text.split(";"):
        if not part:
            continue
        pid, sep, vid = part.partition(":")
        if not sep or not pid.isdigit() or not vid.isdigit() or int(pid) == 0 or int(vid) == 0:
            return f"props must be pid:vid;pid:vid with positive integers (bad part {part[:40]!r})"
        pairs.append((int(pid), int(vid)))
    if not pairs:
        return "props must hold at least one pid:vid"
    return pairs


def check_props(cid: int, props: str) -> str | None:
    """Why `props` does not fit leaf category `cid`, or None when it does (brand authorization aside)."""
    category = CATEGORIES.get(cid)
    if category is None:
        return f"unknown category {cid}"
    if not category.leaf:
        return f"category {cid} is not a leaf category"
    pairs = parse_props(props)
    if isinstance(pairs, str):
        return pairs
    pids = {pid for pid, _ in pairs}
    unknown = sorted(pids - category.allowed)
    if unknown:
        return f"property {unknown[0]} does not belong to category {cid}"
    lacking = sorted(category.required - pids)
    if lacking:
        return f"category {cid} requires property {lacking[0]}"
    brands = [vid for pid, vid in pairs if pid == BRAND_PID]
    if len(brands) > 1:
        return "props name more than one brand"
    if brands[0] not in BRANDS:
        return f"unknown brand value {brands[0]}"
    return None


def brand_of(props: str) -> int | None:
    """The brand vid in well-formed `props`, if any."""
    pairs = parse_props(props)
    if isinstance(pairs, str):
        return None
    return next((vid for pid, vid in pairs if pid == BRAND_PID), None)
