"""Container registry: no shared credentials, Premium features on, kubelets pull by identity."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    for cluster in view.of_type(MANAGED_CLUSTER):
        for registry in registries:
            if not any(_grants(view, a, cluster, registry) for a in pulls):
                yield (
                    (
                        f"the kubelet identity of {azure_name(cluster)} holds no AcrPull on "
                        f"registry {azure_name(registry)}"
                    ),
                    cluster.urn,
                )


def _grants(
    view: StackView, assignment: PolicyResource, cluster: PolicyResource, registry: PolicyResource
) -> bool:
    """The assignment targets the registry and the cluster's (kubelet) identity.

    By the dependency graph first: at a first preview the scope (a path parameter) and the
    kubelet's object ID are computed from outputs not known yet.
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
