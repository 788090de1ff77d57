"""A secured AKS cluster: the full cluster baseline of the control catalog, on by default."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import containerservice, keyvault, operationalinsights

from components import roles
from components.aks.maintenance import maintenance_schedules
from components.aks.pools import agent_pool_profiles
from components.common import Placement
from components.config import ClusterConfig
from components.identity import ClusterIdentity, ClusterIdentityArgs, assign_role
from components.monitoring import container_insights, diagnostic_setting
from components.network import SpokeNetwork


@dataclass(frozen=True)
class AksClusterArgs:
    placement: Placement
    cluster: ClusterConfig
    network: SpokeNetwork
    workspace: operationalinsights.Workspace
    registry_id: pulumi.Input[str]
    vault: keyvault.Vault
    kms_key: keyvault.Key


class AksCluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:aks:AksCluster", name, None, opts)
        placement, cluster = args.placement, args.cluster
        location = placement.config.cluster_location(cluster)
        cluster_name = placement.naming.cluster(cluster.name)
        self.identity = ClusterIdentity(
            f"{name}-identity",
            ClusterIdentityArgs(
                placement=placement,
                cluster_name=cluster.name,
                location=location,
                vnet_id=args.network.vnet.id,
                registry_id=args.registry_id,
                vault_id=args.vault.id,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.cluster = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_name_=cluster_name,
            resource_group_name=placement.resource_group_name,
            location=location,
            dns_prefix=cluster_name,
            kubernetes_version=cluster.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=cluster.tier),
            identity=containerservice.ManagedClusterIdentityArgs(
                type="UserAssigned",
                user_assigned_identities=[self.identity.control_plane.id],
            ),
            identity_profile={
                "kubeletidentity": containerservice.UserAssignedIdentityArgs(
                    resource_id=self.identity.kubelet.id,
                    client_id=self.identity.kubelet.client_id,
                    object_id=self.identity.kubelet.principal_id,
                )
            },
            # Entra ID sign-in with MFA and conditional access; Azure RBAC decides what
            # each identity may do, so access is reviewed in one place.
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                tenant_id=placement.config.tenant_id,
            ),
            # No static admin kubeconfig that bypasses Entra ID and cannot be revoked.
            disable_local_accounts=not cluster.local_accounts,
            enable_rbac=True,
            agent_pool_profiles=agent_pool_profiles(cluster, args.network.nodes_subnet.id),
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure",
                # Overlay: pods get IPs from a private range, not from the VNet.
                network_plugin_mode="overlay",
                network_policy=cluster.network_policy,
                network_dataplane="cilium" if cluster.network_policy == "cilium" else None,
                pod_cidr=placement.config.network.pod_cidr,
                service_cidr=placement.config.network.service_cidr,
                dns_service_ip=placement.config.network.dns_service_ip,
                outbound_type=placement.config.network.outbound_type,
                load_balancer_sku="standard",
            ),
            api_server_access_profile=containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=cluster.api_server.private,
                # The API server is projected into the delegated spoke subnet: no tunnel,
                # and the private endpoint stays inside the VNet.
                enable_vnet_integration=True,
                subnet_id=args.network.api_server_subnet.id,
                private_dns_zone="system" if cluster.api_server.private else None,
                enable_private_cluster_public_fqdn=False if cluster.api_server.private else None,
                authorized_ip_ranges=list(cluster.api_server.authorized_ip_ranges) or None,
                # `az aks command invoke` would bypass the private API server boundary.
                disable_run_command=not cluster.run_command,
            ),
            addon_profiles={
                # Gatekeeper with the Azure Policy assignments of this environment.
                "azurepolicy": containerservice.ManagedClusterAddonProfileArgs(
                    enabled=cluster.azure_policy, config={"version": "v2"}
                ),
                # Secrets are mounted from Key Vault at run time and rotated; never in git.
                "azureKeyvaultSecretsProvider": containerservice.ManagedClusterAddonProfileArgs(
                    enabled=True,
                    config={
                        "enableSecretRotation": "true",
                        "rotationPollInterval": cluster.secret_rotation_interval,
                    },
                ),
                # Container Insights, authenticated with Entra ID (no workspace key).
                "omsagent": containerservice.ManagedClusterAddonProfileArgs(
                    enabled=cluster.container_insights,
                    config={
                        "logAnalyticsWorkspaceResourceID": args.workspace.id,
                        "useAADAuth": "true",
                    },
                ),
            },
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                # Defender for Containers runtime sensor, reporting to the workspace.
                defender=containerservice.ManagedClusterSecurityProfileDefenderArgs(
                    log_analytics_workspace_resource_id=args.workspace.id,
                    security_monitoring=containerservice.ManagedClusterSecurityProfileDefenderSecurityMonitoringArgs(
                        enabled=cluster.defender
                    ),
                ),
                # Removes unused, possibly vulnerable images from the nodes.
                image_cleaner=containerservice.ManagedClusterSecurityProfileImageCleanerArgs(
                    enabled=cluster.image_cleaner,
                    interval_hours=cluster.image_cleaner_interval_hours,
                ),
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(
                    enabled=cluster.workload_identity
                ),
                # Kubernetes secrets in etcd are encrypted with a key the platform controls.
                azure_key_vault_kms=containerservice.AzureKeyVaultKmsArgs(
                    enabled=cluster.kms_etcd_encryption,
                    key_id=args.kms_key.key_uri_with_version,
                    key_vault_network_access="Private",
                    key_vault_resource_id=args.vault.id,
                ),
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(
                enabled=cluster.oidc_issuer
            ),
            # Patches arrive on their own, inside the maintenance windows below.
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=cluster.upgrade_channel,
                node_os_upgrade_channel=cluster.node_os_upgrade_channel,
            ),
            # Nobody edits the node resource group by hand; AKS owns it.
            node_resource_group_profile=containerservice.ManagedClusterNodeResourceGroupProfileArgs(
                restriction_level="ReadOnly"
            ),
            support_plan="KubernetesOfficial",
            tags=placement.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # KMS and subnet joins are checked at creation: the roles must exist first.
                depends_on=[self.identity],
            ),
        )
        maintenance_schedules(name, cluster, placement.resource_group_name, self.cluster.name, self)
        for group in cluster.admin_group_object_ids:
            assign_role(
                f"{name}-admins-{group[:8]}",
                placement,
                self.cluster.id,
                roles.AKS_RBAC_CLUSTER_ADMIN,
                group,
                self,
                principal_type="Group",
            )
        diagnostic_setting(name, self.cluster.id, "aks", args.workspace, self)
        if cluster.container_insights:
            container_insights(name, placement, self.cluster.id, location, args.workspace, self)
        self.oidc_issuer_url = self.cluster.oidc_issuer_profile.apply(
            lambda profile: profile.issuer_url if profile else None
        )
        self.register_outputs({"clusterId": self.cluster.id, "oidcIssuerUrl": self.oidc_issuer_url})
