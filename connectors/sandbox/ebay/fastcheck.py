"""A fast yes/no validator for the JSON Schema subset `schemas` produces, compiled into closures.

Valid bodies (nearly every call) are accepted here in a few microseconds; only an invalid body goes on to
`jsonschema`, which names every problem. Keywords follow JSON Schema draft 7: each applies only to values of
its own type, and an integer may be written as a float with no fraction (`1.0`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or float(v).is_integer()),
}


def compile_schema(schema: Mapping[str, Any], definitions: Mapping[str, Any] | None = None) -> Check:
    """A function answering whether a value is valid against `schema` (`definitions` for `$ref`s)."""
    return _Compiler(definitions or schema.get("definitions", {})).compile(schema)


class _Compiler:
    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self.definitions = definitions
        self.named: dict[str, Check] = {}

    def _ref(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[1]

        def check(value: Any) -> bool:
            found = self.named.get(name)
            if found is None:
                found = self.named[name] = self.compile(self.definitions[name])
            return found(value)

        return check

    def compile(self, schema: Mapping[str, Any]) -> Check:
        if "$ref" in schema:
            return self._ref(schema["$ref"])
        checks: list[Check] = []
        kind = schema.get("type")
        if kind is not None:
            kinds = [_TYPES[k] for k in ([kind] if isinstance(kind, str) else kind)]
            checks.append(lambda v: any(k(v) for k in kinds))
        if "enum" in schema:
            allowed = list(schema["enum"])
            checks.append(lambda v: v in allowed)
        checks += self._strings(schema) + self._numbers(schema) + self._objects(schema) + self._arrays(schema)
        return lambda v: all(check(v) for check in checks)

    @staticmethod
    def _strings(schema: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "maxLength" in schema:
            top = schema["maxLength"]
            out.append(lambda v: not isinstance(v, str) or len(v) <= top)
        if "minLength" in schema:
            bottom = schema["minLength"]
            out.append(lambda v: not isinstance(v, str) or len(v) >= bottom)
        if "pattern" in schema:
            pattern = re.compile(schema["pattern"])
            out.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)
        return out

    @staticmethod
    def _numbers(schema: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "minimum" in schema:
            low = schema["minimum"]
            out.append(lambda v: not _is_number(v) or v >= low)
        if "maximum" in schema:
            high = schema["maximum"]
            out.append(lambda v: not _is_number(v) or v <= high)
        return out

    def _objects(self, schema: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        extra_check = None if isinstance(extra, bool) else self.compile(extra)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, value in v.items():
                known = properties.get(key)
                if known is not None:
                    if not known(value):
                        return False
                elif extra is False or (extra_check is not None and not extra_check(value)):
                    return False
                if names is not None and not names(key):
                    return False
            return True

        if properties or extra is not True or names is not None:
            out.append(check)
        return out

    def _arrays(self, schema: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        if isinstance(schema.get("items"), Mapping):
            each = self.compile(schema["items"])
            out.append(lambda v: not isinstance(v, list) or all(each(x) for x in v))
        if "maxItems" in schema:
            most = schema["maxItems"]
            out.append(lambda v: not isinstance(v, list) or len(v) <= most)
        if "minItems" in schema:
            least = schema["minItems"]
            out.append(lambda v: not isinstance(v, list) or len(v) >= least)
        return out
