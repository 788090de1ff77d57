"""GitOps: Flux runs on every cluster and fetches its sources over secure transports only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import dig, is_map, is_true, text
from .view import StackView, azure_name, resource_value

MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
CONNECTED_CLUSTER = "azure-native:kubernetes:ConnectedCluster"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration"
FLUX_EXTENSION = "microsoft.flux"
CLUSTER_RESOURCE_NAMES = {
    MANAGED_CLUSTER: "managedclusters",
    CONNECTED_CLUSTER: "connectedclusters",
}
GIT_SCHEMES = ("https://", "ssh://")
HELM_SCHEMES = ("https://", "oci://")
OCI_SCHEMES = ("oci://",)


def attached_to(view: StackView, resource: PolicyResource, cluster: PolicyResource) -> bool:
    """An extension or Flux configuration installed on `cluster` (by reference or by name)."""
    if view.depends_on(resource, cluster):
        return True
    # clusterName and clusterResourceName are path parameters: inputs only.
    kind = view.known_text(resource, "clusterResourceName").lower()
    return (
        view.known_text(resource, "clusterName") == azure_name(cluster)
        and kind == CLUSTER_RESOURCE_NAMES[cluster.resource_type]
    )


def extension_type(extension: PolicyResource) -> str:
    return text(resource_value(extension, "extensionType")).lower()


def flux_on_every_cluster(view: StackView, _: PolicySettings) -> Findings:
    extensions = [e for e in view.of_type(EXTENSION) if extension_type(e) == FLUX_EXTENSION]
    configurations = view.of_type(FLUX_CONFIGURATION)
    for cluster in view.of_type(MANAGED_CLUSTER, CONNECTED_CLUSTER):
        name = azure_name(cluster)
        if not any(attached_to(view, e, cluster) for e in extensions):
            yield f"cluster {name} has no {FLUX_EXTENSION} extension", cluster.urn
        mine = [c for c in configurations if attached_to(view, c, cluster)]
        if not mine:
            yield f"cluster {name} has no FluxConfiguration", cluster.urn
        elif not any(_reconciles(c) for c in mine):
            yield (
                (
                    f"no FluxConfiguration of cluster {name} reconciles a path of the "
                    "repository (kustomizations are empty or suspended)"
                ),
                cluster.urn,
            )


def _reconciles(configuration: PolicyResource) -> bool:
    if is_true(resource_value(configuration, "suspend")):
        return False
    kustomizations = resource_value(configuration, "kustomizations")
    return is_map(kustomizations) and any(
        text(dig(kustomizations[name], "path")) for name in kustomizations
    )


def secure_sources(
    resource_type: str, props: Mapping[str, Any], _: PolicySettings
) -> Iterator[str]:
    if resource_type == FLUX_CONFIGURATION:
        yield from _flux_configuration_sources(props)
        return
    kind = resource_type.rpartition(":")[2]
    spec = dig(props, "spec")
    url = text(dig(spec, "url"))
    if is_true(dig(spec, "insecure")):
        yield f"{kind} sets insecure: true"
    schemes = {
        "GitRepository": GIT_SCHEMES,
        "HelmRepository": HELM_SCHEMES,
        "OCIRepository": OCI_SCHEMES,
    }.get(kind)
    if schemes and not url.startswith(schemes):
        yield f"{kind} url '{url}' does not use {' or '.join(schemes)}"


def _flux_configuration_sources(props: Mapping[str, Any]) -> Iterator[str]:
    source = text(dig(props, "sourceKind")) or "GitRepository"
    if source == "GitRepository":
        url = text(dig(props, "gitRepository", "url"))
        if not url.startswith(GIT_SCHEMES):
            yield f"gitRepository.url '{url}' does not use https:// or ssh://"
    elif source == "Bucket":
        if is_true(dig(props, "bucket", "insecure")):
            yield "bucket.insecure is true"
    elif source == "AzureBlob":
        url = text(dig(props, "azureBlob", "url"))
        if not url.startswith("https://"):
            yield f"azureBlob.url '{url}' does not use https://"


RULES = [
    stack_rule("FLX-CLU-01", flux_on_every_cluster),
    resource_rule("FLX-SRC-01", secure_sources, typed=True),
]
