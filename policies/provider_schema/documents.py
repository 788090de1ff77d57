"""The vendored ARM JSON schemas, loaded once and prepared for offline validation.

Files under data/schemas/<apiVersion>/ hold definitions copied unchanged from
Azure/azure-resource-manager-schemas (data/SOURCES.json records repository, commit, path and
blob of each; tools/vendor_arm_schemas.py writes them). Two decisions adapt ARM's schema
dialect to values that a Pulumi program sends, and both make the check stricter, never
looser:

- Template expressions. ARM schemas accept, for almost every value, either the value or a
  template expression string `[...]` (`oneOf` with common/definitions.json#/definitions/
  expression). Only the template engine evaluates expressions; the REST API that
  pulumi-azure-native calls takes literal values, and a string `[...]` would satisfy every
  type and enum check. So the expression alternative is removed and the value must match
  the literal alternative.
- Unknown properties. ARM schemas leave objects open (no `additionalProperties: false`),
  but resource providers reject a member they do not know ("Could not find member 'x' on
  object of type 'y'", ARM's InvalidRequestContent). Every object that lists its
  properties and declares no `additionalProperties` is closed; dictionaries (objects with
  `additionalProperties`) stay as the schema declares them. A polymorphic type (base
  `properties` beside a `oneOf` of object variants, such as ACR's TaskStepProperties whose
  Docker, EncodedTask and FileTask steps share contextPath) is closed per variant: each
  variant gets the base's properties, and the base itself stays open, since a body
  matching one variant carries the base's members too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")
SCHEMA_DIR = DATA_DIR / "schemas"
SOURCES_FILE = DATA_DIR / "SOURCES.json"
EXCEPTIONS_FILE = DATA_DIR / "exceptions.json"
SOURCE_REPOSITORY = "https://github.com/Azure/azure-resource-manager-schemas"
EXPRESSION_REF = (
    "https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression"
)
_SCHEMA_LISTS = ("oneOf", "anyOf", "allOf")


def schema_path(api_version: str, schema_file: str) -> Path:
    return SCHEMA_DIR / api_version / f"{schema_file}.json"


@cache
def load(api_version: str, schema_file: str) -> dict[str, Any] | None:
    """The prepared document, or None when nothing is vendored for that version."""
    path = schema_path(api_version, schema_file)
    if not path.is_file():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("id", None)  # references stay inside the vendored file
    return prepare(document)


def prepare(node: Any) -> Any:
    """A copy of a schema document with expressions removed and objects closed (see above)."""
    if isinstance(node, list):
        return [prepare(item) for item in node]
    if not isinstance(node, dict):
        return node
    # Until stable: some schemas nest the choice (severity of scheduledQueryRules
    # 2025-01-01-preview is oneOf[oneOf[number, expression], expression]).
    previous: Any = None
    while node is not previous:
        previous, node = node, _without_expression(node)
    node = _merged_variants(node)
    prepared: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "definitions") or key.endswith("esourceDefinitions"):
            prepared[key] = (
                {name: prepare(child) for name, child in value.items()}
                if isinstance(value, dict)
                else value
            )
        elif key in ("items", "additionalProperties", "not", *_SCHEMA_LISTS):
            prepared[key] = prepare(value)
        else:
            prepared[key] = value
    if (
        isinstance(prepared.get("properties"), dict)
        and "additionalProperties" not in prepared
        and "oneOf" not in prepared
    ):
        prepared["additionalProperties"] = False
    return prepared


def _merged_variants(node: dict[str, Any]) -> dict[str, Any]:
    """Base properties copied into each object variant of a polymorphic type (see above)."""
    base = node.get("properties")
    variants = node.get("oneOf")
    if not isinstance(base, dict) or not isinstance(variants, list):
        return node
    if not all(isinstance(v, dict) and isinstance(v.get("properties"), dict) for v in variants):
        return node
    merged = [{**v, "properties": {**base, **v["properties"]}} for v in variants]
    return {**node, "oneOf": merged}


def _without_expression(node: dict[str, Any]) -> dict[str, Any]:
    alternatives = node.get("oneOf")
    if not isinstance(alternatives, list):
        return node
    literal = [a for a in alternatives if not _is_expression(a)]
    if len(literal) == len(alternatives):
        return node
    rest = {key: value for key, value in node.items() if key != "oneOf"}
    if len(literal) == 1:
        return {**rest, **literal[0]}
    return {**rest, "oneOf": literal}


def _is_expression(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("$ref") == EXPRESSION_REF


def local_refs(node: Any) -> Iterator[str]:
    """JSON pointers (without '#/') of every in-document $ref below node."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            yield ref[2:]
        for value in node.values():
            yield from local_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from local_refs(item)


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follows in-document $refs until a schema that is not a bare reference."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node = target
        seen += 1
    return node
