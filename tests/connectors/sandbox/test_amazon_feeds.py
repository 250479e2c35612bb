"""JSON_LISTINGS_FEED over HTTP: documents, pre-signed URLs, processing, reports that keep to the schema."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import requests
from amazon_helpers import US, AmazonClient, FakeClock, amazon_attributes

from connectors.sandbox.amazon.spec import definition_validator, document_validator

CONTENT_TYPE = "application/json; charset=UTF-8"


def feed_document(seller_id: str, messages: list[dict[str, Any]], report: bool = True) -> dict[str, Any]:
    header: dict[str, Any] = {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"}
    if report:
        header["report"] = {"includedData": ["summaries", "issues"], "apiVersion": "2021-08-01"}
    return {"header": header, "messages": messages}


def upload(client: AmazonClient, data: bytes, content_type: str = CONTENT_TYPE) -> str:
    created = client.call("POST", "/feeds/2021-06-30/documents", json={"contentType": content_type})
    assert created.status_code == 201
    assert definition_validator("feeds", "CreateFeedDocumentResponse").is_valid(created.json())
    stored = requests.put(created.json()["url"], data=data, headers={"Content-Type": content_type}, timeout=5)
    assert stored.status_code == 200
    return created.json()["feedDocumentId"]


def submit(client: AmazonClient, document: dict[str, Any] | bytes) -> str:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    body = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": upload(client, data),
    }
    created = client.call("POST", "/feeds/2021-06-30/feeds", json=body)
    assert created.status_code == 202, created.text
    return created.json()["feedId"]


def report_of(client: AmazonClient, feed_id: str) -> dict[str, Any]:
    """Wait for the feed, then fetch its report the way a client does: getFeed, getFeedDocument, GET url."""
    client.sandbox.wait_for_feed(feed_id)
    feed = client.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()
    assert definition_validator("feeds", "Feed").is_valid(feed)
    document = client.call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}").json()
    assert definition_validator("feeds", "FeedDocument").is_valid(document)
    data = requests.get(document["url"], timeout=5).content
    if document.get("compressionAlgorithm") == "GZIP":
        data = gzip.decompress(data)
    report = json.loads(data)
    assert [e.message for e in document_validator("report").iter_errors(report)] == []
    return report


def test_a_feed_goes_through_the_queue_and_applies_each_message_as_the_api_would(
    amazon: AmazonClient,
) -> None:
    amazon.put("EXISTING")
    messages = [
        {"messageId": 1, "sku": "NEW", "operationType": "UPDATE", "productType": "PRODUCT",
         "attributes": amazon_attributes()},
        {"messageId": 2, "sku": "NO-CONDITION", "operationType": "UPDATE", "productType": "PRODUCT",
         "attributes": amazon_attributes(condition_type=None)},
        {"messageId": 3, "sku": "EXISTING", "operationType": "PATCH", "productType": "PRODUCT",
         "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]},
        {"messageId": 4, "sku": "NEW", "operationType": "PARTIAL_UPDATE", "productType": "PRODUCT",
         "attributes": {"item_name": [{"value": "Renamed", "marketplace_id": US}]}},
        {"messageId": 5, "sku": "EXISTING-2", "operationType": "DELETE"},
        {"messageId": 6, "sku": "BAD-EAN", "operationType": "UPDATE", "productType": "PRODUCT",
         "attributes": amazon_attributes(externally_assigned_product_identifier=[{"type": "ean",
                                                                                  "value": "123"}])},
    ]  # fmt: skip
    feed_id = submit(amazon, feed_document(amazon.seller_id, messages))
    report = report_of(amazon, feed_id)
    assert amazon.sandbox.feed(feed_id)["history"] == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert report["header"]["feedId"] == feed_id
    assert report["summary"] == {
        "errors": 2,
        "warnings": 0,
        "messagesProcessed": 6,
        "messagesAccepted": 4,
        "messagesInvalid": 2,
        "itemSummary": {"items": 2, "errors": 0, "warnings": 0},
    }
    errors = [(i["messageId"], i["sku"], i["code"], i.get("attributeName")) for i in report["issues"]]
    assert errors == [
        (2, "NO-CONDITION", "90220", "condition_type"),
        (6, "BAD-EAN", "4000003", "externally_assigned_product_identifier"),
    ]
    assert "'condition_type' is required but not supplied." in report["issues"][0]["message"]
    live = amazon.sandbox.listings(amazon.seller_id)
    assert sorted(live) == ["EXISTING", "NEW"]
    assert live["NEW"]["summaries"][0]["itemName"] == "Renamed"
    assert live["EXISTING"]["fulfillmentAvailability"][0]["quantity"] == 0
    assert amazon.counts("NEW") == (1, 1, 0)
    assert amazon.counts("NO-CONDITION") == (0, 0, 0)


def test_a_message_breaking_the_message_schema_is_invalid_but_the_rest_go_through(
    amazon: AmazonClient,
) -> None:
    messages = [
        {"messageId": 1, "sku": "GONE", "operationType": "DELETE", "productType": "PRODUCT"},
        {"messageId": 2, "sku": "OK", "operationType": "UPDATE", "productType": "PRODUCT",
         "attributes": amazon_attributes()},
        {"messageId": 2, "sku": "TWICE", "operationType": "DELETE"},
    ]  # fmt: skip
    report = report_of(amazon, submit(amazon, feed_document(amazon.seller_id, messages)))
    assert (report["summary"]["messagesAccepted"], report["summary"]["messagesInvalid"]) == (1, 2)
    problems = {(i["messageId"], i["sku"]): i["message"] for i in report["issues"]}
    assert problems[(1, "GONE")] == "productType: is not allowed in a DELETE message"
    assert "earlier message" in problems[(2, "TWICE")]
    assert list(amazon.sandbox.listings(amazon.seller_id)) == ["OK"]


def test_a_document_that_cannot_be_read_ends_fatal_with_a_report_saying_why(amazon: AmazonClient) -> None:
    delete = [{"messageId": 1, "sku": "X", "operationType": "DELETE"}]
    old_version = {"header": {"sellerId": amazon.seller_id, "version": "1.0"}, "messages": delete}
    cases = {
        b"{not json": "not valid JSON",
        json.dumps(feed_document("A9SOMEONEELSE", delete)).encode(): "not the submitting seller",
        json.dumps(feed_document(amazon.seller_id, [])).encode(): "messages",
        json.dumps(old_version).encode(): "version",
    }
    for data, why in cases.items():
        feed_id = submit(amazon, data)
        report = report_of(amazon, feed_id)
        assert amazon.sandbox.feed(feed_id)["processingStatus"] == "FATAL"
        (issue,) = report["issues"]
        assert why in issue["message"]
        assert report["summary"]["messagesProcessed"] == 0
    assert amazon.writes() == 0


def test_an_upload_url_expires_after_five_minutes(amazon: AmazonClient, amazon_clock: FakeClock) -> None:
    created = amazon.call("POST", "/feeds/2021-06-30/documents", json={"contentType": CONTENT_TYPE}).json()
    amazon_clock.advance(300)
    late = requests.put(created["url"], data=b"{}", headers={"Content-Type": CONTENT_TYPE}, timeout=5)
    assert late.status_code == 403
    assert "<Code>AccessDenied</Code>" in late.text
    assert "expired" in late.text


def test_an_upload_must_keep_the_signature_and_the_declared_content_type(amazon: AmazonClient) -> None:
    created = amazon.call("POST", "/feeds/2021-06-30/documents", json={"contentType": CONTENT_TYPE}).json()
    tampered = created["url"].replace("Signature=", "Signature=0")
    answer = requests.put(tampered, data=b"{}", headers={"Content-Type": CONTENT_TYPE}, timeout=5)
    assert (answer.status_code, "<Code>SignatureDoesNotMatch</Code>" in answer.text) == (403, True)
    as_text = requests.put(created["url"], data=b"{}", headers={"Content-Type": "text/plain"}, timeout=5)
    assert (as_text.status_code, "SignatureDoesNotMatch" in as_text.text) == (403, True)
    download = requests.get(created["url"], timeout=5)  # signed for PUT, not GET
    assert download.status_code == 403


def test_create_feed_refuses_what_it_cannot_process(amazon: AmazonClient) -> None:
    uploaded = upload(amazon, json.dumps(feed_document(amazon.seller_id, [])).encode())
    empty = amazon.call("POST", "/feeds/2021-06-30/documents", json={"contentType": CONTENT_TYPE}).json()
    other = AmazonClient(amazon.sandbox, amazon.url, seller_id=amazon.seller_id + "X")
    theirs = upload(other, b"{}")
    feed: dict[str, Any] = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": uploaded,
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"feedType": "POST_PRODUCT_DATA"}, "only"),
        ({"marketplaceIds": [US, "A1F83G8C2ARO7P"]}, "exactly one"),
        ({"inputFeedDocumentId": empty["feedDocumentId"]}, "not been uploaded"),
        ({"inputFeedDocumentId": theirs}, "does not exist"),
        ({"marketplaceIds": None}, "marketplaceIds"),
    ]
    for changes, why in cases:
        body = {k: v for k, v in {**feed, **changes}.items() if v is not None}
        answer = amazon.call("POST", "/feeds/2021-06-30/feeds", json=body)
        assert answer.status_code == 400
        assert definition_validator("feeds", "ErrorList").is_valid(answer.json())
        assert why in answer.json()["errors"][0]["message"]


def test_reports_can_be_gzip_compressed(start_amazon: Callable[..., Any]) -> None:
    sandbox, url = start_amazon(gzip_reports=True)
    client = AmazonClient(sandbox, url)
    message = {
        "messageId": 1,
        "sku": "A",
        "operationType": "UPDATE",
        "productType": "PRODUCT",
        "attributes": amazon_attributes(),
    }
    feed_id = submit(client, feed_document(client.seller_id, [message]))
    assert report_of(client, feed_id)["summary"]["messagesAccepted"] == 1
    result = sandbox.feed(feed_id)["resultFeedDocumentId"]
    document = client.call(
        "GET", f"/feeds/2021-06-30/documents/{result}", params={"enableContentEncodingUrlHeader": "true"}
    ).json()
    assert document["compressionAlgorithm"] == "GZIP"
    decoded = requests.get(document["url"], timeout=5)  # Content-Encoding: gzip, so requests decompresses
    assert decoded.headers["Content-Encoding"] == "gzip"
    assert decoded.json()["header"]["feedId"] == feed_id


def test_a_feed_still_in_the_queue_can_be_cancelled_and_then_does_nothing(
    start_amazon: Callable[..., Any],
) -> None:
    sandbox, url = start_amazon(feed_queue_seconds=60.0)
    client = AmazonClient(sandbox, url)
    message = {
        "messageId": 1,
        "sku": "A",
        "operationType": "UPDATE",
        "productType": "PRODUCT",
        "attributes": amazon_attributes(),
    }
    feed_id = submit(client, feed_document(client.seller_id, [message]))
    assert client.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()["processingStatus"] == "IN_QUEUE"
    assert client.call("DELETE", f"/feeds/2021-06-30/feeds/{feed_id}").status_code == 200
    assert sandbox.wait_for_feed(feed_id)["processingStatus"] == "CANCELLED"
    again = client.call("DELETE", f"/feeds/2021-06-30/feeds/{feed_id}")
    assert again.status_code == 400
    assert client.writes() == 0


def test_another_sellers_feed_is_not_found(amazon: AmazonClient) -> None:
    feed_id = submit(
        amazon, feed_document(amazon.seller_id, [{"messageId": 1, "sku": "X", "operationType": "DELETE"}])
    )
    other = AmazonClient(amazon.sandbox, amazon.url, seller_id=amazon.seller_id + "X")
    answer = other.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}")
    assert answer.status_code == 404
    assert definition_validator("feeds", "ErrorList").is_valid(answer.json())


def test_get_feeds_filters_by_type_and_status_and_pages(amazon: AmazonClient) -> None:
    ids = [submit(amazon, b"{}") for _ in range(3)]
    for feed_id in ids:
        amazon.sandbox.wait_for_feed(feed_id)
    query = {"feedTypes": "JSON_LISTINGS_FEED", "processingStatuses": "FATAL", "pageSize": 2}
    first = amazon.call("GET", "/feeds/2021-06-30/feeds", params=query).json()
    assert definition_validator("feeds", "GetFeedsResponse").is_valid(first)
    second = amazon.call("GET", "/feeds/2021-06-30/feeds", params={"nextToken": first["nextToken"]}).json()
    assert sorted(f["feedId"] for f in first["feeds"] + second["feeds"]) == sorted(ids)
    none = amazon.call(
        "GET",
        "/feeds/2021-06-30/feeds",
        params={"feedTypes": "JSON_LISTINGS_FEED", "processingStatuses": "DONE"},
    )
    assert none.json() == {"feeds": []}
    assert amazon.call("GET", "/feeds/2021-06-30/feeds").status_code == 400
