"""Agent pool profiles: every pool gets the same hardened node settings."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import containerservice

from components.config import ClusterConfig, NodePoolConfig

# Only critical add-ons (CoreDNS, metrics-server, konnectivity) may run on system nodes;
# tenant workloads can never share a node with them.
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"


def agent_pool_profiles(
    cluster: ClusterConfig, nodes_subnet_id: pulumi.Input[str]
) -> list[containerservice.ManagedClusterAgentPoolProfileArgs]:
    pools = [_profile(cluster, cluster.system_pool, "System", nodes_subnet_id)]
    pools += [_profile(cluster, pool, "User", nodes_subnet_id) for pool in cluster.user_pools]
    return pools


def _profile(
    cluster: ClusterConfig, pool: NodePoolConfig, mode: str, subnet_id: pulumi.Input[str]
) -> containerservice.ManagedClusterAgentPoolProfileArgs:
    taints = [SYSTEM_TAINT] if mode == "System" else list(pool.taints)
    return containerservice.ManagedClusterAgentPoolProfileArgs(
        name=pool.name,
        mode=mode,
        type="VirtualMachineScaleSets",
        os_type="Linux",
        os_sku=pool.os_sku,
        vm_size=pool.vm_size,
        os_disk_type=pool.os_disk_type,
        count=max(pool.min_count, 1),
        enable_auto_scaling=True,
        min_count=pool.min_count,
        max_count=pool.max_count,
        max_pods=pool.max_pods,
        availability_zones=list(cluster.availability_zones) or None,
        vnet_subnet_id=subnet_id,
        # Temp disks and caches are encrypted on the host too, not only the managed disks.
        enable_encryption_at_host=cluster.host_encryption,
        # Nodes are reachable only inside the VNet.
        enable_node_public_ip=False,
        # No SSH daemon access to nodes; debugging goes through `kubectl debug node/...`.
        security_profile=containerservice.AgentPoolSecurityProfileArgs(
            ssh_access="LocalUser" if cluster.ssh_access else "Disabled"
        ),
        node_taints=taints or None,
        node_labels=dict(pool.labels) or None,
        upgrade_settings=containerservice.AgentPoolUpgradeSettingsArgs(max_surge="33%"),
    )
