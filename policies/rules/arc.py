"""Azure Arc: connected clusters under the same baseline as AKS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .flux import (
    CONNECTED_CLUSTER,
    EXTENSION,
    cluster_names,
    cluster_reference,
    extension_type,
)
from .props import dig, is_map, is_true, items, text
from .view import StackView, azure_name

PROVISIONED_CLUSTER = "azure-native:hybridcontainerservice:ProvisionedClusterInstance"
DEPLOYMENT = "azure-native:resources:Deployment"
PROVISIONED_ARM_TYPE = "microsoft.hybridcontainerservice/provisionedclusterinstances"
REQUIRED_EXTENSIONS = {
    "microsoft.azuredefender.kubernetes": "Defender",
    "microsoft.policyinsights": "Azure Policy",
    "microsoft.azuremonitor.containers": "Azure Monitor (Container Insights)",
}


def entra_azure_rbac(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "aadProfile", "enableAzureRBAC")):
        yield "aadProfile.enableAzureRBAC is not true: the connected cluster is not on Entra RBAC"


def security_extensions(view: StackView, _: PolicySettings) -> Findings:
    for cluster in view.of_type(CONNECTED_CLUSTER):
        installed = view.referrer_values(
            cluster, EXTENSION, _extension_types, by=cluster_reference, names=cluster_names(cluster)
        )
        for kind, label in REQUIRED_EXTENSIONS.items():
            if kind not in installed:
                yield (
                    (f"connected cluster {azure_name(cluster)} has no {label} extension ({kind})"),
                    cluster.urn,
                )


def _extension_types(_: StackView, extension: PolicyResource) -> list[str]:
    return [extension_type(extension)]


def azure_local_calico(
    resource_type: str, props: Mapping[str, Any], _: PolicySettings
) -> Iterator[str]:
    if resource_type == PROVISIONED_CLUSTER:
        instances = [props]
    else:
        # AKS on Azure Local has no azure-native class; an ARM deployment may carry it.
        instances = [
            dig(r, "properties") or {}
            for r in items(dig(props, "properties", "template", "resources"))
            if is_map(r) and text(dig(r, "type")).lower() == PROVISIONED_ARM_TYPE
        ]
        instances = [{"networkProfile": dig(i, "networkProfile")} for i in instances]
    for instance in instances:
        engine = dig(instance, "networkProfile", "networkPolicy")
        if engine != "calico":
            yield f"networkProfile.networkPolicy is {engine or 'not set'} (expected calico)"


RULES = [
    resource_rule("ARC-ID-01", entra_azure_rbac),
    stack_rule("ARC-EXT-01", security_extensions),
    resource_rule("ARC-NET-01", azure_local_calico, typed=True),
]
