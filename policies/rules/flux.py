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
    """An extension or Flux configuration installed on `cluster` (by reference or by name).

    One pair at a time: a stack policy looping over clusters uses `installed_on` and the
    view's referrer helpers instead (one pass per name, not per pair).
    """
    if view.depends_on(resource, cluster):
        return True
    return cluster_reference(view, resource) in cluster_names(cluster)


def cluster_reference(view: StackView, resource: PolicyResource) -> tuple[str, str]:
    """The cluster an extension or Flux configuration names: (clusterName, kind).

    clusterName and clusterResourceName are path parameters: inputs only.
    """
    kind = view.known_text(resource, "clusterResourceName").lower()
    return view.known_text(resource, "clusterName"), kind


def cluster_names(cluster: PolicyResource) -> list[tuple[str, str]]:
    """How an extension or Flux configuration names `cluster` (see cluster_reference)."""
    return [(azure_name(cluster), CLUSTER_RESOURCE_NAMES[cluster.resource_type])]


def extension_type(extension: PolicyResource) -> str:
    return text(resource_value(extension, "extensionType")).lower()


def flux_on_every_cluster(view: StackView, _: PolicySettings) -> Findings:
    for extension in view.of_type(EXTENSION):
        extension_type(extension)  # every extension's type is read first, as before
    for cluster in view.of_type(MANAGED_CLUSTER, CONNECTED_CLUSTER):
        name = azure_name(cluster)
        names = cluster_names(cluster)
        if not view.any_referrer(
            cluster, EXTENSION, _is_flux_extension, by=cluster_reference, names=names
        ):
            yield f"cluster {name} has no {FLUX_EXTENSION} extension", cluster.urn
        if not view.any_referrer(
            cluster, FLUX_CONFIGURATION, _anything, by=cluster_reference, names=names
        ):
            yield f"cluster {name} has no FluxConfiguration", cluster.urn
        elif not view.any_referrer(
            cluster, FLUX_CONFIGURATION, _reconciling, by=cluster_reference, names=names
        ):
            yield (
                (
                    f"no FluxConfiguration of cluster {name} reconciles a path of the "
                    "repository (kustomizations are empty or suspended)"
                ),
                cluster.urn,
            )


def _is_flux_extension(_: StackView, extension: PolicyResource) -> bool:
    return extension_type(extension) == FLUX_EXTENSION


def _anything(_: StackView, __: PolicyResource) -> bool:
    return True


def _reconciling(_: StackView, configuration: PolicyResource) -> bool:
    return _reconciles(configuration)


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
