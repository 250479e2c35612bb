"""Amazon SP-API connector: Listings Items for a few changes, one JSON_LISTINGS_FEED for many."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from requests.auth import AuthBase

from connectors.base import Action, Change, Connector, LiveListing, SkuResult, failed
from connectors.errors import PermanentError, TransientError
from connectors.http import HttpClient, dumps
from connectors.mapping import amazon as mapping

if TYPE_CHECKING:
    import requests

    from catalog.product import Product

LISTINGS = "/listings/2021-08-01/items"
FEEDS = "/feeds/2021-06-30"
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"
MAX_FEED_MESSAGES = 25_000
LISTINGS_RATE = 5.0  # documented requests per second for each Listings Items operation


def issue_error(sku: str, issues: list[dict[str, Any]]) -> PermanentError | None:
    """The first ERROR issue as a `PermanentError` carrying Amazon's code, message and attribute."""
    for issue in issues or []:
        if issue.get("severity", "ERROR") == "ERROR":
            names = issue.get("attributeNames") or [issue.get("attributeName")]
            return PermanentError(
                str(issue.get("code", "")), f"SKU {sku}: {issue.get('message', 'refused')}", names[0] or None
            )
    return None


class AmazonConnector(Connector):
    """One seller account in one Amazon marketplace.

    `feed_threshold`: batches of at least this many changes go through one JSON_LISTINGS_FEED; smaller ones
    through the Listings Items API, one call per SKU.
    """

    marketplace = "amazon"

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        seller_id: str,
        marketplace_id: str,
        *,
        feed_threshold: int = 50,
        default_product_type: str = "PRODUCT",
        language_tag: str = "en_US",
        poll_interval: float = 5.0,
        feed_timeout: float = 1800.0,
        wait: Callable[[float], None] = time.sleep,
        **http: Any,
    ) -> None:
        self.http = HttpClient(base_url, auth, **http)
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id
        self.feed_threshold = feed_threshold
        self.default_product_type = default_product_type
        self.language_tag = language_tag
        self.poll_interval = poll_interval
        self.feed_timeout = feed_timeout
        self.wait = wait

    def __repr__(self) -> str:
        return f"AmazonConnector({self.http.base_url!r}, seller={self.seller_id!r})"

    def project(self, product: Product) -> mapping.AmazonListing:
        return mapping.listing(product, self.marketplace_id, self.default_product_type, self.language_tag)

    def push(self, changes: Sequence[Change]) -> list[SkuResult]:
        if len(changes) >= self.feed_threshold:
            results: list[SkuResult] = []
            for start in range(0, len(changes), MAX_FEED_MESSAGES):
                results += self._push_feed(changes[start : start + MAX_FEED_MESSAGES])
            return results
        return self._push_items(changes)

    def fetch(self, sku: str) -> LiveListing | None:
        try:
            item = self.http.json(
                "GET",
                self._item_path(sku),
                params={
                    "marketplaceIds": self.marketplace_id,
                    "includedData": "summaries,attributes,issues,offers,fulfillmentAvailability",
                },
            )
        except PermanentError as exc:
            if exc.status == 404:
                return None
            raise
        summary = (item.get("summaries") or [{}])[0]
        offer = (item.get("offers") or [{}])[0]
        stock = (item.get("fulfillmentAvailability") or [{}])[0]
        amount = (offer.get("price") or {}).get("amount")
        return LiveListing(
            sku=sku,
            status=",".join(summary.get("status") or []) or "UNKNOWN",
            ids={"asin": summary["asin"]} if summary.get("asin") else {},
            title=summary.get("itemName"),
            price=Decimal(str(amount)) if amount is not None else None,
            quantity=stock.get("quantity"),
            raw=item,
        )

    # Listings Items: one call per SKU

    def _item_path(self, sku: str) -> str:
        return f"{LISTINGS}/{quote(self.seller_id, safe='')}/{quote(sku, safe='')}"

    def _push_items(self, changes: Sequence[Change]) -> list[SkuResult]:
        results: list[SkuResult] = []
        for n, change in enumerate(changes):
            try:
                results.append(self._push_item(change))
            except PermanentError as exc:
                results.append(failed(change, exc))
            except TransientError as exc:
                if exc.status == 429 and exc.retry_after is None:
                    exc.retry_after = 1.0 / LISTINGS_RATE  # Amazon's 429 names no wait: use the usage plan
                if not results:
                    raise
                results += [failed(c, exc) for c in changes[n:]]
                break
        return results

    def _push_item(self, change: Change) -> SkuResult:
        query = {"marketplaceIds": self.marketplace_id, "includedData": "issues"}
        headers = {"Content-Type": "application/json"}
        if change.action is Action.END:
            try:
                body = self.http.json(
                    "DELETE", self._item_path(change.sku), params={"marketplaceIds": query["marketplaceIds"]}
                )
            except PermanentError as exc:
                if exc.status == 404:  # already gone: ending is idempotent
                    return SkuResult(change.sku, change.action, status="NOT_FOUND")
                raise
        else:
            assert change.product is not None
            listing = self.project(change.product)
            if change.action is Action.UPDATE_OFFER:
                payload: dict[str, Any] = {
                    "productType": listing.product_type,
                    "patches": mapping.offer_patches(change.product, self.marketplace_id),
                }
                method = "PATCH"
            else:
                payload = {
                    "productType": listing.product_type,
                    "requirements": "LISTING",
                    "attributes": listing.attributes,
                }
                method = "PUT"
            body = self.http.json(
                method, self._item_path(change.sku), params=query, data=dumps(payload), headers=headers
            )
        error = issue_error(change.sku, body.get("issues") or [])
        if body.get("status") == "INVALID" or (error is not None and body.get("status") != "ACCEPTED"):
            return failed(
                change, error or PermanentError("INVALID", f"SKU {change.sku}: Amazon refused the listing")
            )
        return SkuResult(
            change.sku,
            change.action,
            ids={"submission_id": str(body.get("submissionId", ""))},
            status=str(body.get("status", "")),
        )

    # JSON_LISTINGS_FEED: one document for the whole batch

    def feed_message(self, message_id: int, change: Change) -> dict[str, Any]:
        """The feed message for one change (UPDATE, PATCH or DELETE)."""
        if change.action is Action.END:
            return {"messageId": message_id, "sku": change.sku, "operationType": "DELETE"}
        assert change.product is not None
        listing = self.project(change.product)
        if change.action is Action.UPDATE_OFFER:
            return {
                "messageId": message_id,
                "sku": change.sku,
                "operationType": "PATCH",
                "productType": listing.product_type,
                "patches": mapping.offer_patches(change.product, self.marketplace_id),
            }
        return {
            "messageId": message_id,
            "sku": change.sku,
            "operationType": "UPDATE",
            "productType": listing.product_type,
            "requirements": "LISTING",
            "attributes": listing.attributes,
        }

    def _push_feed(self, changes: Sequence[Change]) -> list[SkuResult]:
        results: dict[int, SkuResult] = {}
        messages: list[dict[str, Any]] = []
        by_message: dict[int, int] = {}
        for i, change in enumerate(changes):
            try:
                message = self.feed_message(len(messages) + 1, change)
            except PermanentError as exc:
                results[i] = failed(change, exc)
                continue
            by_message[message["messageId"]] = i
            messages.append(message)
        if messages:
            try:
                feed_id, report = self._run_feed(messages)
            except PermanentError as exc:  # the feed as a whole was refused: every message shares the reason
                for i in by_message.values():
                    results[i] = failed(changes[i], exc)
                return [results[i] for i in range(len(changes))]
            errors: dict[int, PermanentError] = {}
            for issue in report.get("issues") or []:
                mid = issue.get("messageId")
                if mid in by_message and mid not in errors and issue.get("severity") == "ERROR":
                    sku = changes[by_message[mid]].sku
                    errors[mid] = issue_error(sku, [issue]) or PermanentError("", "refused")
            for mid, i in by_message.items():
                change = changes[i]
                if mid in errors:
                    results[i] = failed(change, errors[mid])
                else:
                    results[i] = SkuResult(
                        change.sku, change.action, ids={"feed_id": feed_id}, status="ACCEPTED"
                    )
        return [results[i] for i in range(len(changes))]

    def _run_feed(self, messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        """Create, upload and submit the feed, wait for it, and return its id and processing report."""
        document = {
            "header": {"sellerId": self.seller_id, "version": "2.0", "issueLocale": "en_US"},
            "messages": messages,
        }
        json_headers = {"Content-Type": "application/json"}
        created = self.http.json(
            "POST", f"{FEEDS}/documents", data=dumps({"contentType": FEED_CONTENT_TYPE}), headers=json_headers
        )
        self.http.request(
            "PUT",
            created["url"],
            auth=False,
            data=dumps(document),
            headers={"Content-Type": FEED_CONTENT_TYPE},
        )
        feed = self.http.json(
            "POST",
            f"{FEEDS}/feeds",
            data=dumps(
                {
                    "feedType": "JSON_LISTINGS_FEED",
                    "marketplaceIds": [self.marketplace_id],
                    "inputFeedDocumentId": created["feedDocumentId"],
                }
            ),
            headers=json_headers,
        )
        feed_id = str(feed["feedId"])
        deadline = time.monotonic() + self.feed_timeout
        while True:
            state = self.http.json("GET", f"{FEEDS}/feeds/{quote(feed_id, safe='')}")
            status = state.get("processingStatus")
            if status in ("DONE", "FATAL", "CANCELLED"):
                break
            if time.monotonic() >= deadline:
                raise TransientError(f"feed {feed_id} still {status} after {self.feed_timeout:.0f} s")
            self.wait(self.poll_interval)
        if status == "CANCELLED":
            raise TransientError(f"feed {feed_id} was cancelled")
        report = self._report(state.get("resultFeedDocumentId"))
        if status == "FATAL":
            first = (report.get("issues") or [{}])[0]
            raise PermanentError(
                str(first.get("code", "FATAL")),
                f"Amazon could not process feed {feed_id}: {first.get('message', '')}",
            )
        return feed_id, report

    def _report(self, document_id: str | None) -> dict[str, Any]:
        if not document_id:
            return {}
        info = self.http.json("GET", f"{FEEDS}/documents/{quote(str(document_id), safe='')}")
        response: requests.Response = self.http.request("GET", info["url"], auth=False)
        data = response.content
        # GZIP reports may arrive already inflated when the store also sets Content-Encoding
        if info.get("compressionAlgorithm") == "GZIP" and data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except OSError:
                raise TransientError(f"feed report {document_id} is not readable gzip") from None
        try:
            return json.loads(data)
        except ValueError:
            raise TransientError(f"feed report {document_id} is not valid JSON") from None
