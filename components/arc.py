"""Azure Arc clusters under the same baseline as AKS: Defender, Azure Policy, Container
Insights and Flux as Microsoft's own tooling deploys them, Entra ID access where Arc supports
it, whether the cluster runs on Azure Local or in another cloud.

How the connected cluster comes to exist depends on the config (components/config/arc.py):
- azureLocal: the program creates it (kind ProvisionedCluster) and provisions AKS on Azure
  Local per Microsoft's reference (components/arc_local.py);
- connected, onboarding program: the program onboards it as `az connectedk8s connect` does
  (components/arc_onboarding.py): agent key pair, connected cluster, Arc agents;
- connected, onboarding adopt: the program reads the connected cluster an operator created
  with `az connectedk8s connect` (`ConnectedCluster.get`) and never creates or changes it.

Everything that runs in the cluster (extensions, Flux, the monitoring rule's association)
waits for `ready`: the agents' Helm release, the read of an adopted cluster, or the Azure
Local cluster instance and its node pools. HAZ-EXT-01 checks that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import kubernetes, kubernetesconfiguration, operationalinsights

from components import arc_local, arc_onboarding, roles
from components.common import Placement
from components.config import ArcClusterConfig
from components.identity import assign_role
from components.monitoring import container_insights


@dataclass(frozen=True)
class ArcExtension:
    """One Arc extension as Microsoft's CLI handler and built-in DINE policy create it."""

    extension_type: str
    extension_name: str
    release_namespace: str


# Azure/azure-cli-extensions src/k8s-extension/azext_k8s_extension/partner_extensions:
# AzureDefender.py (name = the type, release namespace "mdc"), ContainerInsights.py (name and
# namespace "azuremonitor-containers"); Azure/azure-policy built-in-policies/policyDefinitions/
# Kubernetes/ASC_Azure_Defender_Arc_Extension_DINE.json (708b60a6: the same name and "mdc")
# and ArcPolicyExtension_DINE.json (0adc5395: "azurepolicy" in "kube-system"). All with a
# system-assigned identity, minor versions upgraded automatically, release train Stable.
DEFENDER = ArcExtension(
    "microsoft.azuredefender.kubernetes", "microsoft.azuredefender.kubernetes", "mdc"
)
AZURE_POLICY = ArcExtension("microsoft.policyinsights", "azurepolicy", "kube-system")
MONITORING = ArcExtension(
    "microsoft.azuremonitor.containers", "azuremonitor-containers", "azuremonitor-containers"
)
ARC_EXTENSIONS = (DEFENDER, AZURE_POLICY, MONITORING)
# ContainerInsights.py: "workspace key not used in case of AAD MSI auth".
NOT_USED = "<not_used>"
DCR_NAME_LIMIT = 64


@dataclass(frozen=True)
class ArcClusterArgs:
    placement: Placement
    cluster: ArcClusterConfig
    workspace: operationalinsights.Workspace


class ArcCluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: ArcClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:arc:ArcCluster", name, None, opts)
        placement, cluster = args.placement, args.cluster
        self.cluster_name = placement.naming.arc_cluster(cluster.name)
        self.resource_group_name = placement.resource_group_name
        self.location = placement.config.cluster_location(cluster)
        if cluster.kind == "azureLocal":
            self.connected = self._connected_cluster(name, placement, cluster, agent_key="")
            instance, pools = arc_local.provision(
                name, placement, cluster, self.cluster_name, self.connected, self
            )
            # The Kubernetes cluster exists once its instance does; extensions wait for the
            # node pools too, so they have nodes to schedule on.
            self.ready: list[pulumi.Resource] = [instance, pools]
        elif cluster.onboarding == "program":
            key = arc_onboarding.agent_key(name, self)
            self.connected = self._connected_cluster(
                name,
                placement,
                cluster,
                agent_key=key.public_key_pem.apply(arc_onboarding.agent_public_key_certificate),
            )
            where = arc_onboarding.AgentCoordinates(
                subscription_id=placement.config.subscription_id,
                tenant_id=placement.config.tenant_id,
                resource_group_name=self.resource_group_name,
                cluster_name=self.connected.name,
                location=self.location,
            )
            self.agents = arc_onboarding.install_agents(
                name, cluster, where, key, self.connected, self
            )
            self.ready = [self.agents]
        else:
            # Adopted: read, never registered as a resource of this stack, so no `pulumi up`
            # can create, update or delete it. A missing cluster fails the preview.
            cluster_id = (
                f"/subscriptions/{placement.config.subscription_id}/resourceGroups/"
                f"{placement.naming.resource_group}/providers/Microsoft.Kubernetes/"
                f"connectedClusters/{self.cluster_name}"
            )
            self.connected = kubernetes.ConnectedCluster.get(
                f"{name}-arc", cluster_id, opts=pulumi.ResourceOptions(parent=self)
            )
            self.ready = [self.connected]

        self.monitoring_rule = container_insights(
            f"{name}-arc",
            placement,
            self.connected.id,
            placement.location,
            args.workspace,
            self,
            rule_name=f"MSCI-{placement.location}-{self.cluster_name}"[:DCR_NAME_LIMIT],
            destination="la-workspace",
            depends_on=self.ready,
        )
        self.extensions = {
            spec.extension_type: self._extension(name, spec, args.workspace)
            for spec in ARC_EXTENSIONS
        }
        self._access(name, placement, cluster)
        self.register_outputs({"clusterId": self.connected.id})

    def _connected_cluster(
        self,
        name: str,
        placement: Placement,
        cluster: ArcClusterConfig,
        agent_key: pulumi.Input[str],
    ) -> kubernetes.ConnectedCluster:
        return kubernetes.ConnectedCluster(
            f"{name}-arc",
            cluster_name=self.cluster_name,
            resource_group_name=placement.resource_group_name,
            location=self.location,
            identity=kubernetes.ConnectedClusterIdentityArgs(type="SystemAssigned"),
            # Only AKS on Azure Local takes an empty key: Azure runs its agents (aksArc
            # reference, "agentPublicKeyCertificate must be empty for Aks Arc clusters").
            kind="ProvisionedCluster" if cluster.kind == "azureLocal" else None,
            agent_public_key_certificate=agent_key,
            # Values the built-in Arc policies evaluate (their rules exclude aks, and the
            # Defender audit also aks_management, eks and gke; see components/governance).
            distribution=cluster.arc_distribution,
            infrastructure=cluster.arc_infrastructure,
            # Entra ID with Azure RBAC where Arc supports it; never on EKS, GKE or OpenShift.
            aad_profile=kubernetes.AadProfileArgs(
                enable_azure_rbac=True,
                tenant_id=placement.config.tenant_id,
                admin_group_object_ids=list(cluster.admin_group_object_ids) or None,
            )
            if cluster.azure_rbac
            else None,
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _extension(
        self, name: str, spec: ArcExtension, workspace: operationalinsights.Workspace
    ) -> kubernetesconfiguration.Extension:
        settings: dict[str, Any] = {}
        protected: dict[str, Any] | None = None
        depends_on: list[pulumi.Resource] = list(self.ready)
        if spec in (DEFENDER, MONITORING):
            settings["logAnalyticsWorkspaceResourceID"] = workspace.id
        if spec is MONITORING:
            # ContainerInsights.py `_get_container_insights_settings`: Entra ID (MSI) auth by
            # default; the workspace key is "<not_used>", the workspace ID still passed. The
            # rule and its association come first (the handler creates them, then the
            # extension).
            settings["amalogs.useAADAuth"] = "true"
            protected = {
                key: value
                for prefix in ("amalogs", "omsagent")
                for key, value in (
                    (f"{prefix}.secret.wsid", workspace.customer_id),
                    (f"{prefix}.secret.key", NOT_USED),
                )
            }
            depends_on.append(self.monitoring_rule)
        return kubernetesconfiguration.Extension(
            f"{name}-{spec.extension_name}",
            extension_name=spec.extension_name,
            extension_type=spec.extension_type,
            cluster_rp="Microsoft.Kubernetes",
            cluster_resource_name="connectedClusters",
            cluster_name=self.connected.name,
            resource_group_name=self.resource_group_name,
            scope=kubernetesconfiguration.ScopeArgs(
                cluster=kubernetesconfiguration.ScopeClusterArgs(
                    release_namespace=spec.release_namespace
                )
            ),
            auto_upgrade_minor_version=True,
            release_train="Stable",
            identity=kubernetesconfiguration.IdentityArgs(type="SystemAssigned"),
            configuration_settings=settings or None,
            configuration_protected_settings=(
                {k: pulumi.Output.secret(v) for k, v in protected.items()} if protected else None
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )

    def _access(self, name: str, placement: Placement, cluster: ArcClusterConfig) -> None:
        for group in cluster.admin_group_object_ids:
            # Cluster connect needs the Cluster User Role ("list cluster user credentials")
            # besides the Kubernetes role (articles/azure-arc/kubernetes/cluster-connect.md).
            for role, suffix in (
                (roles.ARC_KUBERNETES_CLUSTER_ADMIN, "admins"),
                (roles.ARC_CLUSTER_USER, "users"),
            ):
                assign_role(
                    f"{name}-{suffix}-{group[:8]}",
                    placement,
                    self.connected.id,
                    role,
                    group,
                    self,
                    principal_type="Group",
                )
        if cluster.azure_rbac:
            # Azure RBAC: the cluster's identity calls checkAccess for every request
            # (articles/azure-arc/kubernetes/azure-rbac.md; AKS on Azure Local likewise).
            assign_role(
                f"{name}-checkaccess",
                placement,
                self.connected.id,
                roles.CONNECTED_CLUSTER_CHECK_ACCESS_READER,
                self.connected.identity.apply(lambda identity: identity.principal_id),
                self,
            )
