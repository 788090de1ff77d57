"""A plan entry's properties as CrossGuard hands them to a policy, built in one pass.

The evaluator turns each entry's inputs (and outputs) into what the pack sees under the
Pulumi CLI: wire objects masked (sources/wire.py `mask`), then pulumi_policy's
`deserialize_properties`, then its `unknown_checking_proxy` (the `_DictProxy` and
`_ListProxy` objects whose access to a value unknown at preview raises UnknownValueError).
Done as three full copies, that was the largest per-resource cost of `check --plan`.

`engine_props` builds the same objects in one walk: after masking no wire signature is
left, so deserializing is a plain copy, and each proxy is built where the copy is made,
with the property path pulumi_policy records (keys and list indexes as strings). Anything
outside that reasoning (a signature key left without a signature, a resource reference
whose URN is not a string, a top level that is not an object) takes the library's own
three steps, so the result is always what they give; a test compares both over the
shipped plans and crafted wire values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import _DictProxy, _ListProxy, unknown_checking_proxy

from .sources.wire import ASSET_SIGS, OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG_KEY, mask
from .sources.wire import SECRET_MARK as _SECRET_MARK


class _Unusual(Exception):
    """A value the one-pass builder does not model: use the library's steps."""


def engine_props(raw: Any) -> Any:
    """`unknown_checking_proxy(deserialize_properties(mask(dict(raw))))`, `raw` not a
    mapping read as {}."""
    if not isinstance(raw, Mapping):
        raw = {}
    top = dict(raw)
    if SIG_KEY in top:
        return _library(top)
    try:
        return _DictProxy({key: _walk(top[key], [str(key)]) for key in top}, [])
    except _Unusual:
        return _library(top)


def _library(top: dict[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(mask(top)))


def _walk(value: Any, path: list[str]) -> Any:
    """mask, deserialize and proxy of one value at `path` (see the module doc)."""
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature is None:
            if SIG_KEY in value:
                raise _Unusual  # kept by mask, refused by deserialize
            return _DictProxy(
                {key: _walk(item, [*path, str(key)]) for key, item in value.items()}, path
            )
        if signature == SECRET_SIG:
            return _SECRET_MARK
        if signature == RESOURCE_SIG:
            urn = value.get("urn")
            if urn is not None and not isinstance(urn, str):
                raise _Unusual  # mask keeps it unmasked: leave it to the library
            return urn
        if signature == OUTPUT_SIG:
            return _SECRET_MARK if value.get("secret") else _walk(value.get("value"), path)
        if signature in ASSET_SIGS:
            return "[asset]"
        return _DictProxy(
            {key: _walk(item, [*path, str(key)]) for key, item in value.items() if key != SIG_KEY},
            path,
        )
    if isinstance(value, list):
        return _ListProxy(
            [_walk(item, [*path, str(index)]) for index, item in enumerate(value)], path
        )
    return value
