"""The properties azure-native reports for a resource at a first `pulumi preview`.

At a preview the engine asks the provider to Create with `preview: true`. pulumi-azure-native
answers without calling Azure (provider/pkg/provider/provider.go, `Create`: "Calculate the
preview of outputs using the current inputs and marking all other response properties as
computed", `k.converter.PreviewOutputs(inputs, res.Response)`; provider/pkg/convert/
previewOutputs.go; pulumi/pulumi-azure-native @ 006a62afe453 and 604cfd525f96). Its rules,
as `preview_outputs` applies them:

- The outputs hold the resource's *response* properties only. An input that is not one is
  absent: path parameters (`resourceGroupName`, `pricingName`, `configName`, ...) and
  write-only body properties.
- A response property the inputs set keeps the input value when its type matches: a named
  object type recursively (with that type's response properties), a map per value, an array
  per item, an untyped or `Any` value as given. A type mismatch is unknown.
- Every other response property is unknown: the read-only ones (`name`, `type`,
  `provisioningState`, principal IDs, ...) and the optional ones the inputs leave unset,
  top-level and nested alike.
- There is no resource ID (it is unknown until Azure answers).

The engine passes these outputs to stack policies (AnalyzeStack) and the checked inputs to
resource policies (Analyze): pulumi/pulumi pkg/resource/deploy/step_generator.go,
`analyzeAll` ("Properties: inputs") and `AnalyzeResources` ("AnalyzeStack is called on the
final outputs of each resource"). An input computed from another resource's unknown output
is itself unknown in Analyze; running the program in dry-run mode with these outputs
reproduces exactly that (see mocks.PlatformMocks).

The response properties and their types are read from the pinned pulumi_azure_native SDK,
which pulumi-azure-native generates from the same provider metadata: the resource class's
output getters and the nested `...Response` output types, through the Pulumi SDK's own
type machinery (`pulumi._types.resource_types` / `output_type_types`).

An unknown travels as the engine's sentinel string (pulumi.runtime.rpc.UNKNOWN,
"04da6b54-..."), which pulumi_policy's unknown-checking proxy turns into
UnknownValueError on access, as under `pulumi preview --policy-pack`.
"""

from __future__ import annotations

import collections.abc
import copy
import functools
import importlib
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi import _types as pulumi_types
from pulumi.runtime.rpc import UNKNOWN, is_rpc_secret

from bootstrap.arm_types import resource_id

AZURE_NATIVE = "azure-native"
_SDK_PACKAGE = "pulumi_azure_native"
_SEQUENCES = (collections.abc.Sequence, list, tuple)
_MAPPINGS = (collections.abc.Mapping, dict)


def is_unknown(value: Any) -> bool:
    """The engine's unknown: the sentinel string, or the SDK's Unknown in dry-run inputs."""
    if isinstance(value, str):
        return value == UNKNOWN
    return type(value).__name__ == "Unknown" and type(value).__module__.startswith("pulumi.")


def preview_outputs(type_token: str, inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """azure-native's preview outputs for a create, or None for another provider's type."""
    shape = response_shape(type_token)
    if shape is None:
        return None
    return _object(inputs, shape)


@functools.cache
def response_shape(type_token: str) -> dict[str, Any] | None:
    """Response property name -> type for an azure-native type token (None if not one)."""
    provider, _, rest = type_token.partition(":")
    module, _, name = rest.partition(":")
    if provider != AZURE_NATIVE or not module or not name:
        return None
    try:
        resource_class = getattr(importlib.import_module(f"{_SDK_PACKAGE}.{module}"), name)
    except (ImportError, AttributeError):
        return None
    return dict(pulumi_types.resource_types(resource_class))


@functools.cache
def _type_shape(output_type: type) -> dict[str, Any]:
    return dict(pulumi_types.output_type_types(output_type))


def _object(inputs: Mapping[str, Any], shape: Mapping[str, Any]) -> dict[str, Any]:
    """previewOutputs.go `PreviewOutputs`: one entry per response property."""
    return {
        name: _value(inputs[name], typ) if name in inputs else UNKNOWN
        for name, typ in shape.items()
    }


def _value(value: Any, typ: Any) -> Any:
    """previewOutputs.go `previewOutputValue`: the input when its type fits, else unknown."""
    if is_unknown(value):
        return UNKNOWN
    if is_rpc_secret(value):
        # The engine keeps a secret input's output secret; the wrapper travels as it is, so
        # the plan shows "[secret]" and never the value.
        return value
    if typ is bool:
        return value if isinstance(value, bool) else UNKNOWN
    if typ in (int, float):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return value if number else UNKNOWN
    if typ is str:
        return value if isinstance(value, str) else UNKNOWN
    origin = typing.get_origin(typ)
    arguments = typing.get_args(typ)
    if origin in _SEQUENCES:
        if not isinstance(value, list | tuple):
            return UNKNOWN
        item = arguments[0] if arguments else Any
        return [_value(element, item) for element in value]
    if origin in _MAPPINGS:
        if not isinstance(value, Mapping):
            return UNKNOWN
        item = arguments[1] if len(arguments) == 2 else Any
        return {key: _value(element, item) for key, element in value.items()}
    if isinstance(typ, type) and pulumi_types.is_output_type(typ):
        return _object(value, _type_shape(typ)) if isinstance(value, Mapping) else UNKNOWN
    # `Any` (pulumi.json#/Any), a oneOf union or an untyped property: the input as given.
    return value


def preview_plan(
    resources: Sequence[Mapping[str, Any]], subscription_id: str
) -> list[dict[str, Any]]:
    """A plan of known values (recorded after apply), as a first preview hands it over.

    For plans not produced by running the program in preview mode (the mutation table's
    synthetic plan): a string input equal to the ARM ID of another Azure resource of the
    plan is taken as computed from it (`other.id` in a program), so it is unknown at preview
    with a property dependency on that resource; azure-native resources get their preview
    outputs. Running the program with `run_stack(preview=True)` needs no such inference.
    """
    ids = {
        resource_id(
            str(entry["type"]), dict(entry.get("inputs") or {}), subscription_id
        ).lower(): str(entry["urn"])
        for entry in resources
        if str(entry.get("type", "")).startswith(f"{AZURE_NATIVE}:")
    }
    shaped = []
    for entry in resources:
        urn = str(entry["urn"])
        sources: dict[str, set[str]] = {}
        inputs = {
            key: _unknown_ids(value, ids, urn, sources.setdefault(key, set()))
            for key, value in (entry.get("inputs") or {}).items()
        }
        result = copy.deepcopy(dict(entry))
        result["inputs"] = inputs
        outputs = preview_outputs(str(entry["type"]), inputs)
        if outputs is not None:
            result["outputs"] = outputs
        found = {key: sorted(urns) for key, urns in sources.items() if urns}
        if found:
            result["propertyDependencies"] = found
            result["dependencies"] = sorted(
                set(result.get("dependencies") or ()) | {u for urns in found.values() for u in urns}
            )
        shaped.append(result)
    return shaped


def _unknown_ids(value: Any, ids: Mapping[str, str], own: str, sources: set[str]) -> Any:
    if isinstance(value, str):
        source = ids.get(value.lower())
        if source is not None and source != own:
            sources.add(source)
            return UNKNOWN
        return value
    if isinstance(value, Mapping):
        return {key: _unknown_ids(item, ids, own, sources) for key, item in value.items()}
    if isinstance(value, list):
        return [_unknown_ids(item, ids, own, sources) for item in value]
    return value


__all__ = ["UNKNOWN", "is_unknown", "preview_outputs", "preview_plan", "response_shape"]
