"""The compiled yes/no schema check (policies/provider_schema/fast.py) agrees with jsonschema.

ARM-SCH-01 skips jsonschema for a body the compiled check calls valid, so the two must
agree on every body: never "valid" where jsonschema finds an error. These tests compare
both answers over every Azure resource of the shipped plans (offline and at preview) and
over mutated bodies of every type: unknown properties, missing required ones, enum values
in another case, values of the wrong type or out of range.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from support import SHIPPED_STACKS, offline_run

from policies.arm_types import ARM_TYPES
from policies.provider_schema.body import arm_body
from policies.provider_schema.validate import MissingSchema, TypeSchema, type_schema

MUTATIONS_PER_TYPE = 60


def _bodies(preview: bool) -> Iterator[tuple[TypeSchema, dict[str, Any]]]:
    for stack in SHIPPED_STACKS:
        for resource in offline_run(stack, preview=preview).resources:
            if not resource["type"].startswith("azure-native:"):
                continue
            try:
                schema = type_schema(resource["type"])
            except MissingSchema:
                continue
            yield schema, _body(schema, resource["inputs"])


def _body(schema: TypeSchema, inputs: dict[str, Any]) -> dict[str, Any]:
    return arm_body(
        schema.known, inputs, schema.api_version, schema.document, schema.definition
    ).body


def _agree(schema: TypeSchema, body: Any) -> tuple[bool, bool]:
    fast: bool | None
    try:
        fast = bool(schema.valid(body)) if schema.valid else None
    except Exception:
        fast = None  # the caller then asks jsonschema: no claim made
    slow = schema.validator.is_valid(body)
    return (fast if fast is not None else slow), slow


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
        yield path, value
    else:
        yield path, value


def _set(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(body)
    node = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def _mutations(body: dict[str, Any]) -> Iterator[Any]:
    """Bodies one change away from a valid one."""
    for path, value in _leaves(body):
        if isinstance(value, dict):
            yield (
                _set(body, path, {**value, "notInTheSchema": 1})
                if path
                else {
                    **value,
                    "notInTheSchema": 1,
                }
            )
            for key in list(value)[:3]:
                smaller = {k: v for k, v in value.items() if k != key}
                yield _set(body, path, smaller) if path else smaller
        elif not path:
            continue
        elif isinstance(value, str):
            yield _set(body, path, value.swapcase())
            yield _set(body, path, 7)
            yield _set(body, path, "")
            yield _set(body, path, value * 40)
        elif isinstance(value, bool):
            yield _set(body, path, "true")
        elif isinstance(value, int | float):
            yield _set(body, path, str(value))
            yield _set(body, path, -1)
            yield _set(body, path, 10**12)
            yield _set(body, path, 1.5)
        elif isinstance(value, list):
            yield _set(body, path, [])
            yield _set(body, path, {"a": 1})


def test_every_vendored_type_compiles() -> None:
    """Each type has a compiled check (else ARM-SCH-01 quietly pays jsonschema's price)."""
    uncompiled = []
    for token in ARM_TYPES:
        try:
            schema = type_schema(token)
        except MissingSchema:
            continue
        if schema.valid is None:
            uncompiled.append(token)
    assert uncompiled == []


@pytest.mark.parametrize("preview", [False, True], ids=["plan", "preview"])
def test_shipped_bodies_get_the_same_answer(preview: bool) -> None:
    disagreements = []
    checked = 0
    for schema, body in _bodies(preview):
        fast, slow = _agree(schema, body)
        checked += 1
        if fast != slow:
            disagreements.append((schema.token, fast, slow))
    assert checked > 100
    assert disagreements == []


def test_mutated_bodies_get_the_same_answer() -> None:
    seen: dict[str, int] = {}
    disagreements = []
    invalid = 0
    for schema, body in _bodies(preview=False):
        for mutated in _mutations(body):
            if seen.get(schema.token, 0) >= MUTATIONS_PER_TYPE:
                break
            seen[schema.token] = seen.get(schema.token, 0) + 1
            fast, slow = _agree(schema, mutated)
            invalid += not slow
            if fast != slow:
                disagreements.append((schema.token, mutated, fast, slow))
    assert disagreements == []
    assert invalid > 500, "the mutations should mostly break the bodies"
