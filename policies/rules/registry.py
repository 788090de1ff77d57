"""Container registry: no shared credentials, Premium features on, kubelets pull by identity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import dig, is_true, text
from .roles import ACR_PULL, role_guid
from .view import StackView, arm_id_names, azure_name

MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
REGISTRY = "azure-native:containerregistry:Registry"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"


def admin_user_disabled(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if is_true(dig(props, "adminUserEnabled")):
        yield "adminUserEnabled is true: a shared admin password can push and pull"


def anonymous_pull_disabled(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if is_true(dig(props, "anonymousPullEnabled")):
        yield "anonymousPullEnabled is true: anyone who can reach the registry can pull"


def premium_sku(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    sku = dig(props, "sku", "name")
    if sku != "Premium":
        yield f"sku.name is {sku or 'not set'} (expected Premium)"


def untagged_retention(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    status = text(dig(props, "policies", "retentionPolicy", "status")).lower()
    if status != "enabled":
        yield "policies.retentionPolicy.status is not enabled: untagged manifests are kept forever"


def export_disabled(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    # The API default is enabled, so only an explicit "disabled" passes.
    status = text(dig(props, "policies", "exportPolicy", "status")).lower()
    if status != "disabled":
        yield "policies.exportPolicy.status is not disabled: images can be exported"


def kubelet_acr_pull(view: StackView, _: PolicySettings) -> Findings:
    registries = view.of_type(REGISTRY)
    pulls = [
        a
        for a in view.of_type(ROLE_ASSIGNMENT)
        if role_guid(text(view.value(a, "roleDefinitionId"))) == ACR_PULL
    ]
    grants = _AcrPullGrants(view, pulls, registries)
    for cluster in view.of_type(MANAGED_CLUSTER):
        covered = grants.of(cluster)
        if covered.count() == len(registries):
            continue
        for registry in registries:
            if not covered.includes(registry):
                yield (
                    (
                        f"the kubelet identity of {azure_name(cluster)} holds no AcrPull on "
                        f"registry {azure_name(registry)}"
                    ),
                    cluster.urn,
                )


class _Reach:
    """The registries a group of AcrPull assignments targets: by dependency, or by the
    registry name in their scope (the two ways `_grants` accepts)."""

    def __init__(self, grants: _AcrPullGrants, assignments: Iterable[PolicyResource]) -> None:
        view = grants.view
        self.names: set[str] = set()
        linked: dict[int, PolicyResource] = {}
        for assignment in assignments:
            self.names.update(_scope_registry_names(view, assignment))
            for urn in view.dependency_urns(assignment):
                for registry in grants.registries_by_urn.get(urn, ()):
                    linked[id(registry)] = registry
        self.linked = set(linked)
        # Reached by dependency only (not already by name): what counting must add.
        self.extra = [r for r in linked.values() if grants.name_of(r) not in self.names]


class _Covered:
    """What one cluster's kubelet may pull from: the union of a few `_Reach` sets."""

    def __init__(self, grants: _AcrPullGrants, reaches: list[_Reach]) -> None:
        self._grants = grants
        self._reaches = reaches

    def includes(self, registry: PolicyResource) -> bool:
        name = self._grants.name_of(registry)
        return any(id(registry) in r.linked or name in r.names for r in self._reaches)

    def count(self) -> int:
        """How many of the plan's registries are covered, each counted once."""
        names: set[str] = set()
        for reach in self._reaches:
            names |= reach.names
        by_name = self._grants.registries_by_name
        extra = {
            id(registry)
            for reach in self._reaches
            for registry in reach.extra
            if self._grants.name_of(registry) not in names
        }
        return sum(len(by_name.get(name, ())) for name in names) + len(extra)


class _AcrPullGrants:
    """Which AcrPull assignments grant a cluster's kubelet identity (see `_grants`), indexed
    once so each cluster costs only the assignments that can grant it.

    An assignment grants the cluster when it depends on the cluster; else, when both the
    cluster's kubelet object ID and the assignment's principal ID are known, when they are
    equal; else when the principal ID comes from exactly one identity of this plan, the
    same one the cluster's identityProfile comes from.
    """

    def __init__(
        self, view: StackView, pulls: list[PolicyResource], registries: list[PolicyResource]
    ) -> None:
        self.view = view
        self._pulls = {id(a) for a in pulls}
        self._names = {id(r): azure_name(r) for r in registries}
        self.registries_by_name: dict[str, list[PolicyResource]] = defaultdict(list)
        self.registries_by_urn: dict[str, list[PolicyResource]] = defaultdict(list)
        for registry in registries:
            self.registries_by_name[self._names[id(registry)]].append(registry)
            self.registries_by_urn[registry.urn].append(registry)
        identities = {r.urn for r in view.of_type(IDENTITY)}
        by_principal: dict[str, list[PolicyResource]] = defaultdict(list)
        by_source_unnamed: dict[str, list[PolicyResource]] = defaultdict(list)
        by_source: dict[str, list[PolicyResource]] = defaultdict(list)
        for assignment in pulls:
            principal = view.known_text(assignment, "principalId")
            if principal:
                by_principal[principal].append(assignment)
            granted = view.sources(assignment, "principalId")
            if len(granted) == 1:
                [source] = granted
                if source in identities:
                    by_source[source].append(assignment)
                    if not principal:
                        by_source_unnamed[source].append(assignment)
        self._reach_by_principal = {k: _Reach(self, v) for k, v in by_principal.items()}
        self._reach_by_source = {k: _Reach(self, v) for k, v in by_source.items()}
        self._reach_by_source_unnamed = {k: _Reach(self, v) for k, v in by_source_unnamed.items()}

    def name_of(self, registry: PolicyResource) -> str:
        return self._names[id(registry)]

    def of(self, cluster: PolicyResource) -> _Covered:
        view = self.view
        direct = [a for a in view.dependents(cluster, ROLE_ASSIGNMENT) if id(a) in self._pulls]
        reaches = [_Reach(self, direct)]
        kubelet = view.known_text(cluster, "identityProfile", "kubeletidentity", "objectId")
        if kubelet and kubelet in self._reach_by_principal:
            reaches.append(self._reach_by_principal[kubelet])
        # A principal ID and kubelet object ID not both known at preview: the property
        # dependencies tell which identity each one comes from.
        by_source = self._reach_by_source_unnamed if kubelet else self._reach_by_source
        for source in sorted(view.sources(cluster, "identityProfile")):
            if source in by_source:
                reaches.append(by_source[source])
        return _Covered(self, reaches)


def _scope_registry_names(view: StackView, assignment: PolicyResource) -> list[str]:
    return [n for t, n in arm_id_names(view.known_text(assignment, "scope")) if t == "registries"]


def _grants(
    view: StackView, assignment: PolicyResource, cluster: PolicyResource, registry: PolicyResource
) -> bool:
    """The assignment targets the registry and the cluster's (kubelet) identity.

    By the dependency graph first: at a first preview the scope (a path parameter) and the
    kubelet's object ID are computed from outputs not known yet. One triple at a time; the
    stack policy uses the indexes of `_AcrPullGrants`, which decide the same.
    """
    on_registry = view.depends_on(assignment, registry) or (
        ("registries", azure_name(registry))
        in [(t, n) for t, n in arm_id_names(view.known_text(assignment, "scope"))]
    )
    if not on_registry:
        return False
    if view.depends_on(assignment, cluster):
        return True
    kubelet = view.known_text(cluster, "identityProfile", "kubeletidentity", "objectId")
    principal = view.known_text(assignment, "principalId")
    if kubelet and principal:
        return principal == kubelet
    # At a first preview both are the kubelet identity's principal ID, unknown until that
    # identity exists: the property dependencies tell which identity each one comes from.
    granted = view.sources(assignment, "principalId")
    [source] = granted if len(granted) == 1 else [None]
    return (
        source is not None
        and source in view.sources(cluster, "identityProfile")
        and any(r.urn == source for r in view.of_type(IDENTITY))
    )


RULES = [
    resource_rule("ACR-REG-01", admin_user_disabled),
    resource_rule("ACR-REG-02", anonymous_pull_disabled),
    resource_rule("ACR-REG-03", premium_sku),
    resource_rule("ACR-REG-04", untagged_retention),
    resource_rule("ACR-REG-05", export_disabled),
    stack_rule("ACR-REG-06", kubelet_acr_pull),
]
