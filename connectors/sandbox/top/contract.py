"""Check a captured request against TOP's contract: the gateway's rules, then the method's parameters.

A pure function over what was sent (method, path, query, headers, body) plus the app's credentials and the
time. The sandbox answers the first problem found; a connector's tests call `problems()` on every request the
connector sends and expect none. System problems (the gateway's: encoding, app key, signature, timestamp,
version, session) come first; business-parameter problems (40/41 with `isv.` sub-codes) after, because TOP
applies flow control between the two.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

from connectors.sandbox.top import model
from connectors.sandbox.top.auth import AppCredentials
from connectors.sandbox.top.categories import CATEGORIES, check_props
from connectors.sandbox.top.errors import Problem, invalid, missing
from connectors.sandbox.top.wire import Captured, Upload, parse
from connectors.top_signing import SIGN_METHODS, sign

GATEWAY_PATH = "/router/rest"
GMT8 = timezone(timedelta(hours=8))
TIMESTAMP_WINDOW_SECONDS = 600.0
SYSTEM_PARAMS = frozenset(
    {"method", "app_key", "session", "timestamp", "v", "sign_method", "sign", "format"}
    | {"partner_id", "target_app_key", "simplify"}
)


@dataclass
class Checked:
    """A request taken apart and judged: what it asks, for whom, and every problem found in order."""

    params: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    method: model.Method | None = None
    format: str = "xml"
    seller: str | None = None
    system: list[Problem] = field(default_factory=list)
    business: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.system + self.business


def problems(request: Captured, app: AppCredentials, *, now: float | None = None) -> list[Problem]:
    """Every way `request` breaks the contract; empty when the sandbox would carry it out."""
    return check(request, app, now=time.time() if now is None else now).problems


def check(
    request: Captured, app: AppCredentials, *, now: float, window: float = TIMESTAMP_WINDOW_SECONDS
) -> Checked:
    checked = Checked()
    if request.path != GATEWAY_PATH:
        checked.system.append(Problem(22, None, f"TOP serves every method at {GATEWAY_PATH}"))
    if request.method not in ("GET", "POST"):
        checked.system.append(Problem(9, None, "use GET or POST"))
        checked.format = _query_format(request)
        return checked
    parsed = parse(request)
    checked.params, checked.files = parsed.params, parsed.files
    if parsed.problem:
        checked.system.append(parsed.problem)
        checked.format = _query_format(request)
        return checked
    _check_system(checked, app, now, window)
    if checked.method is not None:
        _check_business(checked)
    return checked


def _query_format(request: Captured) -> str:
    """The answer format asked for in the query string, for requests that could not be taken apart."""
    asked = dict(parse_qsl(request.query, errors="replace")).get("format")
    return "json" if asked == "json" else "xml"


def parse_timestamp(value: str) -> float | None:
    """Seconds since the epoch from `yyyy-MM-dd HH:mm:ss` (GMT+8) or epoch milliseconds; None if neither."""
    if value.isdigit() and len(value) == 13:
        return int(value) / 1000
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=GMT8).timestamp()
    except ValueError:
        return None


def _check_system(checked: Checked, app: AppCredentials, now: float, window: float) -> None:
    params, out = checked.params, checked.system
    fmt = params.get("format", "xml")
    if fmt in ("json", "xml"):
        checked.format = fmt
    else:
        out.append(Problem(23, None, "format must be json or xml"))
    name = params.get("method")
    if name is None:
        out.append(Problem(21))
    elif name not in model.METHODS:
        out.append(Problem(22, None, f"the sandbox does not serve {name[:60]}"))
    else:
        checked.method = model.METHODS[name]
    key = params.get("app_key")
    if key is None:
        out.append(Problem(28))
    elif key != app.app_key:
        out.append(Problem(29))
    if "sign" not in params:
        out.append(Problem(24))
    stamp = params.get("timestamp")
    if stamp is None:
        out.append(Problem(30))
    else:
        when = parse_timestamp(stamp)
        if when is None:
            out.append(
                Problem(31, None, "timestamp must be yyyy-MM-dd HH:mm:ss (GMT+8) or epoch milliseconds")
            )
        elif abs(now - when) > window:
            out.append(
                Problem(31, None, f"timestamp is more than {window / 60:g} minutes from the server's time")
            )
    version = params.get("v")
    if version is None:
        out.append(Problem(32))
    elif version != "2.0":
        out.append(Problem(34, None, "v must be 2.0"))
    sign_method = params.get("sign_method")
    if sign_method is None:
        out.append(missing("sign_method", f"sign_method is required ({', '.join(SIGN_METHODS)})"))
    elif sign_method not in SIGN_METHODS:
        out.append(invalid("sign_method", f"sign_method must be one of {', '.join(SIGN_METHODS)}"))
    elif "sign" in params:
        expected = sign(params, app.app_secret, sign_method).encode("utf-8")
        if not hmac.compare_digest(expected, params["sign"].encode("utf-8")):
            out.append(Problem(25))
    if params.get("simplify", "false") != "false":
        out.append(invalid("simplify", "the sandbox answers the full (non-simplified) form only"))
    session = params.get("session")
    if session is None:
        if checked.method is None or checked.method.session:
            out.append(Problem(26))
        else:
            checked.seller = ""  # an app-level call: flow control counts it against the app
    else:
        checked.seller = app.seller_of(session)
        if checked.seller is None:
            out.append(Problem(27))


def _check_business(checked: Checked) -> None:
    method, params, files, out = checked.method, checked.params, checked.files, checked.business
    assert method is not None
    for name in params:
        if name in method.files:
            out.append(invalid(name, f"{name} must be sent as a file part of a multipart body"))
        elif name not in SYSTEM_PARAMS and name not in method.params:
            out.append(invalid(name, f"{name[:40]} is not a parameter of {method.name}"))
    for name in files:
        if name not in method.files:
            out.append(invalid(name, f"{method.name} takes no file named {name[:40]}"))
    for name in sorted(method.required - params.keys()):
        out.append(missing(name))
    for name in sorted(method.required_files - files.keys()):
        out.append(missing(name, f"{name} is required as a file part of a multipart body"))
    if method.one_of and not any(n in params or n in files for n in method.one_of):
        out.append(missing(method.one_of[0], f"one of {' or '.join(method.one_of)} is required"))
    for name, value in params.items():
        rule = method.params.get(name)
        why = rule(value) if rule else None
        if why:
            out.append(invalid(name, f"{name} {why}"))
    for name, upload in files.items():
        why = model.image(upload.data) if name in method.files else None
        if why:
            out.append(invalid(name, f"{name} {why}"))
    _check_together(method.name, params, out)


def _check_together(name: str, params: dict[str, str], out: list[Problem]) -> None:
    """Rules that tie parameters to each other; skipped for a parameter already found wrong."""
    flagged = {p.sub_code.partition(":")[2] for p in out if p.sub_code}
    if name in ("taobao.item.add", "taobao.item.update") and "cid" in params and "cid" not in flagged:
        cid = int(params["cid"])
        category = CATEGORIES.get(cid)
        if category is None or not category.leaf:
            out.append(invalid("cid", f"cid {cid} is not a leaf category of the sandbox"))
        elif "props" in params and "props" not in flagged:
            why = check_props(cid, params["props"])
            if why:
                out.append(invalid("props", f"props: {why}"))
        elif name == "taobao.item.add" and "props" not in params:
            pids = ", ".join(str(p) for p in sorted(category.required))
            out.append(missing("props", f"category {cid} requires props with properties {pids}"))
    full_update = params.get("type", "1") == "1"
    if name == "taobao.item.quantity.update" and full_update and params.get("quantity", "0").startswith("-"):
        out.append(invalid("quantity", "quantity must not be negative when type is 1 (full update)"))
    if (
        name == "taobao.item.img.upload"
        and params.get("is_major") == "true"
        and params.get("position", "0") != "0"
    ):
        out.append(invalid("position", "the major image takes position 0"))
