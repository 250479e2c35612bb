"""Check one captured Sell Inventory call against eBay's model: a pure function returning the problems found.

The sandbox refuses calls with problems in eBay's error shape; connector tests use the same check on every
request they send (`check_prepared(response.request)`), so both sides hold to one reading of the contract.
A problem carries eBay's errorId and message (from the model's own error texts where it has them), the field
at fault, the HTTP status eBay answers with, and for bulk calls the index of the entry at fault when only that
entry fails (eBay then answers 207 with per-entry results).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from jsonschema import ValidationError

from connectors.sandbox.ebay import browse, enums, rules
from connectors.sandbox.ebay.model import Operation, load
from connectors.sandbox.ebay.problems import Problem, problem, unreadable

_CONSTRAINTS = {"maxLength", "minLength", "minimum", "maximum", "maxItems", "minItems", "propertyNames"}
_PAGING = {"limit", "offset"}
TOKEN_PATH = "/identity/v1/oauth2/token"
# Grant types eBay's token endpoint takes, and the form fields each needs.
_GRANTS = {
    "refresh_token": ("refresh_token",),
    "client_credentials": (),
    "authorization_code": ("code", "redirect_uri"),
}


def check_request(
    method: str,
    path: str,
    query: Mapping[str, str] | Iterable[tuple[str, str]] | str | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | Any = None,
) -> list[Problem]:
    """Every problem with one call; `path` may be a full URL (its query string is used too).

    Browse searches are checked against the shape written out in `browse.py`. Calls to the OAuth token
    endpoint are checked too (as eBay documents it: Basic client authentication,
    a form body with a supported `grant_type`); their problems have errorId 0 and the OAuth error code.
    """
    parts = urlsplit(path)
    if parts.path == TOKEN_PATH:
        return _token_call(method, headers or {}, body)
    pairs = _pairs(query) + parse_qsl(parts.query, keep_blank_values=True)
    if parts.path == browse.SEARCH_PATH:
        return browse.search_problems(method, dict(pairs), headers or {})
    op, path_params, _ = load().match(method, unquote(parts.path))
    if op is None:
        return [Problem(2002, "Resource not found", parts.path, status=404, domain="ACCESS")]
    return check_call(op, path_params, pairs, headers or {}, body)[0]


def check_prepared(prepared: Any) -> list[Problem]:
    """Every problem with a `requests.PreparedRequest` (e.g. `response.request`)."""
    return check_request(prepared.method, prepared.url, None, dict(prepared.headers), prepared.body)


def check_call(
    op: Operation,
    path_params: Mapping[str, str],
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes | str | Any,
) -> tuple[list[Problem], Any]:
    """The problems with a call already matched to `op`, and its body as parsed JSON (None if none)."""
    lower = {name.lower(): value for name, value in headers.items()}
    found: list[Problem] = []
    found += _authorization(lower.get("authorization"))
    found += _headers(op, lower)
    found += _path(op, path_params)
    found += _query(op, list(query))
    data = None
    if op.body is not None:
        data, body_problems = _body(op, body)
        found += body_problems
        if not body_problems:
            found += rules.check(op, data)
    return found, data


def _token_call(method: str, headers: Mapping[str, str], body: bytes | str | Any) -> list[Problem]:
    lower = {name.lower(): value for name, value in headers.items()}

    def oauth(code: str, field: str, status: int = 400) -> Problem:
        return Problem(0, f"{code}: {field} is missing or malformed", field, status=status, domain="OAuth")

    found = []
    if method.upper() != "POST":
        found.append(oauth("invalid_request", "method", 405))
    if not lower.get("authorization", "").lower().startswith("basic "):
        found.append(oauth("invalid_client", "Authorization", 401))
    if lower.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        found.append(oauth("invalid_request", "Content-Type"))
    text = body.decode(errors="replace") if isinstance(body, bytes | bytearray) else str(body or "")
    form = dict(parse_qsl(text, keep_blank_values=True))
    grant = form.get("grant_type")
    if grant not in _GRANTS:
        found.append(oauth("unsupported_grant_type" if grant else "invalid_request", "grant_type"))
    for name in _GRANTS.get(grant or "", ()):
        if not form.get(name):
            found.append(oauth("invalid_request", name))
    return found


def _pairs(query: Mapping[str, str] | Iterable[tuple[str, str]] | str | None) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, str):
        return parse_qsl(query.lstrip("?"), keep_blank_values=True)
    if isinstance(query, Mapping):
        return [(str(k), str(v)) for k, v in query.items()]
    return [(str(k), str(v)) for k, v in query]


def _authorization(value: str | None) -> list[Problem]:
    if not value:
        return [Problem(1002, "Missing access token", "Authorization", status=401, domain="OAuth")]
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return [Problem(1001, "Invalid access token", "Authorization", status=401, domain="OAuth")]
    return []


def _headers(op: Operation, lower: Mapping[str, str]) -> list[Problem]:
    found = []
    for name in op.headers:
        value = lower.get(name.lower(), "").strip()
        if name == "Content-Type":
            ok = value.split(";")[0].strip().lower() == "application/json"
        elif name == "Content-Language":
            ok = value in enums.CONTENT_LANGUAGES
        else:
            ok = bool(value)
        if not ok:
            found.append(problem(op, 25709, f"header {name}"))
    return found


def _path(op: Operation, params: Mapping[str, str]) -> list[Problem]:
    found = []
    for name, value in params.items():
        if name == "sku":
            found += rules.sku(op, value, "sku")
        elif name == "merchantLocationKey" and len(value) > 36:
            found.append(problem(op, 25709, name, additionalInfo="At most 36 characters."))
    return found


def _query(op: Operation, pairs: list[tuple[str, str]]) -> list[Problem]:
    found = []
    seen: set[str] = set()
    for name, value in pairs:
        if name not in op.query:
            found.append(
                problem(op, 25709, name, additionalInfo="The operation takes no such query parameter.")
            )
        elif name in seen:
            found.append(problem(op, 25709, name, additionalInfo="Given more than once."))
        seen.add(name)
        if name in _PAGING and not _paging_ok(op, name, value):
            error_id = 25706 if 25706 in op.errors else 25709
            found.append(problem(op, error_id, name, additionalInfo=f"{name}={value!r} is not allowed."))
        elif (name == "format" and value not in enums.FORMATS) or (
            name == "marketplace_id" and value not in enums.MARKETPLACES
        ):
            found.append(problem(op, 25709, name))
        elif name == "sku":
            found += rules.sku(op, value, "sku")
    return found


def _paging_ok(op: Operation, name: str, value: str) -> bool:
    if not value.isdigit():
        return False
    number = int(value)
    if name == "offset":
        return True
    top = 200 if op.id == "getInventoryItems" else 2**31 - 1
    return 1 <= number <= top


def _body(op: Operation, body: bytes | str | Any) -> tuple[Any, list[Problem]]:
    if body is None or body == b"" or body == "":
        return None, [unreadable("", "The request has no body; this call requires one.")]
    data = body
    if isinstance(body, bytes | bytearray | str):
        try:
            data = json.loads(body)
        except ValueError:
            return None, [unreadable("", "The request body is not valid JSON.")]
    assert op.body is not None
    schemas = load().schemas
    if schemas.fast(op.body)(data):
        return data, []
    return data, [_schema_problem(op, e) for e in schemas.validator(op.body).iter_errors(data)]


def _dotted(path: Iterable[object]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_problem(op: Operation, e: ValidationError) -> Problem:
    where = _dotted(e.absolute_path)
    item = None
    steps = list(e.absolute_path)
    if len(steps) >= 2 and steps[0] == "requests" and isinstance(steps[1], int):
        item = steps[1]
    if e.validator == "additionalProperties":
        allowed = set(e.schema.get("properties", {}))
        extra = sorted(set(e.instance) - allowed) if isinstance(e.instance, dict) else []
        names = ", ".join(f"{where}.{name}" if where else name for name in extra)
        return unreadable(names, f"Unrecognized field(s) [{names}]: the model has no such field.")
    if e.validator not in _CONSTRAINTS:
        return unreadable(where, f"Could not serialize field [{where}]: {_expected(e)}")
    return problem(op, 25709, where, item=item, additionalInfo=_limit(e))


def _expected(e: ValidationError) -> str:
    if e.validator == "type":
        return f"expected {e.validator_value}."
    if e.validator == "enum":
        values = list(e.validator_value)
        shown = ", ".join(values[:20]) + (", ..." if len(values) > 20 else "")
        return f"expected one of {shown}."
    if e.validator == "pattern":
        return f"expected a value matching {e.validator_value}."
    return "not a valid value."


def _limit(e: ValidationError) -> str:
    value = e.validator_value
    return {
        "maxLength": f"At most {value} characters.",
        "minLength": f"At least {value} characters.",
        "minimum": f"At least {value}.",
        "maximum": f"At most {value}.",
        "maxItems": f"At most {value} entries.",
        "minItems": f"At least {value} entries.",
        "propertyNames": "Aspect names are at most 40 characters.",
    }.get(str(e.validator), "Not allowed.")
