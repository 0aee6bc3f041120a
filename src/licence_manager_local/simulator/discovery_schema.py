"""Validate bodies against the schemas of the discovery document google-api-python-client ships.

The discovery schemas are turned into JSON Schema: `$ref` becomes a local definition,
int32 an integer and int64 a string of digits (that is how Google puts 64-bit numbers on
the wire), and every object that lists `properties` without declaring
`additionalProperties` gets `additionalProperties: false`, so a body with a field the
real API does not have is rejected rather than silently accepted.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Final

import jsonschema
from googleapiclient.discovery_cache import get_static_doc

_INT_RANGES: Final[dict[str, tuple[int, int]]] = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
}
_INT64_PATTERN: Final = r"^-?[0-9]+$"


class SchemaViolation(ValueError):
    def __init__(self, schema_name: str, problems: list[str]) -> None:
        super().__init__(
            f"body does not match discovery schema {schema_name}: " + "; ".join(problems)
        )
        self.schema_name = schema_name
        self.problems = problems


class DiscoverySchemas:
    def __init__(self, discovery_doc: dict[str, Any]) -> None:
        definitions = {name: _convert(s) for name, s in discovery_doc["schemas"].items()}
        self._definitions = definitions
        self._validators: dict[str, jsonschema.Draft7Validator] = {}

    def names(self) -> list[str]:
        return sorted(self._definitions)

    def json_schema(self, name: str) -> dict[str, Any]:
        """A standalone JSON Schema for one discovery schema."""
        if name not in self._definitions:
            raise KeyError(f"no schema {name!r} in the discovery document")
        return {"$ref": f"#/definitions/{name}", "definitions": self._definitions}

    def problems(self, name: str, body: Any) -> list[str]:
        validator = self._validators.get(name)
        if validator is None:
            validator = jsonschema.Draft7Validator(self.json_schema(name))
            self._validators[name] = validator
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in validator.iter_errors(body)
        ]

    def validate(self, name: str, body: Any) -> None:
        problems = self.problems(name, body)
        if problems:
            raise SchemaViolation(name, problems)


@cache
def schemas_for(api: str, version: str) -> DiscoverySchemas:
    """The schemas of one discovery document google-api-python-client ships, e.g.
    ("admin", "directory_v1"), ("licensing", "v1"), ("admin", "reports_v1")."""
    doc = get_static_doc(api, version)
    if doc is None:
        raise RuntimeError(f"google-api-python-client does not ship {api}.{version}.json")
    return DiscoverySchemas(json.loads(doc))


def reseller_schemas() -> DiscoverySchemas:
    return schemas_for("reseller", "v1")


def _convert(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"$ref": f"#/definitions/{schema['$ref']}"}
    kind = schema.get("type")
    fmt = schema.get("format")
    out: dict[str, Any] = {}
    if kind == "integer":
        out["type"] = "integer"
        if fmt in _INT_RANGES:
            out["minimum"], out["maximum"] = _INT_RANGES[fmt]
    elif kind == "string" and fmt in ("int64", "uint64"):
        out.update(type="string", pattern=_INT64_PATTERN)
    elif kind == "any" or kind is None:
        pass
    else:
        out["type"] = kind
    if "enum" in schema:
        out["enum"] = schema["enum"]
    if "items" in schema:
        out["items"] = _convert(schema["items"])
    if "properties" in schema:
        out["properties"] = {k: _convert(v) for k, v in schema["properties"].items()}
        out["additionalProperties"] = False
    if "additionalProperties" in schema:
        out["additionalProperties"] = _convert(schema["additionalProperties"])
    return out
