"""A stack-level view of the resources: lookups by type and the links between resources.

Links come from the resource graph (a role assignment depends on the identity whose
principal ID it uses, a diagnostic setting on the resource it watches), which is what the
real engine hands a stack policy and what the offline plan records as `dependencies`.
Where a program passes a plain name instead of an output, matching on that name is the
fallback, so both styles of wiring are understood.

Properties are read with `value`: the resource's output when known, else the input the
engine handed the pack for it (analyzed.py). At a first preview the outputs lack path
parameters and hold unknowns (read-only and unset optional properties), while the inputs
still say what the program asked for; after apply the outputs are what Azure holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from .analyzed import ANALYZED_INPUTS
from .props import dig, plain, text

_ABSENT = object()

NAME_KEYS = {
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:kubernetes:ConnectedCluster": "clusterName",
    "azure-native:containerregistry:Registry": "registryName",
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:operationalinsights:Workspace": "workspaceName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
}


class StackView:
    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = list(resources)
        self._by_type: dict[str, list[PolicyResource]] = defaultdict(list)
        for resource in self.resources:
            self._by_type[resource.resource_type].append(resource)
        self._dependencies: dict[str, set[str]] = {
            r.urn: {d.urn for d in r.dependencies} for r in self.resources
        }

    def of_type(self, *types: str) -> list[PolicyResource]:
        found: list[PolicyResource] = []
        for resource_type in types:
            found.extend(self._by_type.get(resource_type, ()))
        return found

    def has_prefix(self, prefix: str) -> bool:
        return any(resource_type.startswith(prefix) for resource_type in self._by_type)

    @property
    def is_azure_plan(self) -> bool:
        """The resources include Azure infrastructure (not only Kubernetes manifests)."""
        return self.has_prefix("azure-native:")

    def depends_on(self, resource: PolicyResource, other: PolicyResource) -> bool:
        return other.urn in self._dependencies.get(resource.urn, ())

    def linked(self, resource: PolicyResource, other: PolicyResource) -> bool:
        return self.depends_on(resource, other) or self.depends_on(other, resource)

    def linked_of(
        self, resource: PolicyResource, candidates: Iterable[PolicyResource]
    ) -> list[PolicyResource]:
        return [c for c in candidates if self.linked(resource, c)]

    def value(self, resource: PolicyResource, *path: str | int, default: Any = None) -> Any:
        return resource_value(resource, *path, default=default)

    def known_text(self, resource: PolicyResource, *path: str | int) -> str:
        """A string property, or "" when absent or not known before apply."""
        try:
            return text(resource_value(resource, *path))
        except UnknownValueError:
            return ""

    def sources(self, resource: PolicyResource, key: str) -> set[str]:
        """URNs of the resources whose outputs the input `key` was computed from."""
        return {source.urn for source in resource.property_dependencies.get(key) or []}

    def derived_from(self, resource: PolicyResource, key: str, *types: str) -> bool:
        """The input `key` is computed from outputs of resources of `types` only.

        The engine hands stack policies each resource's property dependencies (which
        resources every input was computed from); an input unknown at preview is an output
        of those resources still to be created.
        """
        sources = resource.property_dependencies.get(key) or []
        return bool(sources) and all(s.resource_type in types for s in sources)


def resource_value(resource: PolicyResource, *path: str | int, default: Any = None) -> Any:
    """`path` in the resource's outputs when known throughout, else in its analyzed inputs.

    Raises UnknownValueError when neither tells (an input computed from an output that is
    unknown at preview).
    """
    inputs = ANALYZED_INPUTS.get(resource.urn)
    try:
        found = dig(resource.props, *path, default=_ABSENT)
        if found is not _ABSENT:
            plain(found)  # raises while anything inside is unknown
            return found
    except UnknownValueError:
        if inputs is None:
            raise
    if inputs is None:
        return default
    return dig(inputs, *path, default=default)


def azure_name(resource: PolicyResource) -> str:
    """The Azure name of a resource: its name parameter, else its `name` output, else (not
    known before apply) its Pulumi name."""
    key = NAME_KEYS.get(resource.resource_type)
    for step in (key, "name"):
        if not step:
            continue
        try:
            name = text(resource_value(resource, step))
        except UnknownValueError:
            continue
        if name:
            return name
    return resource.name


def arm_id_names(arm_id: str) -> list[tuple[str, str]]:
    """`.../providers/Microsoft.X/typeA/nameA/typeB/nameB` -> [(typeA, nameA), (typeB, nameB)].

    Types are lowercased; only the part after the last /providers/ counts.
    """
    _, _, tail = arm_id.rpartition("/providers/")
    parts = [p for p in tail.split("/") if p]
    pairs: list[tuple[str, str]] = []
    for index in range(1, len(parts) - 1, 2):
        pairs.append((parts[index].lower(), parts[index + 1]))
    return pairs
