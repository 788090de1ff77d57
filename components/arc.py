"""Azure Arc clusters under the same baseline: Entra ID + Azure RBAC, Defender, Azure Policy,
monitoring and Flux, whether the cluster runs on Azure Local or in another cloud.

For AKS on Azure Local the platform also provisions the cluster. The SDK has no typed
resource for `provisionedClusterInstances` (an extension resource of the connected
cluster), so it is declared through an ARM deployment at the resource group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import kubernetes, kubernetesconfiguration, operationalinsights, resources

from components import roles
from components.common import Placement
from components.config import ArcClusterConfig
from components.identity import assign_role

PROVISIONED_CLUSTER_API = "2024-01-01"

# Arc extensions every connected cluster carries (Flux is added by components.flux).
ARC_EXTENSIONS = {
    "defender": "microsoft.azuredefender.kubernetes",
    "policy": "microsoft.policyinsights",
    "monitoring": "microsoft.azuremonitor.containers",
}


@dataclass(frozen=True)
class ArcClusterArgs:
    placement: Placement
    cluster: ArcClusterConfig
    workspace: operationalinsights.Workspace


class ArcCluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: ArcClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:arc:ArcCluster", name, None, opts)
        placement, cluster = args.placement, args.cluster
        child = pulumi.ResourceOptions(parent=self)
        self.cluster_name = placement.naming.arc_cluster(cluster.name)
        self.resource_group_name = placement.resource_group_name
        azure_local = cluster.kind == "azureLocal"
        self.connected = kubernetes.ConnectedCluster(
            f"{name}-arc",
            cluster_name=self.cluster_name,
            resource_group_name=placement.resource_group_name,
            location=placement.config.cluster_location(cluster),
            identity=kubernetes.ConnectedClusterIdentityArgs(type="SystemAssigned"),
            # AKS on Azure Local is created by Azure ("ProvisionedCluster"); other clusters
            # run the Arc agents installed by `az connectedk8s connect`, which holds the
            # agent key pair: no key material passes through this program.
            kind="ProvisionedCluster" if azure_local else None,
            agent_public_key_certificate="",
            distribution=cluster.distribution,
            infrastructure=cluster.infrastructure,
            # Entra ID sign-in and Azure RBAC on the API server, as on AKS.
            aad_profile=kubernetes.AadProfileArgs(
                enable_azure_rbac=True,
                tenant_id=placement.config.tenant_id,
                admin_group_object_ids=list(cluster.admin_group_object_ids) or None,
            ),
            tags=placement.tags,
            opts=child,
        )
        # Extensions install into a running cluster ("An existing Azure Arc-enabled
        # Kubernetes connected cluster", prerequisites of learn.microsoft.com/azure/azure-arc/
        # kubernetes/extensions). On Azure Local the cluster, and the Arc agents that
        # install extensions, exist only once the provisioned cluster instance is created,
        # so everything that runs in the cluster waits for it. Checked by HAZ-EXT-01.
        self.ready: pulumi.Resource = (
            self._provision_on_azure_local(name, placement, cluster)
            if azure_local
            else self.connected
        )
        self.extensions = {
            purpose: self._extension(name, purpose, extension_type, args.workspace)
            for purpose, extension_type in ARC_EXTENSIONS.items()
        }
        for group in cluster.admin_group_object_ids:
            assign_role(
                f"{name}-admins-{group[:8]}",
                placement,
                self.connected.id,
                roles.ARC_KUBERNETES_CLUSTER_ADMIN,
                group,
                self,
                principal_type="Group",
            )
        self.register_outputs({"clusterId": self.connected.id})

    def _extension(
        self,
        name: str,
        purpose: str,
        extension_type: str,
        workspace: operationalinsights.Workspace,
    ) -> kubernetesconfiguration.Extension:
        settings: dict[str, Any] = {}
        if purpose in {"defender", "monitoring"}:
            settings["logAnalyticsWorkspaceResourceID"] = workspace.id
        if purpose == "monitoring":
            # Entra ID authentication for the monitoring agent (no workspace key).
            settings["amalogs.useAADAuth"] = "true"
        return kubernetesconfiguration.Extension(
            f"{name}-{purpose}",
            extension_name=extension_type.split(".")[-1],
            extension_type=extension_type,
            cluster_rp="Microsoft.Kubernetes",
            cluster_resource_name="connectedClusters",
            cluster_name=self.connected.name,
            resource_group_name=self.resource_group_name,
            auto_upgrade_minor_version=True,
            release_train="Stable",
            identity=kubernetesconfiguration.IdentityArgs(type="SystemAssigned"),
            configuration_settings=settings or None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.ready]),
        )

    def _provision_on_azure_local(
        self, name: str, placement: Placement, cluster: ArcClusterConfig
    ) -> resources.Deployment:
        local = cluster.azure_local
        assert local is not None  # guaranteed by the config schema for kind azureLocal
        instance = {
            "type": "Microsoft.HybridContainerService/provisionedClusterInstances",
            "apiVersion": PROVISIONED_CLUSTER_API,
            "name": "default",
            "scope": "[resourceId('Microsoft.Kubernetes/connectedClusters', "
            f"'{self.cluster_name}')]",
            "extendedLocation": {"type": "CustomLocation", "name": local.custom_location_id},
            "properties": {
                "kubernetesVersion": cluster.kubernetes_version,
                "controlPlane": {
                    "count": local.control_plane_count,
                    "vmSize": local.control_plane_vm_size,
                },
                # Calico enforces the same NetworkPolicies as on AKS.
                "networkProfile": {
                    "networkPolicy": local.network_policy,
                    "podCidr": local.pod_cidr,
                },
                "agentPoolProfiles": [
                    {
                        "name": pool.name,
                        "count": pool.count,
                        "vmSize": pool.vm_size,
                        "osType": "Linux",
                        "osSKU": "CBLMariner",
                    }
                    for pool in local.node_pools
                ],
                "cloudProviderProfile": {
                    "infraNetworkProfile": {"vnetSubnetIds": [local.logical_network_id]}
                },
                "licenseProfile": {"azureHybridBenefit": "False"},
            },
        }
        return resources.Deployment(
            f"{name}-provisioned",
            deployment_name=f"{self.cluster_name}-provisioned",
            resource_group_name=placement.resource_group_name,
            properties=resources.DeploymentPropertiesArgs(
                mode="Incremental",
                template={
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                    "deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "resources": [instance],
                },
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.connected]),
        )
