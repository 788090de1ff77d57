"""Flux on a cluster: the microsoft.flux extension and the FluxConfiguration that reconciles
gitops/ (infrastructure, then tenants, then apps) from this repository.

Clusters pull their desired state; CI never holds cluster credentials. The same component
serves AKS (Microsoft.ContainerService/managedClusters) and Azure Arc clusters
(Microsoft.Kubernetes/connectedClusters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import kubernetesconfiguration as kc

from components import gitops_layout as layout
from components.common import Placement
from components.config import PlatformConfig
from components.deploy_key import DeployKey

FLUX_EXTENSION_TYPE = "microsoft.flux"

# Extension settings, each stated explicitly even where it matches today's default, so a
# changed default in a future extension version cannot silently weaken a cluster.
FLUX_EXTENSION_SETTINGS: dict[str, str] = {
    # --no-cross-namespace-refs and --default-service-account=flux-applier on every
    # controller: a tenant's Flux objects can neither read another namespace's sources or
    # secrets nor apply anything beyond what its namespace's flux-applier may do.
    "multiTenancy.enforce": "true",
    # Image automation writes to git and polls registries; nothing here uses it, so its
    # controllers (and their credentials) are not installed at all.
    "image-automation-controller.enabled": "false",
    "image-reflector-controller.enabled": "false",
}

# Intervals (seconds). The source is polled at the configured interval; Kustomizations
# re-apply at the same pace (undoing manual drift) and retry a failed apply sooner.
SOURCE_TIMEOUT_SECONDS = 180
KUSTOMIZATION_TIMEOUT_SECONDS = 600
KUSTOMIZATION_RETRY_SECONDS = 120

AKS = ("Microsoft.ContainerService", "managedClusters")
ARC = ("Microsoft.Kubernetes", "connectedClusters")
_SUPPORTED = {AKS, ARC}


@dataclass(frozen=True)
class ClusterFluxArgs:
    placement: Placement
    # The cluster's name in the stack config (e.g. "dev1"): selects its gitops/ paths.
    cluster_name: str
    # The cluster's ARM resource name (e.g. "aks-plat-dev-dev1").
    cluster_resource_name: pulumi.Input[str]
    # "Microsoft.ContainerService" (AKS) or "Microsoft.Kubernetes" (Arc).
    cluster_rp: str
    # "managedClusters" (AKS) or "connectedClusters" (Arc).
    cluster_type: str
    # postBuild.substitute of the tenants and apps Kustomizations (see flux_substitutions).
    substitutions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # postBuild.substitute of the verification Kustomization (verification_substitutions).
    verification_substitutions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    # Base64 PEM deploy key (a Pulumi secret) for auth sshKey; see deploy_key().
    ssh_private_key: pulumi.Input[str] | None = None


class ClusterFlux(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ClusterFluxArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:flux:ClusterFlux", name, None, opts)
        if (args.cluster_rp, args.cluster_type) not in _SUPPORTED:
            raise ValueError(
                f"cluster {args.cluster_name}: unsupported cluster type "
                f"{args.cluster_rp}/{args.cluster_type} (expected "
                f"{AKS[0]}/{AKS[1]} or {ARC[0]}/{ARC[1]})"
            )
        is_arc = (args.cluster_rp, args.cluster_type) == ARC
        config = args.placement.config
        gitops = config.gitops
        if gitops.auth == "sshKey" and args.ssh_private_key is None:
            raise ValueError(f"cluster {args.cluster_name}: auth sshKey needs the deploy key")
        cluster = {
            "cluster_name": args.cluster_resource_name,
            "cluster_rp": args.cluster_rp,
            "cluster_resource_name": args.cluster_type,
            "resource_group_name": args.placement.resource_group_name,
        }
        self.extension = kc.Extension(
            f"{name}-extension",
            extension_name=layout.FLUX_EXTENSION_NAME,
            extension_type=FLUX_EXTENSION_TYPE,
            # Security fixes arrive without a pull request; majors stay a deliberate change.
            auto_upgrade_minor_version=True,
            release_train="Stable",
            scope=kc.ScopeArgs(
                cluster=kc.ScopeClusterArgs(release_namespace=layout.FLUX_NAMESPACE)
            ),
            # Arc extensions authenticate to Azure with their own identity.
            identity=kc.IdentityArgs(type="SystemAssigned") if is_arc else None,
            configuration_settings=dict(FLUX_EXTENSION_SETTINGS),
            **cluster,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.configuration = kc.FluxConfiguration(
            f"{name}-config",
            flux_configuration_name=layout.FLUX_CONFIGURATION_NAME,
            scope="cluster",
            namespace=layout.FLUX_NAMESPACE,
            source_kind="GitRepository",
            git_repository=kc.GitRepositoryDefinitionArgs(
                url=config.repo_url,
                repository_ref=kc.RepositoryRefDefinitionArgs(branch=gitops.branch),
                sync_interval_in_seconds=gitops.sync_interval_seconds,
                timeout_in_seconds=SOURCE_TIMEOUT_SECONDS,
            ),
            kustomizations=_kustomizations(
                config, args.cluster_name, args.substitutions, args.verification_substitutions
            ),
            configuration_protected_settings=(
                {"sshPrivateKey": pulumi.Output.secret(args.ssh_private_key)}
                if args.ssh_private_key is not None
                else None
            ),
            **cluster,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.extension]),
        )
        self.register_outputs(
            {"extensionId": self.extension.id, "configurationId": self.configuration.id}
        )


def _kustomizations(
    config: PlatformConfig,
    cluster: str,
    substitutions: Mapping[str, pulumi.Input[str]],
    verification: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, kc.KustomizationDefinitionArgs]:
    # infrastructure -> tenants -> apps; the Calico backstop and the image verifier only
    # after infrastructure.
    after = {layout.TENANTS: layout.INFRASTRUCTURE, layout.APPS: layout.TENANTS}
    after[layout.CALICO] = layout.INFRASTRUCTURE
    after[layout.VERIFIER] = layout.INFRASTRUCTURE
    after[layout.IMAGE_POLICY] = layout.VERIFIER
    # Infrastructure is cluster-wide baseline only; IDs are needed from tenants on.
    variables = {
        layout.TENANTS: substitutions,
        layout.APPS: substitutions,
        layout.VERIFIER: verification or {},
        layout.IMAGE_POLICY: verification or {},
    }
    interval = config.gitops.sync_interval_seconds
    return {
        kustomization: kc.KustomizationDefinitionArgs(
            path=layout.kustomization_path(config.environment, cluster, kustomization),
            depends_on=[after[kustomization]] if kustomization in after else None,
            # Objects removed from git are removed from the cluster.
            prune=True,
            # Dependants start only once everything here is ready (health-checked).
            wait=True,
            sync_interval_in_seconds=interval,
            timeout_in_seconds=KUSTOMIZATION_TIMEOUT_SECONDS,
            retry_interval_in_seconds=KUSTOMIZATION_RETRY_SECONDS,
            post_build=kc.PostBuildDefinitionArgs(substitute=dict(variables[kustomization]))
            if variables.get(kustomization)
            else None,
        )
        for kustomization in layout.kustomizations_of(config, cluster)
    }


def flux_substitutions(
    config: PlatformConfig, client_ids: Mapping[str, pulumi.Input[str]]
) -> dict[str, pulumi.Input[str]]:
    """The postBuild variables the rendered tenants refer to (components.gitops_layout)."""
    substitutions: dict[str, pulumi.Input[str]] = {
        layout.AZURE_TENANT_ID_VARIABLE: config.tenant_id,
    }
    for tenant, client_id in sorted(client_ids.items()):
        substitutions[layout.client_id_variable(tenant)] = client_id
    return substitutions


def verification_substitutions(
    config: PlatformConfig, verifier_client_id: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    """The postBuild variables the rendered verifier refers to (identifiers, not secrets)."""
    return {
        layout.AZURE_TENANT_ID_VARIABLE: config.tenant_id,
        layout.VERIFIER_CLIENT_ID_VARIABLE: verifier_client_id,
    }


def deploy_key(
    name: str,
    config: PlatformConfig,
    vault_name: pulumi.Input[str],
    parent: pulumi.Resource,
    vault_access: Sequence[pulumi.Resource] = (),
) -> pulumi.Output[str] | None:
    """The deploy key for auth sshKey (one read per stack), or None for a public repo.

    `vault_access` is what a data-plane read of the private vault needs first: its private
    endpoint and the DNS record that resolves the vault to it (components.network
    PrivateAccess.ready). Checked in every plan by HAZ-KV-01.
    """
    gitops = config.gitops
    if gitops.auth != "sshKey" or gitops.ssh_key_secret_name is None:
        return None
    key = DeployKey(
        name,
        vault_name,
        gitops.ssh_key_secret_name,
        pulumi.ResourceOptions(parent=parent, depends_on=list(vault_access) or None),
    )
    return pulumi.Output.secret(key.ssh_private_key)
