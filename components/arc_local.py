"""AKS on Azure Local, as Microsoft's reference templates declare it.

Azure/aksArc deploymentTemplates/aksarc-ARM-azlocal (@ cc600af8):
- Cluster/CreateWithExistingLnet/azuredeploy.json: the connected cluster (kind
  ProvisionedCluster, empty agent key: Azure runs the agents) and the
  `provisionedClusterInstances` resource `default`, scoped to the connected cluster by name
  (`format('Microsoft.Kubernetes/connectedClusters/{0}', ...)`), with the SSH public key
  (`linuxProfile.ssh.publicKeys`), the control-plane endpoint (`controlPlane.
  controlPlaneEndpoint.hostIP`), Calico and the first node pool;
- Nodepool/azuredeploy.json: node pools as `provisionedClusterInstances/agentPools`
  resources (`default/<pool>`); Cluster/README.md: "Updating the nodepool spec through the
  cluster template will not work as intended and should not be used".

pulumi-azure-native 3.29 has no class for these types, so each template is an ARM
deployment at the resource group. Every pool is its own agentPools resource, so a change of
size or count takes effect; the instance body keeps only the first pool, which Azure needs
to create the cluster.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources

from components.common import Placement
from components.config import ArcClusterConfig
from components.config.arc import AzureLocalPoolConfig

PROVISIONED_CLUSTER_API = "2024-01-01"
INSTANCE_TYPE = "Microsoft.HybridContainerService/provisionedClusterInstances"
AGENT_POOL_TYPE = f"{INSTANCE_TYPE}/agentPools"
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def cluster_scope(cluster_name: str) -> str:
    """The `scope` of an extension resource in the same deployment: the resource's name."""
    return f"Microsoft.Kubernetes/connectedClusters/{cluster_name}"


def _pool(pool: AzureLocalPoolConfig) -> dict[str, object]:
    return {"count": pool.count, "vmSize": pool.vm_size, "osType": "Linux", "osSKU": "CBLMariner"}


def instance_resource(cluster: ArcClusterConfig, cluster_name: str) -> dict[str, object]:
    local = cluster.azure_local
    assert local is not None  # guaranteed by the config schema for kind azureLocal
    first = local.node_pools[0]
    return {
        "type": INSTANCE_TYPE,
        "apiVersion": PROVISIONED_CLUSTER_API,
        "name": "default",
        "scope": cluster_scope(cluster_name),
        "extendedLocation": {"type": "CustomLocation", "name": local.custom_location_id},
        "properties": {
            "kubernetesVersion": cluster.kubernetes_version,
            "linuxProfile": {"ssh": {"publicKeys": [{"keyData": local.ssh_public_key}]}},
            # SSH to the VMs only from the admin network.
            "clusterVMAccessProfile": {
                "authorizedIPRanges": ",".join(local.ssh_authorized_ip_ranges)
            },
            "controlPlane": {
                "count": local.control_plane_count,
                "controlPlaneEndpoint": {"hostIP": local.control_plane_ip},
                "vmSize": local.control_plane_vm_size,
            },
            # Calico enforces the same NetworkPolicies as on AKS.
            "networkProfile": {"networkPolicy": local.network_policy, "podCidr": local.pod_cidr},
            # Only the pool Azure creates the cluster with; all pools are agentPools below.
            "agentPoolProfiles": [{"name": first.name, **_pool(first)}],
            "cloudProviderProfile": {
                "infraNetworkProfile": {"vnetSubnetIds": [local.logical_network_id]}
            },
            "licenseProfile": {"azureHybridBenefit": "False"},
        },
    }


def agent_pool_resources(cluster: ArcClusterConfig, cluster_name: str) -> list[dict[str, object]]:
    local = cluster.azure_local
    assert local is not None
    return [
        {
            "type": AGENT_POOL_TYPE,
            "apiVersion": PROVISIONED_CLUSTER_API,
            "name": f"default/{pool.name}",
            "scope": cluster_scope(cluster_name),
            "properties": _pool(pool),
        }
        for pool in local.node_pools
    ]


def _template(resources_: list[dict[str, object]]) -> dict[str, object]:
    return {"$schema": TEMPLATE_SCHEMA, "contentVersion": "1.0.0.0", "resources": resources_}


def provision(
    name: str,
    placement: Placement,
    cluster: ArcClusterConfig,
    cluster_name: str,
    connected: pulumi.Resource,
    parent: pulumi.Resource,
) -> tuple[resources.Deployment, resources.Deployment]:
    """The cluster instance, then its node pools (each pool after the instance exists)."""
    instance = resources.Deployment(
        f"{name}-provisioned",
        deployment_name=f"{cluster_name}-provisioned",
        resource_group_name=placement.resource_group_name,
        properties=resources.DeploymentPropertiesArgs(
            mode="Incremental", template=_template([instance_resource(cluster, cluster_name)])
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[connected]),
    )
    pools = resources.Deployment(
        f"{name}-nodepools",
        deployment_name=f"{cluster_name}-nodepools",
        resource_group_name=placement.resource_group_name,
        properties=resources.DeploymentPropertiesArgs(
            mode="Incremental", template=_template(agent_pool_resources(cluster, cluster_name))
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[instance]),
    )
    return instance, pools
