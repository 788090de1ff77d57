"""A resource's azure-native inputs as the ARM request body the provider sends.

pulumi-azure-native does not send its inputs as they are (provider/pkg/gen/properties.go,
genProperties, and the request builder in provider/pkg/convert):

- path and query parameters (resourceGroupName, the resource's own name, its parents'
  names, an extension resource's scope) are part of the URL, not the body;
- a property the REST spec marks `x-ms-client-flatten` (the `properties` envelope of
  almost every resource, and of many nested objects such as a subnet or a security rule)
  is not an SDK input: its children are inputs of the enclosing object, and the provider
  nests them back under the container when it builds the body. Where the spec does not
  flatten (Key Vault's `properties`, a deployment's `properties`), the SDK input is called
  `properties` and is sent as it is;
- `etag` is never an input;
- a map whose values have only read-only properties (user-assigned identities) is a list
  of its keys in the SDK, sent as `{key: {}}`.

The ARM schema keeps the wire nesting, so the body is rebuilt by walking the inputs along
the schema: an input that is a property of the object stays where it is; one that is a
property of the object's `properties` envelope, when the inputs have no `properties` of
their own, goes into that envelope (what the flattening did, undone); anything else is
left where it stands, under the envelope if there is one, for the validator to name as
unknown. Without a schema (a type nothing is vendored for) the same rule runs with the
envelope convention alone. Values unknown at preview and masked secrets are left out of the
body and remembered, so a check never judges a value nobody knows yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy.proxy import _is_unknown

from ..arm_types import ArmType
from ..sources.wire import SECRET_MARK
from .documents import resolve

ENVELOPE = "properties"
# Top-level fields of an ARM resource outside its properties envelope (used only where no
# schema is vendored; with a schema, the schema says which fields are top level).
TOP_LEVEL_FIELDS = ("location", "tags", "sku", "identity", "kind", "zones", "extendedLocation",
                    "plan", "managedBy", "etag")  # fmt: skip

TEMPLATE_FIELDS = ("type", "apiVersion")

WirePath = tuple[str | int, ...]


@dataclass
class ArmBody:
    body: dict[str, Any]
    # Where each value of the body came from, in the SDK's input names ("" = the resource).
    sdk_paths: dict[WirePath, str] = field(default_factory=dict)
    # Body paths whose value is unknown at preview or secret: present, but not judged.
    skipped: set[WirePath] = field(default_factory=set)
    # False when built with `paths=False`: sdk_paths and skipped were not recorded.
    located: bool = True

    def sdk_path(self, path: WirePath) -> str:
        """The SDK input path of a body path, also for one that is absent from the body."""
        if path in self.sdk_paths:
            return self.sdk_paths[path]
        if not path:
            return ""
        parent = self.sdk_path(path[:-1])
        return join(parent, path[-1])


def join(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def is_unjudgeable(value: Any) -> bool:
    """Unknown at preview (Pulumi's sentinels) or a secret masked in a plan file."""
    return value == SECRET_MARK or _is_unknown(value)


def arm_body(
    known: ArmType,
    inputs: Mapping[str, Any],
    api_version: str | None,
    document: dict[str, Any] | None = None,
    definition: Any = None,
    *,
    paths: bool = True,
) -> ArmBody:
    """The body of the PUT request for one resource (see the module doc).

    `paths=False` builds the same body without recording where each value came from (the
    bookkeeping an error message needs): for a first, yes/no validation.
    """
    result = ArmBody({}, located=paths)
    parameters = known.request_parameters
    body_inputs = {k: v for k, v in inputs.items() if k not in parameters}
    if document is None:
        result.body = _by_convention(body_inputs)
    else:
        _Walker(document, result, record=paths).object(body_inputs, definition, (), "", result.body)
    own_name = inputs.get(known.own_name_key)
    head: dict[str, Any] = {}
    if own_name is not None:
        if is_unjudgeable(own_name):
            result.skipped.add(("name",))
        else:
            head["name"] = own_name
    result.sdk_paths[("name",)] = known.own_name_key
    head["type"] = known.arm_type
    if api_version:
        head["apiVersion"] = api_version
    result.body = {**head, **result.body}
    return result


# Resolved references per schema node (nodes of cached documents; the node is kept with
# its result so its id cannot be reused while it is cached).
_RESOLVED: dict[int, tuple[Any, Any, Any]] = {}


class _Walker:
    """Builds the body; with `record`, also where each value came from (ArmBody's
    sdk_paths and skipped), which only an error message needs."""

    def __init__(self, document: dict[str, Any], result: ArmBody, record: bool = True) -> None:
        self.document = document
        self.result = result
        self.record = record

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict) or "$ref" not in node:
            return node
        held = _RESOLVED.get(id(node))
        if held is not None and held[0] is node and held[1] is self.document:
            return held[2]
        resolved = resolve(self.document, node)
        _RESOLVED[id(node)] = (node, self.document, resolved)
        return resolved

    def object(
        self,
        inputs: Mapping[str, Any],
        node: Any,
        path: WirePath,
        sdk_path: str,
        out: dict[str, Any],
    ) -> None:
        node = self.schema(node)
        own = _properties(node)
        envelope = self._envelope(inputs, node, own)
        record = self.record
        for key, value in inputs.items():
            # The template's own `type` is the resource type; an input `type` that the
            # envelope defines is a flattened property (an agent pool's type).
            template_field = not path and key in TEMPLATE_FIELDS and key in (envelope or {})
            if (key in own and not template_field) or envelope is None:
                target, child_node = out, own.get(key)
                child_path: WirePath = (*path, key) if record else ()
            else:
                target = out.setdefault(ENVELOPE, {})
                child_node = envelope.get(key)
                child_path = (*path, ENVELOPE, key) if record else ()
                if record:
                    self.result.sdk_paths.setdefault((*path, ENVELOPE), sdk_path)
            child_sdk = join(sdk_path, key) if record else ""
            if record:
                self.result.sdk_paths[child_path] = child_sdk
            if is_unjudgeable(value):
                if record:
                    self.result.skipped.add(child_path)
                continue
            target[key] = self.value(value, child_node, child_path, child_sdk)
        if envelope is not None and ENVELOPE not in out and ENVELOPE in _required(node):
            # azure-native creates a required container even when no input fills it
            # (RequiredContainers in the provider's metadata, gen/requiredContainers.go).
            out[ENVELOPE] = {}
            if record:
                self.result.sdk_paths[(*path, ENVELOPE)] = sdk_path

    def _envelope(
        self, inputs: Mapping[str, Any], node: Any, own: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The properties of the flattened envelope, or None when nothing is flattened."""
        if ENVELOPE in inputs or node is None:
            return None
        envelope = self.schema(own.get(ENVELOPE))
        if isinstance(envelope, dict) and isinstance(envelope.get("properties"), dict):
            return envelope["properties"]
        return None

    def value(self, value: Any, node: Any, path: WirePath, sdk_path: str) -> Any:
        if not isinstance(value, Mapping | list):
            return value  # a scalar is sent as it is
        node = self.schema(node)
        if isinstance(value, Mapping):
            entries = node.get("additionalProperties") if isinstance(node, dict) else None
            if isinstance(node, dict) and "properties" not in node and isinstance(entries, dict):
                return self.dictionary(value, entries, path, sdk_path)
            out: dict[str, Any] = {}
            self.object(value, node, path, sdk_path, out)
            return out
        if _is_string_set(value, node):
            # A map whose values have only read-only properties (user-assigned identities)
            # is a list of keys in the SDK; the provider sends {key: {}} (IsStringSet in
            # gen/properties.go, genProperty).
            return {key: {} for key in value}
        items = node.get("items") if isinstance(node, dict) else None
        converted = []
        for index, item in enumerate(value):
            element = self._element(item, items, path, sdk_path, index)
            if element is not _SKIPPED:
                converted.append(element)
        return converted

    def dictionary(
        self, value: Mapping[str, Any], entries: Any, path: WirePath, sdk_path: str
    ) -> dict[str, Any]:
        out = {}
        for key, item in value.items():
            element = self._element(item, entries, path, sdk_path, key)
            if element is not _SKIPPED:
                out[key] = element
        return out

    def _element(self, item: Any, node: Any, path: WirePath, sdk_path: str, step: str | int) -> Any:
        """One list item or map value, its paths recorded; _SKIPPED when it cannot be
        judged (unknown at preview, or a secret)."""
        item_path: WirePath = (*path, step) if self.record else ()
        item_sdk = join(sdk_path, step) if self.record else ""
        if self.record:
            self.result.sdk_paths[item_path] = item_sdk
        if is_unjudgeable(item):
            if self.record:
                self.result.skipped.add(item_path)
            return _SKIPPED
        return self.value(item, node, item_path, item_sdk)


# An element _element leaves out of the body.
_SKIPPED = object()


def _is_string_set(value: list[Any], node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.get("type") == "object"
        and "items" not in node
        and all(isinstance(item, str) for item in value)
    )


def _properties(node: Any) -> dict[str, Any]:
    if isinstance(node, dict) and isinstance(node.get("properties"), dict):
        return node["properties"]
    return {}


def _required(node: Any) -> list[str]:
    return list(node.get("required") or ()) if isinstance(node, dict) else []


def _by_convention(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """No schema: the ARM envelope convention (top-level fields stay, the rest is properties)."""
    body = {key: inputs[key] for key in TOP_LEVEL_FIELDS if key in inputs}
    rest = {k: v for k, v in inputs.items() if k not in TOP_LEVEL_FIELDS}
    properties = rest.pop(ENVELOPE, None)
    body[ENVELOPE] = {**rest, **properties} if isinstance(properties, Mapping) else rest
    return body
