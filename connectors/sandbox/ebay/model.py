"""eBay's Sell Inventory v1 model, loaded once: its operations, their parameters, error texts and schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from connectors.sandbox.ebay.schemas import Schemas, plain

MODEL_PATH = Path(__file__).with_name("official") / "sell_inventory_v1_oas3.json"
MODEL_SHA256 = "41ebe06f1922ea409c7419101100440a7a0678f960a64fe72a7aadb174a67019"
BASE_PATH = "/sell/inventory/v1"
SCOPE_INVENTORY = "https://api.ebay.com/oauth/api_scope/sell.inventory"
SCOPE_READONLY = "https://api.ebay.com/oauth/api_scope/sell.inventory.readonly"

_PLACEHOLDER = re.compile(r"\s*\{(\w+)\}")


@dataclass(frozen=True)
class ErrorText:
    """One error the model documents for an operation: where it belongs and its message template."""

    domain: str
    category: str
    template: str

    def render(self, **values: object) -> str:
        """The message with its `{placeholders}` filled; unfilled ones are dropped."""

        def fill(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            return "" if value is None else match.group(0).replace("{" + match.group(1) + "}", str(value))

        return _PLACEHOLDER.sub(fill, self.template).strip()


@dataclass(frozen=True)
class Operation:
    """One operation of the model: how to recognise a call to it and what the call must carry."""

    id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    path_params: tuple[str, ...]
    query: frozenset[str]
    headers: tuple[str, ...]
    body: str | None
    scopes: frozenset[str]
    responses: Mapping[int, str | None]
    errors: Mapping[int, ErrorText] = field(repr=False)

    @property
    def write(self) -> bool:
        """A call that changes the seller's data (read calls accept the read-only scope)."""
        return SCOPE_READONLY not in self.scopes


def _operation(template: str, method: str, spec: Mapping[str, Any]) -> Operation:
    params = list(spec.get("parameters", []))
    path_params = tuple(p["name"] for p in params if p["in"] == "path")
    regex = re.escape(BASE_PATH + template)
    for name in path_params:
        regex = regex.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
    errors: dict[int, ErrorText] = {}
    responses: dict[int, str | None] = {}
    for status, response in spec.get("responses", {}).items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        responses[int(status)] = schema["$ref"].rsplit("/", 1)[1] if "$ref" in schema else None
        for error_id, text in response.get("x-response-codes", {}).get("errors", {}).items():
            errors.setdefault(
                int(error_id), ErrorText(text["domain"], text["category"], plain(text["description"]))
            )
    body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    scopes = {scope for entry in spec.get("security", []) for scope in entry.get("api_auth", [])}
    return Operation(
        id=spec["operationId"],
        method=method.upper(),
        template=BASE_PATH + template,
        pattern=re.compile(regex + "$"),
        path_params=path_params,
        query=frozenset(p["name"] for p in params if p["in"] == "query"),
        headers=tuple(p["name"] for p in params if p["in"] == "header" and p.get("required")),
        body=body["$ref"].rsplit("/", 1)[1] if "$ref" in body else None,
        scopes=frozenset(scopes),
        responses=responses,
        errors=errors,
    )


class Model:
    """The operations and schemas of one OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.operations = tuple(
            _operation(template, method, spec)
            for template, methods in document["paths"].items()
            for method, spec in methods.items()
        )
        self.by_id = {op.id: op for op in self.operations}
        self.schemas = Schemas(document)
        self._all_errors: dict[int, ErrorText] = {}
        for op in self.operations:
            for error_id, text in op.errors.items():
                self._all_errors.setdefault(error_id, text)

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], bool]:
        """The operation a call addresses, its path parameters, and whether the path exists at all."""
        path_known = False
        for op in self.operations:
            found = op.pattern.match(path)
            if found is None:
                continue
            path_known = True
            if op.method == method.upper():
                return op, found.groupdict(), True
        return None, {}, path_known

    def error_text(self, op: Operation | None, error_id: int) -> ErrorText | None:
        """The model's text for `error_id`, preferring the operation's own wording."""
        if op is not None and error_id in op.errors:
            return op.errors[error_id]
        return self._all_errors.get(error_id)


@cache
def load() -> Model:
    """The packaged Sell Inventory model (parsed and compiled once per process)."""
    with MODEL_PATH.open("rb") as handle:
        return Model(json.load(handle))
