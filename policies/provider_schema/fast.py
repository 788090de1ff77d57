"""A compiled yes/no answer to "does this body validate?", for the common case: it does.

jsonschema's `iter_errors` interprets the schema anew for every resource (a validator
object per nested value, references looked up in a registry); that is most of the cost of
ARM-SCH-01 over a large plan. Most bodies are valid, and for a valid body the answer needs
no error list. So each prepared schema is compiled once into plain Python closures that
answer only "valid or not", with exactly the semantics jsonschema gives the keywords as
`validate.arm_validator_class` applies them (Draft 4, `$ref` siblings ignored, formats not
checked, integral floats are integers, unknown keywords ignored). A body the closures
call invalid goes through jsonschema for the error list, so the findings are jsonschema's
own, unchanged.

The compiler covers the keywords the vendored ARM schemas use. A schema that uses any
other Draft 4 keyword, a reference outside the document or a form these closures do not
model raises Unsupported, and that type keeps using jsonschema for every body. A test
checks that both answers agree over the shipped stacks and mutated bodies of every type.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Draft 4 keywords jsonschema applies, which these closures do not model.
_UNMODELLED = frozenset(
    {
        "additionalItems",
        "dependencies",
        "maxItems",
        "minItems",
        "maxProperties",
        "minProperties",
        "multipleOf",
        "patternProperties",
        "uniqueItems",
    }
)


class Unsupported(Exception):
    """The schema uses something the closures do not model: use jsonschema for it."""


def compile_schema(document: dict[str, Any], pointer: str) -> Check:
    """The yes/no check of `{**document, "$ref": "#/<pointer>"}` (how validate.py builds
    its validator); raises Unsupported."""
    return _Compiler(document).compile({"$ref": f"#/{pointer}"})


def _is_integer(instance: Any) -> bool:
    # As validate._is_integer: JSON numbers arrive as doubles, so 3.0 is an integer.
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


def _is_number(instance: Any) -> bool:
    return not isinstance(instance, bool) and isinstance(instance, numbers.Number)


_TYPES: dict[str, Check] = {
    "array": lambda instance: isinstance(instance, list),
    "boolean": lambda instance: isinstance(instance, bool),
    "integer": _is_integer,
    "null": lambda instance: instance is None,
    "number": _is_number,
    "object": lambda instance: isinstance(instance, dict),
    "string": lambda instance: isinstance(instance, str),
}


def _always(_: Any) -> bool:
    return True


def _every(checks: list[Check]) -> Check:
    """All of the checks (unrolled for the usual one to three: this runs per value)."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda instance: first(instance) and second(instance)
    if len(checks) == 3:
        first, second, third = checks
        return lambda instance: first(instance) and second(instance) and third(instance)
    return lambda instance: all(check(instance) for check in checks)


def _raise(error: Unsupported) -> Check:
    def check(_: Any) -> bool:
        raise error

    return check


class _Compiler:
    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._compiled: dict[int, Check] = {}

    def compile(self, schema: Any) -> Check:
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r} is not an object")
        key = id(schema)
        done = self._compiled.get(key)
        if done is not None:
            return done
        # A reference cycle reaches this schema again while it is compiled: call through.
        pending: list[Check] = []
        self._compiled[key] = lambda instance: pending[0](instance)
        check = self._build(schema)
        pending.append(check)
        self._compiled[key] = check
        return check

    def _resolve(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/") or "~" in ref or "%" in ref:
            raise Unsupported(f"reference {ref!r}")
        target: Any = self._document
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                raise Unsupported(f"reference {ref!r} does not resolve")
            target = target[part]
        return target

    def _build(self, schema: dict[str, Any]) -> Check:
        if "$ref" in schema:  # Draft 4: a reference replaces every sibling keyword
            try:
                target = self._resolve(schema["$ref"])
            except Unsupported as unsupported:
                # Only a body that reaches this reference needs jsonschema (which resolves
                # it, or fails, its own way): the check raises, the caller falls back.
                return _raise(unsupported)
            return self.compile(target)
        unmodelled = _UNMODELLED.intersection(schema)
        if unmodelled:
            raise Unsupported(f"keywords {sorted(unmodelled)}")
        if isinstance(schema.get("id"), str):
            raise Unsupported("a nested `id` (Draft 4 moves the base of references)")
        checks: list[Check] = []
        if "type" in schema:
            checks.append(self._type(schema["type"]))
        if "enum" in schema:
            checks.append(_enum(schema["enum"]))
        for keyword in ("pattern", "minLength", "maxLength"):
            if keyword in schema:
                checks.append(_string_check(keyword, schema[keyword]))
        if "minimum" in schema or "maximum" in schema:
            checks.append(_range(schema))
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            checks.append(self._object(schema))
        if "items" in schema:
            checks.append(self._items(schema["items"]))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in schema:
                checks.append(self._combination(keyword, schema[keyword]))
        if "not" in schema:
            inner = self.compile(schema["not"])
            checks.append(lambda instance: not inner(instance))
        return _every(checks)

    def _type(self, types: Any) -> Check:
        names = [types] if isinstance(types, str) else types
        if not isinstance(names, list) or not all(n in _TYPES for n in names):
            raise Unsupported(f"type {types!r}")
        if len(names) == 1:
            return _TYPES[names[0]]
        tests = [_TYPES[n] for n in names]
        return lambda instance: any(test(instance) for test in tests)

    def _object(self, schema: dict[str, Any]) -> Check:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not isinstance(required, list):
            raise Unsupported("properties or required of an unexpected form")
        children = {name: self.compile(child) for name, child in properties.items()}
        if isinstance(extra, dict):
            extra_check: Check | None = self.compile(extra)
            closed = False
        elif isinstance(extra, bool):
            extra_check, closed = None, not extra
        else:
            raise Unsupported(f"additionalProperties {extra!r}")

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            for name in required:
                if name not in instance:
                    return False
            for name, value in instance.items():
                child = children.get(name)
                if child is not None:
                    if not child(value):
                        return False
                elif closed or (extra_check is not None and not extra_check(value)):
                    return False
            return True

        return check

    def _items(self, items: Any) -> Check:
        if not isinstance(items, dict):
            raise Unsupported("items as a list (tuple validation)")
        each = self.compile(items)
        return lambda instance: not isinstance(instance, list) or all(each(i) for i in instance)

    def _combination(self, keyword: str, schemas: Any) -> Check:
        if not isinstance(schemas, list) or not schemas:
            raise Unsupported(f"{keyword} {schemas!r}")
        checks = [self.compile(s) for s in schemas]
        if keyword == "allOf":
            return _every(checks)
        if keyword == "anyOf":
            return lambda instance: any(c(instance) for c in checks)
        return lambda instance: sum(1 for c in checks if c(instance)) == 1


def _enum(values: Any) -> Check:
    if not isinstance(values, list):
        raise Unsupported(f"enum {values!r}")
    # jsonschema's `equal`: a string equals only an equal string; other values compare
    # without bool/int confusion.
    strings = frozenset(v for v in values if isinstance(v, str))

    def check(instance: Any) -> bool:
        if isinstance(instance, str):
            return instance in strings
        from jsonschema._utils import equal  # rare: loaded only for a non-string value

        return any(equal(value, instance) for value in values)

    return check


def _string_check(keyword: str, value: Any) -> Check:
    if keyword == "pattern":
        if not isinstance(value, str):
            raise Unsupported(f"pattern {value!r}")
        search = re.compile(value).search
        return lambda instance: not isinstance(instance, str) or search(instance) is not None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unsupported(f"{keyword} {value!r}")
    if keyword == "minLength":
        return lambda instance: not isinstance(instance, str) or len(instance) >= value
    return lambda instance: not isinstance(instance, str) or len(instance) <= value


def _range(schema: dict[str, Any]) -> Check:
    low, high = schema.get("minimum"), schema.get("maximum")
    for keyword in ("minimum", "maximum"):
        if keyword in schema and not _is_number(schema[keyword]):
            raise Unsupported(f"{keyword} {schema[keyword]!r}")
    low_open = bool(schema.get("exclusiveMinimum", False))
    high_open = bool(schema.get("exclusiveMaximum", False))

    def check(instance: Any) -> bool:
        if not _is_number(instance):
            return True
        if low is not None and (instance <= low if low_open else instance < low):
            return False
        return not (high is not None and (instance >= high if high_open else instance > high))

    return check
