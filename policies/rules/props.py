"""Reading resource properties defensively.

Properties arrive as plain dicts and lists or as pulumi_policy's unknown-checking proxies
(Mappings and Sequences that raise UnknownValueError when a value is not known at
preview). These helpers only use the Mapping / Sequence protocols, so both work, an
unknown value still raises, and a malformed manifest (a string where a list belongs)
reads as absent instead of crashing a policy.

`preview_dig` is the one deliberate exception: it answers PENDING for a value that is set
but not known before apply (an input computed from another resource's output), for checks
that can decide from "it is set" alone or that leave the value itself to apply time. The
latter are counted (`deferred_count`), so the evaluator can tell which controls left a part
of their judgement to `pulumi up`; the catalog marks those controls (`atApply`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

_MISSING = object()


class _Pending:
    def __repr__(self) -> str:
        return "PENDING"


# A value that is set but unknown at preview: computed from an output of a resource that
# does not exist yet. CrossGuard runs the resource policy again when `pulumi up` registers
# the resource, with the value known, before the resource is created.
PENDING: Any = _Pending()

_deferred = [0]


def deferred_count() -> int:
    """How many values so far were left to apply time (monotonic; compare before/after)."""
    return _deferred[0]


def is_map(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def dig(value: Any, *path: str | int, default: Any = None) -> Any:
    """`dig(props, "a", "b", 0)` is props["a"]["b"][0], or `default` where a step is missing."""
    node = value
    for step in path:
        if isinstance(step, int):
            if not is_list(node) or not -len(node) <= step < len(node):
                return default
            node = node[step]
        else:
            if not is_map(node):
                return default
            node = node.get(step, _MISSING)
            if node is _MISSING:
                return default
    return node if node is not None else default


def preview_dig(
    value: Any, *path: str | int, default: Any = None, judged_at_apply: bool = True
) -> Any:
    """`dig`, but PENDING instead of UnknownValueError when the value is unknown at preview.

    `judged_at_apply=False` for checks that decide from "the value is set" alone.
    """
    try:
        return dig(value, *path, default=default)
    except UnknownValueError:
        if judged_at_apply:
            _deferred[0] += 1
        return PENDING


def get_ci(mapping: Any, key: str, default: Any = None) -> Any:
    """A key looked up case-insensitively (AKS add-on names vary in case across API versions)."""
    if not is_map(mapping):
        return default
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for candidate in mapping:
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return mapping[candidate]
    return default


def items(value: Any) -> list[Any]:
    """The elements of a list, or [] for anything else."""
    return list(value) if is_list(value) else []


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def plain(value: Any) -> Any:
    """A deep plain-Python copy (unknown values raise while copying, as any access does)."""
    if is_map(value):
        return {key: plain(value[key]) for key in value}
    if is_list(value):
        return [plain(item) for item in value]
    return value
