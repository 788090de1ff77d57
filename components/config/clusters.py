"""`platform:clusters`: the AKS clusters of one environment and their secure defaults.

Each boolean that weakens a control defaults to the secure value. Turning one off is an
explicit, reviewable line in a stack file, and the policy pack then reports the control as
violated unless a waiver with an expiry covers it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .base import AzureRegion, Cidr, Guid, LocatedValueError, StrictModel
from .network import ClusterNetworkConfig

_CLUSTER_NAME = re.compile(r"^[a-z][a-z0-9]{1,14}$")
_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
# From 1.30: the tenant guardrails are admissionregistration.k8s.io/v1
# ValidatingAdmissionPolicies (GA in 1.30; components/tenancy.py), which older clusters lack.
_K8S_MINOR = re.compile(r"^1\.3[0-9]$")
# An AKS cluster's config name also names the federated identity credential of every Key
# Vault tenant's identity on it (components/identity.py), and Microsoft Entra accepts
# credential names of 3-120 characters only ("Federated Identity Credential name is invalid:
# alphanumeric, dash, underscore, no more than 3-120 symbols", workload identity federation
# considerations, MicrosoftDocs/entra-docs docs/workload-id/
# workload-identity-federation-considerations.md, "Errors").
FEDERATED_CREDENTIAL_NAME_MIN = 3


def _cluster_name(value: str) -> str:
    if not _CLUSTER_NAME.match(value):
        raise ValueError(
            f"'{value}' is not a cluster name (2-15 lowercase letters and digits, starting "
            "with a letter)"
        )
    return value


def _pool_name(value: str) -> str:
    if not _POOL_NAME.match(value):
        raise ValueError(
            f"'{value}' is not a node pool name (1-12 lowercase letters and digits, starting "
            "with a letter; an AKS limit for Linux pools)"
        )
    return value


def _kubernetes_minor(value: str) -> str:
    if not _K8S_MINOR.match(value):
        raise ValueError(
            f"'{value}' is not a supported Kubernetes minor version (expected 1.30 or later, "
            "e.g. '1.33', where the tenant guardrail admission policies are served; patch "
            "versions are chosen by the upgrade channel)"
        )
    return value


ClusterName = Annotated[str, AfterValidator(_cluster_name)]
PoolName = Annotated[str, AfterValidator(_pool_name)]
KubernetesMinor = Annotated[str, AfterValidator(_kubernetes_minor)]
Zone = Literal["1", "2", "3"]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class NodePoolConfig(StrictModel):
    name: PoolName
    vm_size: str = "Standard_D4ds_v5"
    min_count: int = Field(default=2, ge=0, le=1000)
    max_count: int = Field(default=5, ge=1, le=1000)
    max_pods: int = Field(default=50, ge=10, le=250)
    # Ephemeral OS disks live on the VM cache: faster, and nothing persists across reimages.
    os_disk_type: Literal["Ephemeral", "Managed"] = "Ephemeral"
    # Azure Linux is the CIS-aligned, minimal host OS maintained by Microsoft for AKS.
    os_sku: Literal["AzureLinux", "Ubuntu"] = "AzureLinux"
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _counts(self) -> NodePoolConfig:
        if self.min_count > self.max_count:
            raise LocatedValueError(
                ("minCount",), f"{self.min_count} is greater than maxCount {self.max_count}"
            )
        return self


def _default_system_pool() -> NodePoolConfig:
    return NodePoolConfig(name="system", min_count=3, max_count=5)


def _default_user_pools() -> list[NodePoolConfig]:
    return [NodePoolConfig(name="apps")]


class ApiServerConfig(StrictModel):
    # A private API server is reachable only from the VNet; nothing on the internet can
    # even attempt to authenticate.
    private: bool = True
    # Used only for a public API server: who may reach it. 0.0.0.0/0 is a policy violation.
    authorized_ip_ranges: list[Cidr] = Field(default_factory=list)


class MaintenanceWindowConfig(StrictModel):
    day_of_week: Weekday = "Sunday"
    start_time: str = Field(default="02:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    duration_hours: int = Field(default=4, ge=4, le=24)
    utc_offset: str = Field(default="+00:00", pattern=r"^[+-](0[0-9]|1[0-4]):[0-5][0-9]$")
    interval_weeks: int = Field(default=1, ge=1, le=4)


class MaintenanceConfig(StrictModel):
    # Upgrades happen in a known window, so a patch never lands in the middle of a release.
    auto_upgrade: MaintenanceWindowConfig = Field(default_factory=MaintenanceWindowConfig)
    node_os: MaintenanceWindowConfig = Field(
        default_factory=lambda: MaintenanceWindowConfig(day_of_week="Saturday")
    )


class ClusterConfig(StrictModel):
    name: ClusterName
    location: AzureRegion | None = None
    kubernetes_version: KubernetesMinor = "1.33"
    # Standard gives the financially backed API server SLA; Free is for throwaway clusters.
    tier: Literal["Free", "Standard", "Premium"] = "Standard"
    availability_zones: list[Zone] = Field(default_factory=list)
    network: ClusterNetworkConfig
    api_server: ApiServerConfig = Field(default_factory=ApiServerConfig)
    # Enforced in the kernel by Calico; "azure" and "cilium" are the other supported engines.
    network_policy: Literal["calico", "azure", "cilium"] = "calico"
    system_pool: NodePoolConfig = Field(default_factory=_default_system_pool)
    user_pools: list[NodePoolConfig] = Field(default_factory=_default_user_pools)
    # Entra groups granted "Azure Kubernetes Service RBAC Cluster Admin" on this cluster.
    admin_group_object_ids: list[Guid] = Field(default_factory=list)
    upgrade_channel: Literal["patch", "stable", "rapid", "node-image", "none"] = "patch"
    node_os_upgrade_channel: Literal["NodeImage", "SecurityPatch", "Unmanaged", "None"] = (
        "NodeImage"
    )
    maintenance: MaintenanceConfig = Field(default_factory=MaintenanceConfig)
    # The toggles below weaken the baseline when flipped; each needs a waiver.
    local_accounts: bool = False
    ssh_access: bool = False
    run_command: bool = False
    host_encryption: bool = True
    kms_etcd_encryption: bool = True
    azure_policy: bool = True
    defender: bool = True
    container_insights: bool = True
    image_cleaner: bool = True
    image_cleaner_interval_hours: int = Field(default=168, ge=24, le=2160)
    oidc_issuer: bool = True
    workload_identity: bool = True
    secret_rotation_interval: str = Field(default="2m", pattern=r"^[1-9][0-9]*[smh]$")

    @field_validator("name")
    @classmethod
    def _long_enough_for_a_credential_name(cls, value: str) -> str:
        if len(value) < FEDERATED_CREDENTIAL_NAME_MIN:
            raise ValueError(
                f"'{value}' is too short for an AKS cluster: it also names the federated "
                "identity credentials of workload identities on the cluster, which Microsoft "
                "Entra requires to be 3-120 characters"
            )
        return value

    @model_validator(mode="after")
    def _valid_combinations(self) -> ClusterConfig:
        if self.upgrade_channel == "node-image" and self.node_os_upgrade_channel != "NodeImage":
            # AKS sets the node OS channel to NodeImage with the node-image cluster channel
            # and refuses any other value ("Autoupgrade node OS images", known limitations,
            # MicrosoftDocs/azure-aks-docs articles/aks/auto-upgrade-node-os-image.md).
            raise LocatedValueError(
                ("nodeOsUpgradeChannel",),
                f"'{self.node_os_upgrade_channel}' cannot go with upgradeChannel node-image: "
                "AKS then fixes the node OS channel to NodeImage (set NodeImage, or choose "
                "another upgradeChannel)",
            )
        if self.workload_identity and not self.oidc_issuer:
            raise LocatedValueError(
                ("oidcIssuer",),
                "must be true when workloadIdentity is on (tokens are federated through the "
                "cluster's OIDC issuer)",
            )
        if self.api_server.private and self.api_server.authorized_ip_ranges:
            raise LocatedValueError(
                ("apiServer", "authorizedIpRanges"),
                "applies only to a public API server; a private one (apiServer.private: true) "
                "has no public endpoint to restrict",
            )
        if self.system_pool.min_count < 1:
            raise LocatedValueError(
                ("systemPool", "minCount"),
                "must be at least 1 (CoreDNS and the metrics server run there)",
            )
        if self.system_pool.taints:
            raise LocatedValueError(
                ("systemPool", "taints"),
                "is fixed to CriticalAddonsOnly=true:NoSchedule by the platform; remove it",
            )
        seen = {self.system_pool.name}
        for index, pool in enumerate(self.user_pools):
            if pool.name in seen:
                raise LocatedValueError(
                    ("userPools", index, "name"), f"node pool name '{pool.name}' is used twice"
                )
            seen.add(pool.name)
        return self
