"""One environment's platform: wires every component from a validated PlatformConfig."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import resources

from components import roles
from components.aks import AksCluster, AksClusterArgs
from components.arc import ArcCluster, ArcClusterArgs
from components.common import Placement
from components.config import PlatformConfig
from components.detection.component import DetectionArgs, Detections
from components.flux import (
    AKS,
    ARC,
    ClusterFlux,
    ClusterFluxArgs,
    deploy_key,
    flux_substitutions,
    verification_substitutions,
)
from components.github import GitHubDelivery, GitHubDeliveryArgs
from components.governance import Governance, GovernanceArgs, required_deploy_roles
from components.identity import WorkloadIdentity, WorkloadIdentityArgs, assign_role
from components.keyvault import KeyVault, KeyVaultArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.naming import Naming
from components.network import HubNetwork, HubNetworkArgs, SpokeNetwork, SpokeNetworkArgs
from components.registry import Registry, RegistryArgs
from components.supply_chain import SupplyChain, SupplyChainArgs

# Service account that tenant workloads use to reach Key Vault (rendered into gitops/).
WORKLOAD_SERVICE_ACCOUNT = "workload"


@dataclass(frozen=True)
class PlatformArgs:
    config: PlatformConfig


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        config = args.config
        # An explicit provider pins every resource to the configured subscription and
        # tenant, whatever `az account show` happens to say on the deploying machine.
        provider = azure_native.Provider(
            f"{name}-azure",
            subscription_id=config.subscription_id,
            tenant_id=config.tenant_id,
            location=config.location,
        )
        super().__init__(
            "platform:platform:Platform",
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider])),
        )
        child = pulumi.ResourceOptions(parent=self)
        naming = Naming.for_config(config)
        tags = {
            "environment": config.environment,
            "managed-by": "pulumi",
            "platform": "aks-platform",
        }
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=naming.resource_group,
            location=config.location,
            tags=tags,
            opts=child,
        )
        placement = Placement(config, naming, group.name, group.id, tags)

        self.monitoring = Monitoring(f"{name}-monitoring", MonitoringArgs(placement), child)
        workspace = self.monitoring.workspace
        self.hub = HubNetwork(f"{name}-hub", HubNetworkArgs(placement), child)
        self.key_vault = KeyVault(
            f"{name}-keyvault", KeyVaultArgs(placement, self.hub, workspace), child
        )
        self.registry = Registry(
            f"{name}-registry", RegistryArgs(placement, self.hub, workspace), child
        )
        # Defender plans, Azure Policy assignments (images only from this registry),
        # Sentinel and the activity log, all reading the same config and workspace.
        self.governance = Governance(
            f"{name}-governance", GovernanceArgs(placement, workspace), child
        )

        kms_key = self.key_vault.kms_key
        assert kms_key is not None  # the platform vault always holds it
        self.clusters: dict[str, AksCluster] = {}
        for cluster in config.clusters:
            subnets = cluster.network.resolved_subnets
            spoke = SpokeNetwork(
                f"{cluster.name}-network",
                SpokeNetworkArgs(
                    placement=placement,
                    cluster_name=cluster.name,
                    location=config.cluster_location(cluster),
                    address_space=cluster.network.address_space,
                    nodes_subnet=subnets.nodes,
                    api_server_subnet=subnets.api_server,
                    hub=self.hub,
                ),
                child,
            )
            self.clusters[cluster.name] = AksCluster(
                cluster.name,
                AksClusterArgs(
                    placement=placement,
                    cluster=cluster,
                    network=spoke,
                    workspace=workspace,
                    registry_id=self.registry.registry.id,
                    vault=self.key_vault.vault,
                    kms_key=kms_key,
                ),
                child,
            )

        self.arc_clusters: dict[str, ArcCluster] = {
            arc.name: ArcCluster(f"{arc.name}", ArcClusterArgs(placement, arc, workspace), child)
            for arc in config.arc_clusters
        }

        issuers = {name: aks.oidc_issuer_url for name, aks in self.clusters.items()}
        # Signed images: the signer (the build workflow), the verifier on every AKS cluster,
        # base-image tasks and the Defender for DevOps connector (components/supply_chain.py).
        self.supply_chain = SupplyChain(
            f"{name}-supply-chain",
            SupplyChainArgs(
                placement,
                registry=self.registry.registry,
                vault=self.key_vault.vault,
                issuers=issuers,
                tasks_subnet_id=self.hub.tasks_subnet.id if self.hub.tasks_subnet else None,
            ),
            child,
        )
        self.workload_identities: dict[str, WorkloadIdentity] = {}
        self.tenant_vaults: dict[str, KeyVault] = {}
        for tenant in config.gitops.tenants:
            if not tenant.key_vault:
                continue
            # Containment: a vault per team, so one team's identity can never read another
            # team's secrets (or the platform's deploy key in the platform vault).
            vault = KeyVault(
                f"tenant-{tenant.name}-keyvault",
                KeyVaultArgs(
                    placement,
                    self.hub,
                    workspace,
                    vault_name=naming.tenant_key_vault(tenant.name),
                    holds_kms_key=False,
                ),
                child,
            )
            # The owning team manages its own secrets; nobody else is granted anything.
            assign_role(
                f"tenant-{tenant.name}-secrets-officer", placement, vault.vault.id,
                roles.KEY_VAULT_SECRETS_OFFICER, tenant.owner_group_id, vault,
                principal_type="Group",
            )  # fmt: skip
            self.tenant_vaults[tenant.name] = vault
            # The schema keeps Key Vault tenants on AKS clusters (the only OIDC issuers).
            hosts = tenant.clusters or list(issuers)
            self.workload_identities[tenant.name] = WorkloadIdentity(
                f"tenant-{tenant.name}",
                WorkloadIdentityArgs(
                    placement=placement,
                    tenant=tenant.name,
                    service_account=WORKLOAD_SERVICE_ACCOUNT,
                    issuers={host: issuers[host] for host in hosts},
                    vault_id=vault.vault.id,
                ),
                child,
            )

        # GitOps: Flux on every cluster pulls gitops/ from this repository (components/flux.py).
        client_ids = {tenant: wi.client_id for tenant, wi in self.workload_identities.items()}
        substitutions = flux_substitutions(config, client_ids)
        verification = verification_substitutions(config, self.supply_chain.verifier_client_id)
        ssh_key = deploy_key(
            f"{name}-flux-deploy-key",
            config,
            self.key_vault.vault.name,
            self,
            vault_access=self.key_vault.private_access.ready,
        )
        # AKS and Arc clusters alike: (config name, ARM name, provider kind, what to wait for).
        flux_targets = [
            (cluster_name, aks.cluster.name, AKS, [aks.cluster])
            for cluster_name, aks in self.clusters.items()
        ] + [
            # An Arc cluster runs extensions once it is up (ArcCluster.ready): its agents
            # installed, its adoption read, or on Azure Local its cluster instance created.
            (cluster_name, arc.connected.name, ARC, arc.ready)
            for cluster_name, arc in self.arc_clusters.items()
        ]
        self.flux: dict[str, ClusterFlux] = {}
        for cluster_name, resource_name, (rp, cluster_type), ready in flux_targets:
            self.flux[cluster_name] = ClusterFlux(
                f"{cluster_name}-flux",
                ClusterFluxArgs(
                    placement=placement,
                    cluster_name=cluster_name,
                    cluster_resource_name=resource_name,
                    cluster_rp=rp,
                    cluster_type=cluster_type,
                    substitutions=substitutions,
                    verification_substitutions=verification,
                    depends_on=ready,
                    ssh_private_key=ssh_key,
                ),
                child,
            )

        # Detection: Entra ID logs in (tenant owner), alert rules and Sentinel analytics out.
        sentinel = self.governance.sentinel
        activity = self.governance.activity_log
        self.detection = Detections(
            f"{name}-detection",
            DetectionArgs(
                placement=placement,
                workspace=workspace,
                sentinel=sentinel.onboarding if sentinel is not None else None,
                vault_name=self.key_vault.vault.name,
                vault_access=self.key_vault.private_access.ready,
                feeds={
                    "aks": list(self.clusters.values()),
                    "keyvault": [self.key_vault, *self.tenant_vaults.values()],
                    "activity": [activity] if activity is not None else [],
                    "flux": [*self.clusters.values(), *self.arc_clusters.values()],
                },
            ),
            child,
        )

        # The deploy identity gets exactly the governance roles this stack's resources need.
        scopes = {
            "subscription": f"/subscriptions/{config.subscription_id}",
            "resourceGroup": group.id,
        }
        extra_roles = tuple(
            (scopes[need.scope], need.role) for need in required_deploy_roles(config)
        )
        self.delivery = GitHubDelivery(
            f"{name}-github", GitHubDeliveryArgs(placement, extra_roles), child
        )

        self.outputs = {
            "resourceGroup": group.name,
            "registryLoginServer": self.registry.login_server,
            "keyVaultName": self.key_vault.vault.name,
            "clusters": {
                name: {"id": aks.cluster.id, "oidcIssuerUrl": aks.oidc_issuer_url}
                for name, aks in self.clusters.items()
            },
            "arcClusters": {name: arc.connected.id for name, arc in self.arc_clusters.items()},
            "githubDeployClientId": self.delivery.deploy.client_id,
            "githubPreviewClientId": self.delivery.preview.client_id,
            "imageSignerClientId": self.supply_chain.signer_client_id,
            "imageVerifierClientId": self.supply_chain.verifier_client_id,
            "workloadIdentityClientIds": {
                name: identity.client_id for name, identity in self.workload_identities.items()
            },
        }
        self.register_outputs(self.outputs)
