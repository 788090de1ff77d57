"""A stack-level view of the resources: lookups by type and the links between resources.

Links come from the resource graph (a role assignment depends on the identity whose
principal ID it uses, a diagnostic setting on the resource it watches), which is what the
real engine hands a stack policy and what the offline plan records as `dependencies`.
Where a program passes a plain name instead of an output, matching on that name is the
fallback, so both styles of wiring are understood.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pulumi_policy import PolicyResource

from .props import dig, text

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


def azure_name(resource: PolicyResource) -> str:
    """The Azure name of a resource: its name input, else its Pulumi name."""
    key = NAME_KEYS.get(resource.resource_type)
    value = text(dig(resource.props, key)) if key else ""
    # Under the real engine a stack policy sees outputs, where the Azure name is `name`.
    return value or text(dig(resource.props, "name")) or resource.name


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
