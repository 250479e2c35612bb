"""Feeds API 2021-06-30 for JSON_LISTINGS_FEED: documents behind pre-signed URLs, feeds, their handlers."""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import itertools
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from connectors.sandbox.amazon.errors import (
    AmazonSandboxError,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    StorageError,
)
from connectors.sandbox.amazon.marketplaces import MARKETPLACES
from connectors.sandbox.amazon.state import iso, parse_time

if TYPE_CHECKING:
    from connectors.sandbox.amazon.api import Call
    from connectors.sandbox.amazon.app import AmazonSandbox

FEED_TYPE = "JSON_LISTINGS_FEED"
TERMINAL = ("DONE", "FATAL", "CANCELLED")


@dataclass
class Document:
    """A feed document: an uploaded input, or a processing report the sandbox wrote."""

    document_id: str
    seller_id: str
    content_type: str
    created: float
    data: bytes | None = None
    compression: str | None = None


@dataclass
class Feed:
    """One feed submission and where its processing stands."""

    feed_id: str
    seller_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created: float
    status: str = "IN_QUEUE"
    started: float | None = None
    ended: float | None = None
    result_document_id: str | None = None
    history: list[str] = field(default_factory=lambda: ["IN_QUEUE"])
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def move(self, status: str) -> None:
        """Change the processing status, remembering the way it went (for inspection)."""
        self.status = status
        self.history.append(status)
        if status in TERMINAL:
            self.finished.set()

    def model(self) -> dict[str, Any]:
        """The feed as getFeed returns it (the model's `Feed`)."""
        answer: dict[str, Any] = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": list(self.marketplace_ids),
            "createdTime": iso(self.created),
            "processingStatus": self.status,
        }
        if self.started is not None:
            answer["processingStartTime"] = iso(self.started)
        if self.ended is not None:
            answer["processingEndTime"] = iso(self.ended)
        if self.result_document_id is not None:
            answer["resultFeedDocumentId"] = self.result_document_id
        return answer


class FeedStore:
    """Documents and feeds, the signing of their URLs, and the submission window per seller."""

    def __init__(self, secret: str) -> None:
        self.documents: dict[str, Document] = {}
        self.feeds: dict[str, Feed] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self._key = secret.encode("utf-8")
        self._ids = itertools.count(50_001_000_000)
        self._submissions: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.lock = threading.Lock()

    def reset(self) -> None:
        """Forget every document and feed; feeds still processing are cancelled."""
        for task in list(self.tasks):
            task.get_loop().call_soon_threadsafe(task.cancel)
        with self.lock:
            self.documents.clear()
            self.feeds.clear()
            self._submissions.clear()

    def new_feed_id(self) -> str:
        return str(next(self._ids))

    def signature(self, method: str, document_id: str, expires: int, encoding: str = "") -> str:
        message = f"{method}|{document_id}|{expires}|{encoding}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def url(self, base: str, method: str, document_id: str, expires: int, encoding: str = "") -> str:
        query = {"Expires": str(expires)}
        if encoding:
            query["response-content-encoding"] = encoding
        query["Signature"] = self.signature(method, document_id, expires, encoding)
        return f"{base}/_storage/{document_id}?{urlencode(query)}"

    def admit(self, seller_id: str, now: float, limit: int, window: float) -> bool:
        """Record a JSON_LISTINGS_FEED submission if fewer than `limit` were made in the last `window` s."""
        with self.lock:
            times = self._submissions[seller_id]
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit:
                return False
            times.append(now)
            return True

    def feed_of(self, seller_id: str, feed_id: str) -> Feed:
        feed = self.feeds.get(feed_id)
        if feed is None or feed.seller_id != seller_id:
            raise NotFound(f"The feed '{feed_id}' was not found.", code="NotFound")
        return feed

    def document_of(self, seller_id: str, document_id: str) -> Document:
        document = self.documents.get(document_id)
        if document is None or document.seller_id != seller_id:
            raise NotFound(f"The feed document '{document_id}' was not found.", code="NotFound")
        return document


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def create_feed_document(call: Call) -> tuple[int, Any]:
    sandbox = call.sandbox
    document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
    now = sandbox.clock()
    document = Document(document_id, call.seller_id, call.body["contentType"], now)
    sandbox.feedstore.documents[document_id] = document
    expires = int(now + sandbox.options.upload_url_seconds)
    url = sandbox.feedstore.url(_base(call.request), "PUT", document_id, expires)
    return 201, {"feedDocumentId": document_id, "url": url}


async def create_feed(call: Call) -> tuple[int, Any]:
    sandbox, body = call.sandbox, call.body
    if body["feedType"] != FEED_TYPE:
        raise InvalidInput(f"Feed type '{body['feedType']}' is not supported here: only {FEED_TYPE}.")
    marketplaces = body["marketplaceIds"]
    unknown = [m for m in marketplaces if m not in MARKETPLACES]
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not an Amazon marketplace id.")
    if len(marketplaces) != 1:
        raise InvalidInput(
            f"A {FEED_TYPE} applies to exactly one marketplace, {len(marketplaces)} were given."
        )
    document = sandbox.feedstore.documents.get(body["inputFeedDocumentId"])
    if document is None or document.seller_id != call.seller_id:
        raise InvalidInput(f"The feed document '{body['inputFeedDocumentId']}' does not exist.")
    if document.data is None:
        raise InvalidInput(f"The feed document '{document.document_id}' has not been uploaded.")
    options = sandbox.options
    if sandbox.limiter.enabled and not sandbox.feedstore.admit(
        call.seller_id, sandbox.clock(), options.feed_submission_limit, options.feed_submission_window
    ):
        raise QuotaExceeded()
    feed = Feed(
        sandbox.feedstore.new_feed_id(),
        call.seller_id,
        FEED_TYPE,
        list(marketplaces),
        document.document_id,
        sandbox.clock(),
    )
    sandbox.feedstore.feeds[feed.feed_id] = feed
    sandbox.start_processing(feed)
    return 202, {"feedId": feed.feed_id}


async def get_feed(call: Call) -> tuple[int, Any]:
    return 200, call.sandbox.feedstore.feed_of(call.seller_id, call.path["feedId"]).model()


async def cancel_feed(call: Call) -> tuple[int, Any]:
    feed = call.sandbox.feedstore.feed_of(call.seller_id, call.path["feedId"])
    if feed.status != "IN_QUEUE":
        raise InvalidInput(f"Only feeds IN_QUEUE can be cancelled; this one is {feed.status}.")
    feed.move("CANCELLED")
    return 200, {}


async def get_feeds(call: Call) -> tuple[int, Any]:
    query = call.query
    token = query.get("nextToken")
    if token is not None:
        if set(query) - {"nextToken", "pageSize"} or "pageSize" in call.request.query_params:
            raise InvalidInput("nextToken must be the only parameter when it is given.")
        try:
            filters = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8").split("|")
            types, statuses, marketplaces, since, until, size, start = filters
            query = {
                "feedTypes": types.split(","),
                "processingStatuses": statuses.split(",") if statuses else None,
                "marketplaceIds": marketplaces.split(",") if marketplaces else None,
                "createdSince": since or None,
                "createdUntil": until or None,
                "pageSize": int(size),
            }
            offset = int(start)
        except ValueError as exc:
            raise InvalidInput("nextToken is not a token this API returned.") from exc
    elif "feedTypes" not in query:
        raise InvalidInput("Either feedTypes or nextToken is required.")
    else:
        offset = 0
    feeds = [
        feed
        for feed in call.sandbox.feedstore.feeds.values()
        if feed.seller_id == call.seller_id
        and feed.feed_type in query["feedTypes"]
        and (not query.get("processingStatuses") or feed.status in query["processingStatuses"])
        and (not query.get("marketplaceIds") or set(feed.marketplace_ids) & set(query["marketplaceIds"]))
        and (not query.get("createdSince") or feed.created >= parse_time(query["createdSince"]))
        and (not query.get("createdUntil") or feed.created <= parse_time(query["createdUntil"]))
    ]
    feeds.sort(key=lambda feed: feed.created, reverse=True)
    size = query["pageSize"]
    answer: dict[str, Any] = {"feeds": [feed.model() for feed in feeds[offset : offset + size]]}
    if offset + size < len(feeds):
        parts = [
            ",".join(query["feedTypes"]),
            ",".join(query.get("processingStatuses") or []),
            ",".join(query.get("marketplaceIds") or []),
            query.get("createdSince") or "",
            query.get("createdUntil") or "",
            str(size),
            str(offset + size),
        ]
        answer["nextToken"] = base64.urlsafe_b64encode("|".join(parts).encode()).decode("ascii")
    return 200, answer


async def get_feed_document(call: Call) -> tuple[int, Any]:
    sandbox = call.sandbox
    document = sandbox.feedstore.document_of(call.seller_id, call.path["feedDocumentId"])
    encoding = "gzip" if document.compression and call.query.get("enableContentEncodingUrlHeader") else ""
    expires = int(sandbox.clock() + sandbox.options.upload_url_seconds)
    url = sandbox.feedstore.url(_base(call.request), "GET", document.document_id, expires, encoding)
    answer = {"feedDocumentId": document.document_id, "url": url}
    if document.compression:
        answer["compressionAlgorithm"] = document.compression
    return 200, answer


async def storage(sandbox: AmazonSandbox, request: Request) -> Response:
    """The pre-signed URLs: PUT uploads an input document, GET downloads a document; S3's XML errors."""
    request_id = str(uuid.uuid4())
    try:
        return await _storage(sandbox, request)
    except AmazonSandboxError as error:
        return error.response(request_id)


async def _storage(sandbox: AmazonSandbox, request: Request) -> Response:
    document_id = request.path_params["document_id"]
    params = request.query_params
    expires_text = params.get("Expires", "")
    encoding = params.get("response-content-encoding", "")
    store = sandbox.feedstore
    if not expires_text.isdigit() or not hmac.compare_digest(
        params.get("Signature", "").encode(),
        store.signature(request.method, document_id, int(expires_text), encoding).encode(),
    ):
        raise StorageError(
            403, "SignatureDoesNotMatch", "The request signature we calculated does not match."
        )
    if sandbox.clock() >= int(expires_text):
        raise StorageError(403, "AccessDenied", "Request has expired")
    document = store.documents.get(document_id)
    if document is None:
        raise StorageError(404, "NoSuchKey", "The specified key does not exist.")
    if request.method == "GET":
        if document.data is None:
            raise StorageError(404, "NoSuchKey", "The specified key does not exist.")
        headers = {"Content-Encoding": encoding} if encoding else {}
        return Response(document.data, 200, headers, media_type=document.content_type)
    sent = request.headers.get("content-type", "")
    if sent.replace(" ", "").lower() != document.content_type.replace(" ", "").lower():
        message = f"Content-Type {sent!r} is not the {document.content_type!r} the document was created with."
        raise StorageError(403, "SignatureDoesNotMatch", message)
    document.data = await request.body()
    etag = hashlib.md5(document.data, usedforsecurity=False).hexdigest()
    return Response(b"", 200, {"ETag": f'"{etag}"'})
