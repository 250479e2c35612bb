"""TOP on the wire: a captured HTTP request taken apart into parameters and files, answers put together.

System parameters travel in the query string, business parameters in a form-encoded body, or a multipart one
when a file such as `image` is attached. Empty values count as absent, as in signing. Answers are JSON when
`format=json`, else XML (TOP's default), the same tree either way.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from connectors.sandbox.top.errors import Problem, invalid

MAX_BODY_BYTES = 8 * 1024 * 1024
JSON_TYPE = "application/json;charset=UTF-8"
XML_TYPE = "text/xml;charset=UTF-8"


@dataclass(frozen=True)
class Captured:
    """One HTTP request as sent: method, path, raw query string, headers and body bytes."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def of(cls, method: str, url: str, headers: Mapping[str, str | bytes], body: object) -> Captured:
        """From a full URL, e.g. a `requests.PreparedRequest`'s `method`, `url`, `headers` and `body`."""
        parts = urlsplit(url)
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
        elif isinstance(body, bytes | bytearray):
            data = bytes(body)
        else:
            raise TypeError(f"only str or bytes bodies can be captured, not {type(body).__name__}")
        text = {k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in headers.items()}
        return cls(method.upper(), parts.path, parts.query, text, data)

    def header(self, name: str) -> str | None:
        """A header by name, in any case."""
        value = self.headers.get(name)
        if value is not None:
            return value
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    """The parameters (text) and files of a request, or the problem that stopped taking it apart."""

    params: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    problem: Problem | None = None


def parse(request: Captured) -> Parsed:
    """Query string plus body as TOP parameters; a parameter given twice or a bad body is a problem."""
    parsed = Parsed()
    try:
        pairs = parse_qsl(request.query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        parsed.problem = Problem(47, None, "the query string is not UTF-8")
        return parsed
    if request.body:
        problem = _parse_body(request, pairs, parsed.files)
        if problem:
            parsed.problem = problem
            return parsed
    for name, value in pairs:
        if name in parsed.params or name in parsed.files:
            parsed.problem = invalid(name, f"{name} is given more than once")
            return parsed
        if value != "":
            parsed.params[name] = value
    return parsed


def _parse_body(request: Captured, pairs: list[tuple[str, str]], files: dict[str, Upload]) -> Problem | None:
    if len(request.body) > MAX_BODY_BYTES:
        return invalid("body", f"the request body is larger than {MAX_BODY_BYTES} bytes")
    content_type, options = parse_options_header(request.header("content-type") or "")
    charset = options.get(b"charset", b"utf-8").decode("latin-1").lower()
    if content_type == b"application/x-www-form-urlencoded":
        if charset not in ("utf-8", "utf8"):
            return Problem(47, None, f"form bodies must be UTF-8, not {charset[:20]}")
        try:
            text = request.body.decode("utf-8")
            pairs += parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return Problem(47, None, "the form body is not UTF-8")
        return None
    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            return invalid("Content-Type", "multipart/form-data without a boundary")
        return _parse_multipart(request.body, boundary, pairs, files)
    shown = content_type.decode("latin-1")[:60] or "none"
    return invalid(
        "Content-Type",
        f"business parameters go form-encoded or multipart/form-data, not Content-Type {shown}",
    )


def _parse_multipart(
    body: bytes, boundary: bytes, pairs: list[tuple[str, str]], files: dict[str, Upload]
) -> Problem | None:
    parts: list[tuple[dict[bytes, bytes], bytearray]] = []
    header: list[bytearray] = []
    ended: list[bool] = []

    def on_part_begin() -> None:
        parts.append(({}, bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        if not header:
            header.extend((bytearray(), bytearray()))
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        parts[-1][0][bytes(header[0]).lower()] = bytes(header[1])
        header.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_end": lambda: ended.append(True),
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        return invalid("body", "the multipart body is malformed")
    if not ended:
        return invalid("body", "the multipart body ends before its closing boundary")
    for headers, data in parts:
        _, disposition = parse_options_header(headers.get(b"content-disposition"))
        raw_name = disposition.get(b"name")
        if raw_name is None:
            return invalid("body", "a multipart part has no name")
        try:
            name = raw_name.decode("utf-8")
            if b"filename" in disposition:
                if name in files:
                    return invalid(name, f"{name} is given more than once")
                filename = disposition[b"filename"].decode("utf-8")
                content_type = headers.get(b"content-type", b"application/octet-stream").decode("latin-1")
                files[name] = Upload(filename, content_type, bytes(data))
            else:
                pairs.append((name, data.decode("utf-8")))
        except UnicodeDecodeError:
            return Problem(47, None, "a multipart field is not UTF-8")
    return None


_ids = itertools.count(1)
_prefix = os.urandom(3).hex()


def request_id() -> str:
    """A short id for one answer, unique within the process."""
    return f"{_prefix}{next(_ids):x}"


def render(tree: Mapping[str, object], fmt: str) -> tuple[bytes, str]:
    """The answer body and its content type: JSON for `json`, else XML."""
    if fmt == "json":
        return json.dumps(tree, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), JSON_TYPE
    ((root, value),) = tree.items()
    return ('<?xml version="1.0" encoding="utf-8" ?>' + _xml(root, value)).encode("utf-8"), XML_TYPE


def _xml(name: str, value: object) -> str:
    if isinstance(value, Mapping):
        attrs = ""
        if len(value) == 1 and isinstance(next(iter(value.values())), list):
            attrs = ' list="true"'
        return f"<{name}{attrs}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{name}>"
    if isinstance(value, list):
        return "".join(_xml(name, one) for one in value)
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"
