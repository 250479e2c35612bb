"""eBay Sell Inventory connector: bulk calls of 25, offers found by SKU before one is created.

Content goes by bulkCreateOrReplaceInventoryItem and price and quantity by bulkUpdatePriceQuantity; the
offer's own fields (category, business policies, inventory location) are written when the offer is created,
and revised one offer at a time by updateOffer (REVISE_OFFER), which replaces the whole offer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from requests.auth import AuthBase

from connectors.base import Action, Change, Connector, LiveListing, SkuResult, failed, settle
from connectors.errors import PermanentError, TransientError
from connectors.http import HttpClient, dumps, error_entry
from connectors.mapping import ebay as mapping

if TYPE_CHECKING:
    from catalog.product import Product

BULK = 25
INVENTORY = "/sell/inventory/v1"
CONTENT = (Action.CREATE, Action.UPDATE_CONTENT)


def chunks(items: Sequence[int], size: int = BULK) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ebay_error(sku: str, errors: list[dict[str, Any]] | None) -> PermanentError:
    """eBay's first error for a SKU, in plain words with its errorId and the field at fault."""
    info = error_entry((errors or [{}])[0])
    return PermanentError(info.code, f"SKU {sku}: {info.message}", info.field)


def _for_sku(sku: str, error: PermanentError) -> PermanentError:
    """`error` with the SKU it concerns named first."""
    return PermanentError(
        error.code, f"SKU {sku}: {error.plain}", error.field, status=error.status, request_id=error.request_id
    )


class EbayConnector(Connector):
    """One seller account on one eBay site."""

    marketplace = "ebay"

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        settings: mapping.OfferSettings | None = None,
        *,
        locale: str = "en_US",
        content_language: str = "en-US",
        **http: Any,
    ) -> None:
        self.http = HttpClient(base_url, auth, **http)
        self.settings = settings or mapping.OfferSettings()
        self.locale = locale
        self.write_headers = {"Content-Type": "application/json", "Content-Language": content_language}

    def __repr__(self) -> str:
        return f"EbayConnector({self.http.base_url!r}, {self.settings.marketplace_id!r})"

    def project(self, product: Product) -> dict[str, Any]:
        """The inventory item and the offer for `product`."""
        return {
            "inventory_item": mapping.inventory_item(product, self.locale),
            "offer": mapping.offer(product, self.settings),
        }

    def push(self, changes: Sequence[Change]) -> list[SkuResult]:
        done: dict[int, SkuResult] = {}
        try:
            self._put_items(changes, done)
            self._create_offers(changes, done)
            self._update_offers(changes, done)
            self._revise_offers(changes, done)
            self._end(changes, done)
        except TransientError as exc:
            return settle(changes, done, exc)
        return [done[i] for i in range(len(changes))]

    def fetch(self, sku: str) -> LiveListing | None:
        try:
            item = self.http.json("GET", f"{INVENTORY}/inventory_item/{quote(sku, safe='')}")
        except PermanentError as exc:
            if exc.status == 404:
                return None
            raise
        offer = self.find_offer(sku) or {}
        amount = ((offer.get("pricingSummary") or {}).get("price") or {}).get("value")
        listing_id = (offer.get("listing") or {}).get("listingId")
        ids = {k: v for k, v in (("offer_id", offer.get("offerId")), ("listing_id", listing_id)) if v}
        return LiveListing(
            sku=sku,
            status=str(offer.get("status") or "NO_OFFER"),
            ids=ids,
            title=(item.get("product") or {}).get("title"),
            price=Decimal(str(amount)) if amount is not None else None,
            quantity=((item.get("availability") or {}).get("shipToLocationAvailability") or {}).get(
                "quantity"
            ),
            raw={"inventory_item": item, "offer": offer},
        )

    def ensure_location(self, key: str, country: str, postal_code: str, name: str = "Warehouse") -> None:
        """Create the inventory location offers ship from, unless the seller already has it."""
        path = f"{INVENTORY}/location/{quote(key, safe='')}"
        try:
            self.http.request("GET", path)
            return
        except PermanentError as exc:
            if exc.status != 404:
                raise
        body = {
            "location": {"address": {"country": country, "postalCode": postal_code}},
            "locationTypes": ["WAREHOUSE"],
            "merchantLocationStatus": "ENABLED",
            "name": name,
        }
        self.http.request("POST", path, data=dumps(body), headers={"Content-Type": "application/json"})

    def find_offer(self, sku: str) -> dict[str, Any] | None:
        """The SKU's fixed-price offer on our site (getOffers by SKU), or None."""
        try:
            body = self.http.json(
                "GET",
                f"{INVENTORY}/offer",
                params={"sku": sku, "marketplace_id": self.settings.marketplace_id},
            )
        except PermanentError as exc:
            if exc.status == 404:
                return None
            raise
        for offer in body.get("offers") or []:
            if offer.get("marketplaceId", self.settings.marketplace_id) == self.settings.marketplace_id and (
                offer.get("format", "FIXED_PRICE") == "FIXED_PRICE"
            ):
                return offer
        return None

    def _bulk(
        self, path: str, requests: list[dict[str, Any]], *, language: bool = True
    ) -> list[dict[str, Any]]:
        headers = self.write_headers if language else {"Content-Type": "application/json"}
        body = self.http.json(
            "POST", f"{INVENTORY}{path}", data=dumps({"requests": requests}), headers=headers
        )
        return list(body.get("responses") or [])

    def _put_items(self, changes: Sequence[Change], done: dict[int, SkuResult]) -> None:
        """Create or replace inventory items (content), 25 a call; content-only changes are then done."""
        todo: list[int] = []
        items: dict[int, dict[str, Any]] = {}
        for i, c in enumerate(changes):
            if c.action in CONTENT:
                try:
                    assert c.product is not None
                    items[i] = mapping.inventory_item(c.product, self.locale)
                    if c.action is Action.CREATE:
                        mapping.offer(c.product, self.settings)  # refuse early what could never be offered
                    todo.append(i)
                except PermanentError as exc:
                    done[i] = failed(c, exc)
        for chunk in chunks(todo):
            by_sku = {changes[i].sku: i for i in chunk}
            answers = self._bulk("/bulk_create_or_replace_inventory_item", [items[i] for i in chunk])
            for answer in answers:
                at = by_sku.get(str(answer.get("sku")))
                if at is None:
                    continue
                c = changes[at]
                if int(answer.get("statusCode", 500)) >= 300 or answer.get("errors"):
                    done[at] = failed(c, ebay_error(c.sku, answer.get("errors")))
                elif c.action is Action.UPDATE_CONTENT:
                    done[at] = SkuResult(c.sku, c.action, ids=dict(c.ids), status="UPDATED")

    def _offer_id(self, change: Change) -> tuple[str | None, str | None]:
        """(offer id, listing id) from the change's recorded ids, else from getOffers."""
        if change.ids.get("offer_id"):
            return change.ids["offer_id"], change.ids.get("listing_id")
        offer = self.find_offer(change.sku)
        if offer is None:
            return None, None
        return str(offer["offerId"]), (offer.get("listing") or {}).get("listingId")

    def _create_offers(self, changes: Sequence[Change], done: dict[int, SkuResult]) -> None:
        """For new SKUs: reuse an existing offer (an unpublished one updated first) or create one (bulk), then
        publish (bulk)."""
        offers: dict[int, str] = {}
        create: list[int] = []
        for i, c in enumerate(changes):
            if c.action is not Action.CREATE or i in done:
                continue
            offer_id, listing_id = self._offer_id(c)
            if offer_id and listing_id:
                done[i] = SkuResult(
                    c.sku, c.action, {"offer_id": offer_id, "listing_id": listing_id}, "PUBLISHED"
                )
            elif offer_id:
                # left unpublished by an earlier attempt, made with the settings of then: bring it up to date
                try:
                    self._replace_offer(c, offer_id)
                except PermanentError as exc:
                    done[i] = failed(c, exc)
                    continue
                offers[i] = offer_id
            else:
                create.append(i)
        for chunk in chunks(create):
            by_sku = {changes[i].sku: i for i in chunk}
            answers = self._bulk(
                "/bulk_create_offer", [mapping.offer(changes[i].item, self.settings) for i in chunk]
            )
            for answer in answers:
                at = by_sku.get(str(answer.get("sku")))
                if at is None:
                    continue
                if answer.get("offerId") and int(answer.get("statusCode", 500)) < 300:
                    offers[at] = str(answer["offerId"])
                else:
                    done[at] = failed(changes[at], ebay_error(changes[at].sku, answer.get("errors")))
        order = sorted(offers)
        for chunk in chunks(order):
            by_offer = {offers[i]: i for i in chunk}
            answers = self._bulk(
                "/bulk_publish_offer", [{"offerId": offers[i]} for i in chunk], language=False
            )
            for answer in answers:
                at = by_offer.get(str(answer.get("offerId")))
                if at is None:
                    continue
                c = changes[at]
                if answer.get("listingId") and int(answer.get("statusCode", 500)) < 300:
                    ids = {"offer_id": offers[at], "listing_id": str(answer["listingId"])}
                    done[at] = SkuResult(c.sku, c.action, ids, "PUBLISHED")
                else:
                    done[at] = failed(c, ebay_error(c.sku, answer.get("errors")))

    def _update_offers(self, changes: Sequence[Change], done: dict[int, SkuResult]) -> None:
        """Price and quantity only: bulkUpdatePriceQuantity, 25 a call."""
        todo: dict[int, str] = {}
        for i, c in enumerate(changes):
            if c.action is not Action.UPDATE_OFFER:
                continue
            offer_id, _ = self._offer_id(c)
            if offer_id is None:
                done[i] = failed(
                    c, PermanentError("NOT_LISTED", f"SKU {c.sku} has no eBay offer to update yet")
                )
            else:
                todo[i] = offer_id
        for chunk in chunks(sorted(todo)):
            by_sku = {changes[i].sku: i for i in chunk}
            requests = [mapping.price_quantity(changes[i].item, todo[i]) for i in chunk]
            errors: dict[int, PermanentError] = {}
            seen: set[int] = set()
            for answer in self._bulk("/bulk_update_price_quantity", requests, language=False):
                at = by_sku.get(str(answer.get("sku")))
                if at is None:
                    at = next((j for j in chunk if todo[j] == str(answer.get("offerId"))), None)
                if at is None:
                    continue
                seen.add(at)
                if int(answer.get("statusCode", 500)) >= 300 or answer.get("errors"):
                    errors.setdefault(at, ebay_error(changes[at].sku, answer.get("errors")))
            for i in chunk:
                c = changes[i]
                if i in errors:
                    done[i] = failed(c, errors[i])
                elif i in seen:
                    done[i] = SkuResult(c.sku, c.action, {**c.ids, "offer_id": todo[i]}, "UPDATED")

    def _revise_offers(self, changes: Sequence[Change], done: dict[int, SkuResult]) -> None:
        """The offer's own fields: updateOffer, one offer a call (eBay has no bulk form of it)."""
        for i, c in enumerate(changes):
            if c.action is not Action.REVISE_OFFER or i in done:
                continue
            try:
                offer_id, _ = self._offer_id(c)
                if offer_id is None:
                    raise PermanentError("NOT_LISTED", f"SKU {c.sku} has no eBay offer to update yet")
                self._replace_offer(c, offer_id)
            except PermanentError as exc:
                done[i] = failed(c, exc)
                continue
            done[i] = SkuResult(c.sku, c.action, {**c.ids, "offer_id": offer_id}, "UPDATED")

    def _replace_offer(self, change: Change, offer_id: str) -> None:
        """updateOffer: the offer as the product and the settings make it now (`PermanentError` names the
        SKU)."""
        body = mapping.offer_update(change.item, self.settings)
        path = f"{INVENTORY}/offer/{quote(offer_id, safe='')}"
        try:
            self.http.request("PUT", path, data=dumps(body), headers=self.write_headers)
        except PermanentError as exc:
            raise _for_sku(change.sku, exc) from None

    def _end(self, changes: Sequence[Change], done: dict[int, SkuResult]) -> None:
        """Withdraw the offer (ends the listing), then delete the inventory item and its offers."""
        for i, c in enumerate(changes):
            if c.action is not Action.END:
                continue
            sku = quote(c.sku, safe="")
            try:
                offer_id, listing_id = self._offer_id(c)
                if offer_id and listing_id:
                    # already withdrawn or never published: deleting the item still ends it
                    with contextlib.suppress(PermanentError):
                        self.http.json("POST", f"{INVENTORY}/offer/{quote(offer_id, safe='')}/withdraw")
                try:
                    self.http.request("DELETE", f"{INVENTORY}/inventory_item/{sku}")
                except PermanentError as exc:
                    if exc.status != 404:  # already deleted: ending is idempotent
                        raise
            except PermanentError as exc:
                done[i] = failed(c, exc)
                continue
            done[i] = SkuResult(c.sku, c.action, {k: v for k, v in (("offer_id", offer_id),) if v}, "ENDED")
