"""Tmall / Taobao TOP connector: look up by outer_id before adding, upload pictures, narrow offer updates."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from requests.auth import AuthBase

from connectors.base import Action, Change, Connector, LiveListing, SkuResult, failed, settle
from connectors.errors import AuthError, ConnectorError, PermanentError, TransientError
from connectors.http import HttpClient, ban_seconds, check, send
from connectors.mapping import tmall as mapping
from connectors.mapping.money import RateTable

if TYPE_CHECKING:
    from catalog.product import Product

ROUTER = "/router/rest"
LOOKUP_BATCH = 40  # taobao.items.custom.get takes up to 40 outer ids
ITEM_FIELDS = "num_iid,outer_id,title,price,num,approve_status"
MAX_IMAGE_BYTES = 3 * 1024 * 1024
MAX_ITEM_IMAGES = 5  # the main picture plus positions 1..4

Image = tuple[str, bytes, str]  # file name, bytes, content type
AUTH_CODES = {25, 26, 27, 28, 29}  # signature, session and app key problems


def response_key(method: str) -> str:
    """TOP's answer key: drop `taobao.`, dots to `_`, append `_response`."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def top_error(method: str, error: dict[str, Any]) -> ConnectorError:
    """TOP's `error_response` as an error: flow control and `isp.` are transient, `isv.` permanent."""
    code = int(error.get("code", 0) or 0)
    sub_code = str(error.get("sub_code") or "")
    text = str(error.get("sub_msg") or error.get("msg") or "refused")
    request_id = error.get("request_id")
    if code == 7:
        return TransientError(
            f"{method}: throttled ({sub_code or code}): {text}",
            retry_after=ban_seconds(text),
            request_id=request_id,
        )
    if code in AUTH_CODES:
        return AuthError(
            f"{method}: {error.get('msg', 'refused')} (code {code}); reconnect the shop",
            request_id=request_id,
        )
    if sub_code.startswith("isp.") or (code == 15 and not sub_code.startswith("isv.")):
        return TransientError(f"{method}: platform error ({sub_code or code}): {text}", request_id=request_id)
    field = sub_code.split(":", 1)[1] if ":" in sub_code else None
    return PermanentError(sub_code or str(code), text, field, request_id=request_id)


class TmallConnector(Connector):
    """One Tmall / Taobao shop through the TOP gateway."""

    marketplace = "tmall"

    def __init__(
        self, base_url: str, auth: AuthBase, settings: mapping.ItemSettings | None = None, **http: Any
    ):
        self.http = HttpClient(base_url, auth, **http)
        self.settings = settings or mapping.ItemSettings(rates=RateTable())

    def __repr__(self) -> str:
        return f"TmallConnector({self.http.base_url!r})"

    def project(self, product: Product) -> dict[str, str]:
        return mapping.item_params(product, self.settings)

    def call(
        self, method: str, params: dict[str, str], files: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One TOP call; answers the method's response object or raises its error."""
        body = self.http.json("POST", ROUTER, params={"method": method}, data=params, files=files)
        if "error_response" in body:
            raise top_error(method, body["error_response"])
        answer = body.get(response_key(method))
        if not isinstance(answer, dict):
            raise TransientError(f"{method}: answer without {response_key(method)}")
        return answer

    def lookup(self, skus: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Items by outer_id (the SKU), 40 a call: SKU -> item."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(skus), LOOKUP_BATCH):
            group = list(skus[start : start + LOOKUP_BATCH])
            answer = self.call(
                "taobao.items.custom.get", {"outer_id": ",".join(group), "fields": ITEM_FIELDS}
            )
            items = answer.get("items") or []
            if isinstance(items, dict):
                items = items.get("item") or []
            for item in items:
                if item.get("outer_id") in group:
                    found[str(item["outer_id"])] = item
        return found

    def push(self, changes: Sequence[Change]) -> list[SkuResult]:
        done: dict[int, SkuResult] = {}
        try:
            unknown = [c.sku for c in changes if c.action is Action.CREATE or not c.ids.get("num_iid")]
            found = self.lookup(unknown) if unknown else {}
            for i, change in enumerate(changes):
                item = found.get(change.sku)
                num_iid = str(item["num_iid"]) if item else change.ids.get("num_iid")
                try:
                    done[i] = self._push_one(change, num_iid)
                except PermanentError as exc:
                    done[i] = failed(change, exc)
        except TransientError as exc:
            return settle(changes, done, exc)
        return [done[i] for i in range(len(changes))]

    def _push_one(self, change: Change, num_iid: str | None) -> SkuResult:
        product = change.product
        if change.action is Action.END:
            if num_iid is None:
                return SkuResult(change.sku, change.action, status="NOT_FOUND")
            self.call("taobao.item.update.delisting", {"num_iid": num_iid})
            return SkuResult(change.sku, change.action, {"num_iid": num_iid}, "instock")
        assert product is not None
        if change.action is Action.CREATE and num_iid is None:
            params = mapping.item_params(product, self.settings)
            images = self.images(product)  # all fetched first: a bad image refuses the SKU before it exists
            params["pic_path"] = self.upload_picture(images[0])
            num_iid = str(self.call("taobao.item.add", params)["item"]["num_iid"])
            self.upload_more_images(images, num_iid)
            return SkuResult(change.sku, change.action, {"num_iid": num_iid}, "onsale")
        if num_iid is None:
            raise PermanentError(
                "NOT_LISTED", f"SKU {change.sku} is not on Tmall yet; it needs a create first"
            )
        if change.action is Action.UPDATE_OFFER:
            self.call(
                "taobao.item.quantity.update",
                {"num_iid": num_iid, "quantity": mapping.quantity(product), "type": "1"},
            )
            price = f"{mapping.price_cny(product, self.settings.rates):.2f}"
            self.call("taobao.item.price.update", {"num_iid": num_iid, "price": price})
            return SkuResult(change.sku, change.action, {"num_iid": num_iid}, "updated")
        # a content change, or a create whose earlier attempt was accepted but its answer lost
        params = mapping.item_params(product, self.settings)
        params.pop("outer_id")
        if change.action is Action.UPDATE_CONTENT:
            for key in ("num", "price", "approve_status"):
                params.pop(key)
        images = self.images(product)
        params["pic_path"] = self.upload_picture(images[0])
        self.call("taobao.item.update", {"num_iid": num_iid, **params})
        self.upload_more_images(images, num_iid)
        return SkuResult(change.sku, change.action, {"num_iid": num_iid}, "updated")

    def images(self, product: Product) -> list[Image]:
        """Fetch the main image and up to four more (TOP does not fetch URLs): name, bytes, content type."""
        return [self._fetch(product, i) for i in range(min(len(product.image_urls), MAX_ITEM_IMAGES))]

    def _fetch(self, product: Product, index: int) -> Image:
        url, field = product.image_urls[index], f"image_urls[{index}]"
        try:
            response = check(send(self.http.session, "GET", url, timeout=self.http.timeout))
        except PermanentError as exc:
            raise PermanentError(
                f"HTTP_{exc.status}", f"SKU {product.sku}: {field} could not be fetched", field
            ) from None
        data = response.content
        if not data or len(data) > MAX_IMAGE_BYTES:
            raise PermanentError(
                "BAD_IMAGE", f"SKU {product.sku}: {field} must be 1 byte to 3 MB, it is {len(data)}", field
            )
        name = urlsplit(url).path.rsplit("/", 1)[-1] or "image.jpg"
        return name, data, response.headers.get("Content-Type", "image/jpeg").split(";")[0]

    def upload_picture(self, image: Image) -> str:
        """Put the main image in the seller's picture space; answers its path for `pic_path`."""
        answer = self.call(
            "taobao.picture.upload", {"image_input_title": image[0][:50]}, files={"image": image}
        )
        picture = answer.get("picture") or {}
        path = picture.get("picture_path") or answer.get("picture_path")
        if not path:
            raise TransientError("taobao.picture.upload: answer without a picture path")
        return str(path)

    def upload_more_images(self, images: list[Image], num_iid: str) -> None:
        """The other images, into the item's positions 1..4 (an upload to a taken position replaces it)."""
        for position, image in enumerate(images[1:], start=1):
            params = {"num_iid": num_iid, "position": str(position)}
            self.call("taobao.item.img.upload", params, files={"image": image})

    def fetch(self, sku: str) -> LiveListing | None:
        item = self.lookup([sku]).get(sku)
        if item is None:
            return None
        price = item.get("price")
        return LiveListing(
            sku=sku,
            status=str(item.get("approve_status", "")),
            ids={"num_iid": str(item["num_iid"])},
            title=item.get("title"),
            price=Decimal(str(price)) if price is not None else None,
            quantity=int(item["num"]) if item.get("num") is not None else None,
            raw=item,
        )
