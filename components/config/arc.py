"""`platform:arcClusters`: clusters outside AKS brought under the same baseline through Azure Arc.

Two kinds: AKS on Azure Local, which the platform provisions, and any CNCF cluster (EKS,
GKE, k3s, ...) that an operator connects with `az connectedk8s connect`; for those the
platform declares the connected-cluster resource and its extensions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import ArmId, AzureRegion, Cidr, Guid, StrictModel
from .clusters import ClusterName, KubernetesMinor, PoolName


class AzureLocalPoolConfig(StrictModel):
    name: PoolName
    vm_size: str = "Standard_A4_v2"
    count: int = Field(default=2, ge=1, le=64)


class AzureLocalConfig(StrictModel):
    """AKS on Azure Local (formerly Azure Stack HCI), reached through its custom location."""

    custom_location_id: ArmId
    logical_network_id: ArmId
    control_plane_count: Literal[1, 3, 5] = 3
    control_plane_vm_size: str = "Standard_A4_v2"
    pod_cidr: Cidr = "10.244.0.0/16"
    # AKS on Azure Local ships Calico; it is the only engine the platform accepts there.
    network_policy: Literal["calico"] = "calico"
    node_pools: list[AzureLocalPoolConfig] = Field(
        default_factory=lambda: [AzureLocalPoolConfig(name="apps")]
    )


class ArcClusterConfig(StrictModel):
    name: ClusterName
    kind: Literal["azureLocal", "connected"]
    location: AzureRegion | None = None
    kubernetes_version: KubernetesMinor = "1.32"
    # For connected clusters: what runs underneath, as Arc reports it.
    distribution: Literal["aks_management", "eks", "gke", "k3s", "openshift", "generic"] = "generic"
    infrastructure: Literal["azure_stack_hci", "aws", "gcp", "generic"] = "generic"
    admin_group_object_ids: list[Guid] = Field(default_factory=list)
    azure_local: AzureLocalConfig | None = None

    @model_validator(mode="after")
    def _kind_settings(self) -> ArcClusterConfig:
        if self.kind == "azureLocal" and self.azure_local is None:
            raise ValueError(
                "kind azureLocal needs an azureLocal section (customLocationId, logicalNetworkId)"
            )
        if self.kind == "connected" and self.azure_local is not None:
            raise ValueError("azureLocal settings apply only to kind azureLocal")
        if self.kind == "azureLocal":
            object.__setattr__(self, "distribution", "aks_management")
            object.__setattr__(self, "infrastructure", "azure_stack_hci")
        return self
