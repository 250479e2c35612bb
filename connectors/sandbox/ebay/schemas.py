"""The model's OpenAPI 3.0 schemas as strict JSON Schema, converted once and compiled once per schema.

The model declares types only: no `required`, no enums, no lengths. What its descriptions state plainly is
added here so that the sandbox can hold requests to it:

- objects take only the properties the model lists (`additionalProperties: false`);
- strings whose description says "Max length: N" get `maxLength: N`;
- properties whose description names an eBay enumeration (`slr:ConditionEnum` ...) get its values;
- `int32` integers stay in range, quantities are not negative, currencies are three capital letters;
- `Product.aspects`, typed `string` in the model but documented (with an example) as a map of names to
  lists of values, is checked as that map, with the documented 40 / 50 character limits.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft7Validator

from connectors.sandbox.ebay import enums
from connectors.sandbox.ebay.fastcheck import Check, compile_schema

_TAG = re.compile(r"<[^>]+>")
_MAX_LENGTH = re.compile(r"max(?:imum)?\s*length\s*:\s*(\d[\d,]*)", re.IGNORECASE)
_ENUM = re.compile(r"slr:(\w+Enum)")
_INT32 = {"minimum": -(2**31), "maximum": 2**31 - 1}
_NOT_NEGATIVE = {"quantity", "availableQuantity"}

_ASPECTS = {
    "type": "object",
    "propertyNames": {"maxLength": 40},
    "additionalProperties": {"type": "array", "items": {"type": "string", "maxLength": 50}},
}


def plain(text: str) -> str:
    """A model description without its HTML markup."""
    return " ".join(_TAG.sub(" ", text).replace("&nbsp;", " ").split())


def _property(name: str, node: Mapping[str, Any]) -> dict[str, Any]:
    out = _convert(node)
    description = plain(node.get("description", ""))
    kind = node.get("type")
    if name == "aspects" and kind == "string":
        return dict(_ASPECTS)
    if kind == "string":
        lengths = _MAX_LENGTH.findall(description)
        if lengths:
            out["maxLength"] = int(lengths[0].replace(",", ""))
        for enum_name in _ENUM.findall(node.get("description", "")):
            values = enums.BY_NAME.get(enum_name)
            if values is not None:
                out["enum"] = sorted(values)
                break
    if kind == "integer" and name in _NOT_NEGATIVE:
        out["minimum"] = 0
    return out


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": "#/definitions/" + node["$ref"].rsplit("/", 1)[1]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("description", "example", "x-response-codes"):
            continue
        if key == "properties":
            out[key] = {name: _property(name, sub) for name, sub in value.items()}
        elif key == "nullable":
            continue
        else:
            out[key] = _convert(value)
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if out.get("type") == "integer" and node.get("format") == "int32":
        out = {**_INT32, **out}
    if "properties" in out:
        out.setdefault("type", "object")
        out["additionalProperties"] = False
    return out


def _definitions(model: Mapping[str, Any]) -> dict[str, Any]:
    definitions = {name: _convert(schema) for name, schema in model["components"]["schemas"].items()}
    amount = definitions.get("Amount", {}).get("properties", {})
    if "currency" in amount:
        amount["currency"]["pattern"] = "^[A-Z]{3}$"
    return definitions


def _inline(node: Any, definitions: Mapping[str, Any], stack: tuple[str, ...]) -> Any:
    """Replace references by their schemas (faster to validate); a cycle keeps its reference."""
    if isinstance(node, list):
        return [_inline(item, definitions, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[1]
        if name in stack:
            return node
        return _inline(definitions[name], definitions, (*stack, name))
    return {key: _inline(value, definitions, stack) for key, value in node.items()}


class Schemas:
    """Compiled validators for the model's component schemas, built on first use and kept."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.definitions = _definitions(model)
        self._validators: dict[str, Draft7Validator] = {}
        self._fast: dict[str, Check] = {}

    def schema(self, name: str) -> dict[str, Any]:
        """The strict, self-contained JSON Schema for component `name`."""
        inlined = _inline(self.definitions[name], self.definitions, (name,))
        if '"$ref"' in json.dumps(inlined):
            inlined["definitions"] = copy.deepcopy(self.definitions)
        return inlined

    def fast(self, name: str) -> Check:
        """A quick yes/no check of component `name` (ask `validator` for what is wrong)."""
        found = self._fast.get(name)
        if found is None:
            found = self._fast[name] = compile_schema(self.schema(name), self.definitions)
        return found

    def validator(self, name: str) -> Draft7Validator:
        found = self._validators.get(name)
        if found is None:
            found = self._validators[name] = Draft7Validator(self.schema(name))
        return found
