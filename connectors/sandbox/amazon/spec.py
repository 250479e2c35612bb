"""Amazon's published models, loaded and compiled once: operations, parameters and body validators."""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema

MODEL_FILES = {
    "listings": "listingsItems_2021-08-01.json",
    "feeds": "feeds_2021-06-30.json",
    "feed": "listings-feed-schema-v2.json",
    "message": "listings-feed-message-schema-v2.json",
    "report": "listings-feed-processing-report-schema-v2.json",
}


@dataclass(frozen=True)
class Parameter:
    """One Swagger 2.0 path, query or header parameter."""

    name: str
    location: str
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One operation of a model: where it lives, what it takes, and the validator of its body."""

    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    parameters: tuple[Parameter, ...]
    body: jsonschema.protocols.Validator | None
    rate: tuple[float, int] | None
    write: bool

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed model file `MODEL_FILES[name]`."""
    text = resources.files(__package__).joinpath("models", MODEL_FILES[name]).read_text("utf-8")
    return json.loads(text)


@functools.cache
def definition_validator(model: str, definition: str) -> jsonschema.protocols.Validator:
    """A draft-4 validator for `#/definitions/<definition>` of a Swagger model (Swagger 2.0 is draft 4)."""
    doc = load(model)
    schema = {"$ref": f"#/definitions/{definition}", "definitions": doc["definitions"]}
    return jsonschema.Draft4Validator(schema)


@functools.cache
def document_validator(name: str) -> jsonschema.protocols.Validator:
    """A validator for one of the JSON_LISTINGS_FEED schemas (feed, message, report)."""
    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.cache
def feed_shell_validator() -> jsonschema.protocols.Validator:
    """The feed schema without its per-message part: header and message count only, whatever the size."""
    schema = copy.deepcopy(load("feed"))
    del schema["properties"]["messages"]["items"]
    return jsonschema.Draft7Validator(schema)


_RATE = re.compile(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|")
_WRITES = {"put", "patch", "delete", "post"}


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def _parameter(raw: dict[str, Any]) -> Parameter:
    schema = {k: v for k, v in raw.items() if k not in {"name", "in", "required", "description"}}
    schema = {k: v for k, v in schema.items() if not k.startswith("x-")}
    return Parameter(raw["name"], raw["in"], bool(raw.get("required")), schema)


def _operations(model: str) -> list[Operation]:
    doc = load(model)
    found = []
    for template, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
            params = [_parameter(p) for p in [*shared, *op.get("parameters", [])] if p["in"] != "body"]
            body = next((p for p in op.get("parameters", []) if p["in"] == "body"), None)
            validator = None
            if body is not None:
                validator = definition_validator(model, body["schema"]["$ref"].rsplit("/", 1)[1])
            rate = _RATE.search(op.get("description", ""))
            found.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    template=template,
                    pattern=_template_pattern(template),
                    parameters=tuple(params),
                    body=validator,
                    rate=(float(rate.group(1)), int(rate.group(2))) if rate else None,
                    write=method in _WRITES,
                )
            )
    return found


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the Listings Items and Feeds models, body validators compiled."""
    return (*_operations("listings"), *_operations("feeds"))


@functools.cache
def operation(operation_id: str) -> Operation:
    return next(op for op in operations() if op.operation_id == operation_id)
