"""ARM-SCH-01: each Azure resource as Azure will judge it, before anything is sent.

The offline engine's mocks accept whatever the program declares; Azure does not. This rule
checks the request body pulumi-azure-native would send for each resource against
Microsoft's published ARM schema for the API version it uses (policies/provider_schema),
one finding per problem, named by the SDK input path. A type with no vendored schema is
itself a finding, so a new resource type cannot slip past the check. Tokens the pinned SDK
does not define (only possible in plan files written by other tools or SDK versions) are out
of scope: nothing here knows which API version sent them.

The resource's inputs are read raw (CrossGuard's unknown-checking proxy unwrapped): a
value unknown at preview is skipped, never reported, and never makes the whole resource
"cannot be decided".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy.proxy import _DictProxy, _ListProxy

from ..provider_schema.validate import MissingSchema, check, in_scope
from ..settings import PolicySettings
from .base import resource_rule


def raw(value: Any) -> Any:
    """A plain copy of CrossGuard's proxied props, unknown sentinels kept as they are."""
    # The shapes props are made of, first (cheaper than the general protocol below).
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is _DictProxy:
        target = value["__target"]
        return {key: raw(target[key]) for key in target}
    if kind is _ListProxy or kind is list:
        target = value["__target"] if kind is _ListProxy else value
        return [raw(item) for item in target]
    if kind is dict:
        return {key: raw(value[key]) for key in value}
    if isinstance(value, Mapping):
        target = value["__target"] if _is_proxy(value) else value
        return {key: raw(target[key]) for key in target}
    if not isinstance(value, str | bytes) and hasattr(value, "__getitem__"):
        try:
            target = value["__target"]
        except (TypeError, KeyError, IndexError):
            target = value
        if isinstance(target, list | tuple):
            return [raw(item) for item in target]
    return value


def _is_proxy(value: Mapping[str, Any]) -> bool:
    try:
        value["__target"]
    except KeyError:
        return False
    return not isinstance(value, dict)


def matches_arm_schema(
    resource_type: str, props: Mapping[str, Any], _: PolicySettings
) -> Iterator[str]:
    if not in_scope(resource_type):
        return
    try:
        problems = check(resource_type, raw(props))
    except MissingSchema as missing:
        yield str(missing)
        return
    for problem in problems:
        yield str(problem)


RULES = [resource_rule("ARM-SCH-01", matches_arm_schema, typed=True)]
