"""Check one captured HTTP request against Amazon's published models: a pure function, no server needed.

The sandbox refuses what this finds in Amazon's error shape; the connectors' tests run every request they send
through `check_request` to prove it keeps to the official contract. Covered: Login with Amazon's token grant,
Listings Items 2021-08-01 and Feeds 2021-06-30 (path, query, headers, JSON body), and the query shapes of
searchCatalogItems and getItemOffers written out in `catalog_wire.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from connectors.sandbox.amazon import catalog_wire, spec
from connectors.sandbox.amazon.marketplaces import MARKETPLACES

TOKEN_PATH = "/auth/o2/token"
TOKEN_FIELDS = ("grant_type", "refresh_token", "client_id", "client_secret")
ATTRIBUTE_PATH = re.compile(r"^/attributes/[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class CapturedRequest:
    """A request as it went over the wire. `path` is the raw (percent-encoded) path without the query;
    `query` is the raw query string or a mapping of names to every value given."""

    method: str
    path: str
    query: str | Mapping[str, Sequence[str]] = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @classmethod
    def from_prepared(cls, prepared: Any) -> CapturedRequest:
        """Capture a `requests.PreparedRequest`, e.g. `response.request` in a session's response hook."""
        parts = urlsplit(prepared.url)
        body = prepared.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        return cls(prepared.method, parts.path, parts.query, dict(prepared.headers), body)


@dataclass(frozen=True)
class Problem:
    """One way a request breaks the contract: where (path/query/header/body), what, and its status."""

    location: str
    name: str
    message: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.location} {self.name}: {self.message}"


@dataclass
class Analysis:
    """What `analyse` made of a request: the operation, typed parameters, parsed body, and the problems."""

    operation: spec.Operation | None
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    problems: list[Problem] = field(default_factory=list)


def check_request(request: CapturedRequest) -> list[Problem]:
    """Every way `request` breaks the published contract; an empty list means it keeps to it."""
    if request.path == TOKEN_PATH:
        return check_token_request(request)
    if request.path == catalog_wire.SEARCH_PATH or catalog_wire.OFFERS_PATTERN.match(request.path):
        query = {name: values[-1] for name, values in _query(request.query).items()}
        found = catalog_wire.problems(request.method, request.path, query, request.headers)
        return [Problem(where, name, message) for where, name, message in found]
    return analyse(request).problems


def check_token_request(request: CapturedRequest) -> list[Problem]:
    """Login with Amazon's refresh-token grant: a form-encoded POST carrying the four fields."""
    if request.method.upper() != "POST":
        return [Problem("method", request.method, "the token endpoint takes POST only", 405)]
    if media_type(_header(request.headers, "content-type")) != "application/x-www-form-urlencoded":
        return [Problem("header", "Content-Type", "must be application/x-www-form-urlencoded")]
    form = parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True)
    return [
        Problem("body", name, "is required but not supplied")
        for name in TOKEN_FIELDS
        if not (form.get(name) or [""])[0]
    ]


def match(method: str, raw_path: str) -> tuple[spec.Operation | None, dict[str, str]]:
    """The operation serving `method raw_path` and its decoded path parameters, or (None, {})."""
    method = method.upper()
    for op in spec.operations():
        if op.method != method:
            continue
        m = op.pattern.match(raw_path)
        if m:
            return op, {k: unquote(v) for k, v in m.groupdict().items()}
    return None, {}


def analyse(request: CapturedRequest, *, operation: spec.Operation | None = None) -> Analysis:
    """Match the request to its operation and check path, query, headers and body against the model."""
    params: dict[str, str] = {}
    if operation is None:
        operation, params = match(request.method, request.path)
        if operation is None:
            return Analysis(None, problems=[Problem("path", request.path, "no such operation", 404)])
    else:
        m = operation.pattern.match(request.path)
        params = {k: unquote(v) for k, v in m.groupdict().items()} if m else {}
    result = Analysis(operation, params)
    if not _header(request.headers, "x-amz-access-token"):
        result.problems.append(Problem("header", "x-amz-access-token", "is required", 403))
    _check_path(operation, params, result)
    _check_query(operation, _query(request.query), result)
    if operation.body is not None:
        _check_body(operation, request, result)
    _check_semantics(operation, result)
    return result


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), "")
    return value


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _query(query: str | Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    if isinstance(query, str):
        return parse_qs(query, keep_blank_values=True)
    return {k: [v] if isinstance(v, str) else list(v) for k, v in query.items()}


def _check_path(op: spec.Operation, params: dict[str, str], result: Analysis) -> None:
    for name, value in params.items():
        if not value.strip():
            result.problems.append(Problem("path", name, "must not be empty"))


def _check_query(op: spec.Operation, query: dict[str, list[str]], result: Analysis) -> None:
    for name, values in query.items():
        param = op.parameter(name)
        if param is None or param.location != "query":
            result.problems.append(Problem("query", name, f"is not a parameter of {op.operation_id}"))
        elif len(values) > 1:
            result.problems.append(
                Problem("query", name, "is given more than once (use one comma-separated value)")
            )
        else:
            value = _typed(param, values[0], result)
            if value is not None:
                result.query[name] = value
    for param in op.parameters:
        if param.location == "query" and param.required and param.name not in query:
            result.problems.append(Problem("query", param.name, "is required but not supplied"))
        if param.location == "query" and param.name not in result.query and "default" in param.schema:
            result.query[param.name] = param.schema["default"]


def _typed(param: spec.Parameter, raw: str, result: Analysis) -> Any:
    """The value of one query parameter, typed as the model says, or None after recording a problem."""
    schema = param.schema
    problems = result.problems
    kind = schema.get("type", "string")
    if kind == "array":
        items = raw.split(",") if raw != "" else []
        if any(not item.strip() for item in items):
            problems.append(Problem("query", param.name, "has an empty item"))
            return None
        if ("minItems" in schema and len(items) < schema["minItems"]) or not items:
            problems.append(
                Problem("query", param.name, f"needs at least {schema.get('minItems', 1)} item(s)")
            )
            return None
        if "maxItems" in schema and len(items) > schema["maxItems"]:
            problems.append(Problem("query", param.name, f"takes at most {schema['maxItems']} item(s)"))
            return None
        allowed = schema.get("items", {}).get("enum")
        bad = [item for item in items if allowed and item not in allowed]
        if bad:
            problems.append(Problem("query", param.name, f"{bad[0]!r} is not one of {allowed}"))
            return None
        if param.name == "marketplaceIds":
            unknown = [item for item in items if item not in MARKETPLACES]
            if unknown:
                problems.append(
                    Problem("query", param.name, f"{unknown[0]!r} is not an Amazon marketplace id")
                )
                return None
        return items
    if kind == "integer":
        try:
            number = int(raw)
        except ValueError:
            problems.append(Problem("query", param.name, f"{raw!r} is not an integer"))
            return None
        if "minimum" in schema and number < schema["minimum"]:
            problems.append(Problem("query", param.name, f"must be at least {schema['minimum']}"))
            return None
        if "maximum" in schema and number > schema["maximum"]:
            problems.append(Problem("query", param.name, f"must be at most {schema['maximum']}"))
            return None
        return number
    if kind == "boolean":
        if raw not in ("true", "false"):
            problems.append(Problem("query", param.name, f"{raw!r} is not true or false"))
            return None
        return raw == "true"
    if "enum" in schema and raw not in schema["enum"]:
        problems.append(Problem("query", param.name, f"{raw!r} is not one of {schema['enum']}"))
        return None
    if schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            problems.append(Problem("query", param.name, f"{raw!r} is not an ISO 8601 date-time"))
            return None
    return raw


def _check_body(op: spec.Operation, request: CapturedRequest, result: Analysis) -> None:
    if not request.body:
        result.problems.append(Problem("body", "body", "is required but not supplied"))
        return
    if media_type(_header(request.headers, "content-type")) != "application/json":
        result.problems.append(Problem("header", "Content-Type", "must be application/json", 415))
        return
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        result.problems.append(Problem("body", "body", f"is not valid JSON ({exc})"))
        return
    assert op.body is not None
    for error in sorted(op.body.iter_errors(body), key=lambda e: [str(p) for p in e.path]):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".")
        result.problems.append(Problem("body", where or "body", error.message))
    result.body = body


def _check_semantics(op: spec.Operation, result: Analysis) -> None:
    """Rules the model states in its descriptions rather than its schemas."""
    query, body = result.query, result.body
    writes = ("putListingsItem", "patchListingsItem")
    preview = query.get("mode") == "VALIDATION_PREVIEW"
    if op.operation_id in writes and "identifiers" in query.get("includedData", ()) and not preview:
        message = "'identifiers' can only be requested with mode=VALIDATION_PREVIEW"
        result.problems.append(Problem("query", "includedData", message))
    if op.operation_id == "patchListingsItem" and isinstance(body, dict):
        for i, patch in enumerate(body.get("patches") or ()):
            if not isinstance(patch, dict):
                continue
            path = patch.get("path")
            if isinstance(path, str) and not ATTRIBUTE_PATH.match(path):
                result.problems.append(
                    Problem(
                        "body", f"patches[{i}].path", f"{path!r} is not /attributes/<top-level attribute>"
                    )
                )
            if patch.get("op") in ("add", "replace", "merge") and "value" not in patch:
                result.problems.append(
                    Problem("body", f"patches[{i}].value", f"is required for {patch['op']!r}")
                )
