"""Process a JSON_LISTINGS_FEED: check the document against Amazon's schemas, apply each message as the
Listings Items API would, and write the processing report.

Report issue codes: the listing issues of each message as the API gives them; 4000006 for a message that
breaks the message schema and 4000007 for a document the feed cannot be read from (FATAL) are this sandbox's
own codes.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from connectors.sandbox.amazon import spec
from connectors.sandbox.amazon.feeds import Document, Feed
from connectors.sandbox.amazon.state import ALL_INCLUDED, ListingStore, merge_views
from connectors.sandbox.amazon.submissions import Submission, Submissions

log = logging.getLogger(__name__)

BAD_MESSAGE, FATAL = "4000006", "4000007"
MAX_MESSAGE_ID = 2_147_483_647
CHUNK = 200


class FeedFatal(Exception):
    """The document cannot be processed at all; the feed ends FATAL with this reason."""


def _where(path: Any) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "document"


def _explain(error: Any) -> list[str]:
    """A reader's account of one message schema error, naming the fields. For a failed `oneOf` over the
    operation types, the errors of the branch matching the message's operationType."""
    if error.validator != "oneOf" or not error.context:
        return [f"{_where(error.absolute_path)}: {error.message}"]
    by_branch: dict[int, list[Any]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.schema_path[0], []).append(sub)
    for branch, subs in by_branch.items():
        if any(list(s.path) == ["operationType"] for s in subs):
            continue
        schema = error.schema["oneOf"][branch]
        explained: list[str] = []
        for sub in subs:
            if sub.validator is None:  # a `false` schema: fields this operation type does not take
                banned = [
                    k for k, v in schema.get("properties", {}).items() if v is False and k in error.instance
                ]
                operation = error.instance.get("operationType")
                explained.extend(f"{name}: is not allowed in a {operation} message" for name in banned)
            else:
                explained.append(f"{_where(sub.absolute_path)}: {sub.message}")
        return explained
    return []


def parse_document(data: bytes, seller_id: str, max_messages: int) -> dict[str, Any]:
    """The feed document, checked against the feed schema's header and structure; `FeedFatal` if unusable."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedFatal(f"The feed document is not valid JSON: {exc}.") from exc
    if not isinstance(document, dict):
        raise FeedFatal("The feed document must be a JSON object with 'header' and 'messages'.")
    errors = sorted(spec.feed_shell_validator().iter_errors(document), key=lambda e: [str(p) for p in e.path])
    if errors:
        raise FeedFatal(
            f"The feed document breaks the feed schema at {_where(errors[0].path)}: {errors[0].message}"
        )
    if len(document["messages"]) > max_messages:
        raise FeedFatal(
            f"The feed has {len(document['messages'])} messages; at most {max_messages} are allowed."
        )
    if document["header"]["sellerId"] != seller_id:
        raise FeedFatal(
            f"The header's sellerId '{document['header']['sellerId']}' is not the submitting seller."
        )
    return document


def message_problems(message: Any, seen: set[int]) -> list[str]:
    """Why one message breaks the message schema (or repeats a messageId); empty when it is fine."""
    problems = []
    for error in spec.document_validator("message").iter_errors(message):
        problems.extend(_explain(error))
    message_id = message.get("messageId") if isinstance(message, dict) else None
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        if message_id > MAX_MESSAGE_ID:
            problems.append(f"messageId: {message_id} is greater than the maximum of {MAX_MESSAGE_ID}")
        if message_id in seen:
            problems.append(f"messageId: {message_id} is used by an earlier message of this feed")
        seen.add(message_id)
    return problems


def apply_message(
    submissions: Submissions, seller_id: str, marketplace_ids: list[str], message: dict[str, Any]
) -> Submission:
    """Apply one valid message as the Listings Items API would apply the equivalent call."""
    sku, operation = message["sku"], message["operationType"]
    if operation == "DELETE":
        return submissions.delete(seller_id, marketplace_ids, sku)
    if operation == "UPDATE":
        body: dict[str, Any] = {
            k: message[k] for k in ("productType", "attributes", "requirements") if k in message
        }
        return submissions.put(seller_id, marketplace_ids, sku, body, preview=False)
    if operation == "PARTIAL_UPDATE":
        patches = [
            {"op": "replace", "path": f"/attributes/{k}", "value": v}
            for k, v in message["attributes"].items()
        ]
        body = {"productType": message["productType"], "patches": patches}
        return submissions.patch(seller_id, marketplace_ids, sku, body, preview=False)
    body = {"productType": message["productType"], "patches": message["patches"]}
    return submissions.patch(seller_id, marketplace_ids, sku, body, preview=False)


def _report_issue(message_id: int | None, sku: str | None, issue: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": issue["code"],
        "severity": issue["severity"],
        "message": issue["message"],
    }
    if message_id is not None:
        entry = {"messageId": message_id, "sku": sku, **entry} if sku else {"messageId": message_id, **entry}
    if issue.get("attributeNames"):
        entry["attributeName"] = issue["attributeNames"][0]
    return entry


async def process(
    feed: Feed,
    data: bytes,
    submissions: Submissions,
    store: ListingStore,
    *,
    max_messages: int,
) -> tuple[str, dict[str, Any]]:
    """Process the feed's document; the final status (DONE or FATAL) and the processing report."""
    header: dict[str, Any] = {"sellerId": feed.seller_id, "version": "2.0", "feedId": feed.feed_id}
    try:
        document = parse_document(data, feed.seller_id, max_messages)
    except FeedFatal as fatal:
        issue = {"code": FATAL, "severity": "ERROR", "message": str(fatal)}
        counts = ("warnings", "messagesProcessed", "messagesAccepted", "messagesInvalid")
        return "FATAL", {
            "header": header,
            "issues": [issue],
            "summary": {"errors": 1, **dict.fromkeys(counts, 0)},
        }
    report_spec = document["header"].get("report")
    if report_spec:
        header["report"] = report_spec
    issues: list[dict[str, Any]] = []
    accepted = invalid = 0
    touched: list[str] = []
    seen: set[int] = set()
    for n, message in enumerate(document["messages"]):
        if n and n % CHUNK == 0:
            await asyncio.sleep(0)
        message_id = message.get("messageId") if isinstance(message, dict) else None
        message_id = message_id if isinstance(message_id, int) and 1 <= message_id <= MAX_MESSAGE_ID else None
        sku = (
            message.get("sku") if isinstance(message, dict) and isinstance(message.get("sku"), str) else None
        )
        problems = message_problems(message, seen)
        if problems:
            invalid += 1
            bad = ({"code": BAD_MESSAGE, "severity": "ERROR", "message": problem} for problem in problems)
            issues.extend(_report_issue(message_id, sku or None, issue) for issue in bad)
            continue
        submission = apply_message(submissions, feed.seller_id, feed.marketplace_ids, message)
        issues.extend(_report_issue(message_id, sku, i) for i in submission.issues)
        if submission.status == "ACCEPTED":
            accepted += 1
            if message["operationType"] != "DELETE":
                touched.append(message["sku"])
        else:
            invalid += 1
    summary: dict[str, Any] = {
        "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
        "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
        "messagesProcessed": accepted + invalid,
        "messagesAccepted": accepted,
        "messagesInvalid": invalid,
    }
    report: dict[str, Any] = {"header": header, "issues": issues, "summary": summary}
    if report_spec:
        items = _items(store, feed, dict.fromkeys(touched), report_spec["includedData"])
        item_issues = [i for item in items for i in item.get("issues", [])]
        summary["itemSummary"] = {
            "items": len(items),
            "errors": sum(1 for i in item_issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in item_issues if i["severity"] == "WARNING"),
        }
        report["items"] = items
    return "DONE", report


def _items(
    store: ListingStore, feed: Feed, skus: dict[str, None], included: list[str]
) -> list[dict[str, Any]]:
    items = []
    for sku in skus:
        views = [store.get(feed.seller_id, m, sku) for m in feed.marketplace_ids]
        found = [v.view(tuple(n for n in ALL_INCLUDED if n in included)) for v in views if v is not None]
        if found:
            item = merge_views(found)
            item["sku"] = sku
            items.append(item)
    return items


def report_document(feed: Feed, report: dict[str, Any], *, compress: bool, now: float) -> Document:
    """The processing report as a result document (gzip-compressed when `compress`)."""
    data = json.dumps(report, separators=(",", ":")).encode("utf-8")
    document = Document(f"amzn1.tortuga.4.na.{uuid.uuid4()}", feed.seller_id, "application/json", now, data)
    if compress:
        document.data = gzip.compress(data)
        document.compression = "GZIP"
    return document


async def run(
    feed: Feed,
    *,
    submissions: Submissions,
    store: ListingStore,
    data: bytes,
    queue_seconds: float,
    progress_seconds: float,
    max_messages: int,
    compress: bool,
    clock: Callable[[], float],
    save: Callable[[Document], None],
) -> None:
    """Move the feed IN_QUEUE -> IN_PROGRESS -> DONE/FATAL, pausing the configured time at each stage."""
    try:
        await asyncio.sleep(queue_seconds)
        if feed.status == "CANCELLED":
            return
        feed.started = clock()
        feed.move("IN_PROGRESS")
        await asyncio.sleep(progress_seconds)
        status, report = await process(feed, data, submissions, store, max_messages=max_messages)
        result = report_document(feed, report, compress=compress, now=clock())
        save(result)
        feed.result_document_id = result.document_id
        feed.ended = clock()
        feed.move(status)
    except Exception:
        log.exception("feed %s failed in the sandbox itself", feed.feed_id)
        feed.ended = clock()
        feed.move("FATAL")
    finally:
        feed.finished.set()
