"""The root of the stack schema: every `platform:*` key, and the rules that span sections."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .arc import ArcClusterConfig
from .base import AzureRegion, Guid, LocatedValueError, StrictModel, networks_overlap
from .clusters import ClusterConfig
from .detection import DetectionConfig
from .errors import key_path
from .github import MAX_FEDERATED_CREDENTIALS, GitHubConfig
from .gitops import GitOpsConfig
from .governance import GovernanceConfig
from .network import NetworkConfig
from .services import KeyVaultConfig, MonitoringConfig, RegistryConfig
from .state import StateConfig
from .supply_chain import BUILD_WORKFLOW_PATH, BuilderConfig, SupplyChainConfig
from .waivers import Waiver

_ENVIRONMENT = re.compile(r"^[a-z][a-z0-9]{1,9}$")


def _environment(value: str) -> str:
    if not _ENVIRONMENT.match(value):
        raise ValueError(
            f"'{value}' is not an environment name (2-10 lowercase letters and digits, "
            "starting with a letter, e.g. dev, staging, prod)"
        )
    return value


EnvironmentName = Annotated[str, AfterValidator(_environment)]


class PlatformConfig(StrictModel):
    """One environment (one Pulumi stack), validated and filled with secure defaults."""

    environment: EnvironmentName
    location: AzureRegion
    tenant_id: Guid
    subscription_id: Guid
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    clusters: list[ClusterConfig] = Field(default_factory=list)
    arc_clusters: list[ArcClusterConfig] = Field(default_factory=list)
    registry: RegistryConfig = Field(default_factory=RegistryConfig)
    key_vault: KeyVaultConfig = Field(default_factory=KeyVaultConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    governance: GovernanceConfig = Field(default_factory=GovernanceConfig)
    gitops: GitOpsConfig = Field(default_factory=GitOpsConfig)
    detection: DetectionConfig = Field(default_factory=DetectionConfig)
    github: GitHubConfig
    # The Pulumi state account and secrets key CI must reach; unset means CI is granted
    # nothing on them (`bootstrap doctor` reports it).
    state: StateConfig | None = None
    supply_chain: SupplyChainConfig = Field(default_factory=SupplyChainConfig)
    waivers: list[Waiver] = Field(default_factory=list)

    # ---- derived facts (one source of truth for components, renderer and policies) ----

    @property
    def is_production(self) -> bool:
        """Environments named prod* are production: stricter defaults, tighten-only overrides."""
        return self.environment.startswith("prod")

    @property
    def sentinel_enabled(self) -> bool:
        configured = self.monitoring.sentinel
        return self.is_production if configured is None else configured

    @property
    def detection_pages(self) -> bool:
        """Alert rules notify the action group (production), or only record (elsewhere)."""
        configured = self.detection.paging
        return self.is_production if configured is None else configured

    @property
    def pod_security_standard(self) -> str:
        configured = self.governance.policy.pod_security_standard
        if configured is not None:
            return configured
        return "restricted" if self.is_production else "baseline"

    @property
    def owns_branch_protection(self) -> bool:
        configured = self.github.owns_branch_protection
        owns = self.is_production if configured is None else configured
        return owns and self.github.manage_repository

    @property
    def repo_url(self) -> str:
        return self.gitops.repo_url or self.github.https_url

    @property
    def github_environment(self) -> str:
        return self.github.environment or self.environment

    # ---- supply chain (components/supply_chain.py, the renderer and the pack read these) ----

    @property
    def image_verification_enforcement(self) -> str:
        """Gatekeeper enforcementAction of the signed-images constraint."""
        configured = self.supply_chain.verification.enforcement
        return configured or ("deny" if self.is_production else "warn")

    @property
    def signing_subject(self) -> str:
        """The X.509 subject of the signing certificate: the one identity clusters trust."""
        configured = self.supply_chain.signing.subject
        owner = self.github.owner
        return configured or f"CN={owner} platform images {self.environment},O={owner}"

    @property
    def build_workflow_ref(self) -> str:
        """`job_workflow_ref` of the platform's reusable build workflow, as GitHub writes it."""
        workflow = f"{self.github.full_name}/{BUILD_WORKFLOW_PATH}"
        return f"{workflow}@{self.supply_chain.build_workflow_ref}"

    def builder_subject(self, builder: BuilderConfig) -> str:
        """The OIDC subject of a builder's job calling the platform workflow.

        With the repository's subject template set to include_claim_keys [repo, context,
        job_workflow_ref], GitHub writes `repo:ORG/REPO:<context>:job_workflow_ref:<path>@<ref>`
        (docs.github.com/en/actions/reference/security/oidc, "Example: Requiring a reusable
        workflow and other claims"), so only that workflow, called for that branch or
        environment, can obtain a token the signing identity trusts.
        """
        context = builder.context()
        return f"repo:{builder.repository}:{context}:job_workflow_ref:{self.build_workflow_ref}"

    @property
    def devops_connector_enabled(self) -> bool:
        configured = self.supply_chain.defender_for_dev_ops.enabled
        return self.owns_branch_protection if configured is None else configured

    def cluster_location(self, cluster: ClusterConfig | ArcClusterConfig) -> str:
        return cluster.location or self.location

    @property
    def cluster_names(self) -> list[str]:
        return [c.name for c in self.clusters] + [c.name for c in self.arc_clusters]

    # ---- rules that span sections ----

    @model_validator(mode="after")
    def _cross_section_rules(self) -> PlatformConfig:
        if not self.clusters and not self.arc_clusters:
            raise LocatedValueError(
                ("clusters",),
                "declare at least one cluster in platform:clusters or platform:arcClusters",
            )
        self._unique_cluster_names()
        self._non_overlapping_networks()
        self._tenant_clusters_exist()
        self._federated_credentials_fit()
        if self.is_production and self.governance.policy.enforcement_mode != "Default":
            raise LocatedValueError(
                ("governance", "policy", "enforcementMode"),
                "production enforces Azure Policy (expected Default); audit-only is for "
                "non-production environments",
            )
        # Asked to page without saying whom: an explicit contradiction. (Production pages by
        # default; there a missing receiver list is reported by the pack, DET-ALR-02, with
        # its remediation, so a minimal production stack still plans.)
        if self.detection.paging is True and not self.detection.action_group.has_receivers:
            raise LocatedValueError(
                ("detection", "actionGroup"),
                "detection.paging is true but nobody is paged: list "
                "detection.actionGroup.emails or webhooks",
            )
        if self.is_production and self.image_verification_enforcement != "deny":
            raise LocatedValueError(
                ("supplyChain", "verification", "enforcement"),
                "production denies unsigned images (expected deny); warn and dryrun are for "
                "non-production environments",
            )
        if self.location in self.registry.geo_replications:
            index = self.registry.geo_replications.index(self.location)
            raise LocatedValueError(
                ("registry", "geoReplications", index),
                f"'{self.location}' is the primary location; the registry already lives there",
            )
        return self

    def _unique_cluster_names(self) -> None:
        seen: set[str] = set()
        keyed = [(("clusters", i, "name"), c.name) for i, c in enumerate(self.clusters)]
        keyed += [(("arcClusters", i, "name"), c.name) for i, c in enumerate(self.arc_clusters)]
        for loc, name in keyed:
            if name in seen:
                raise LocatedValueError(loc, f"cluster name '{name}' is used twice")
            seen.add(name)

    def _non_overlapping_networks(self) -> None:
        spaces: list[tuple[tuple[str | int, ...], str]] = [
            (("network", "hub", "addressSpace"), self.network.hub.address_space)
        ]
        spaces += [
            (("clusters", i, "network", "addressSpace"), c.network.address_space)
            for i, c in enumerate(self.clusters)
        ]
        for index, (first_loc, first) in enumerate(spaces):
            for second_loc, second in spaces[index + 1 :]:
                if networks_overlap(first, second):
                    raise LocatedValueError(
                        second_loc, f"{second} overlaps {key_path(first_loc)} {first}"
                    )
        kubernetes_ranges = {
            ("network", "podCidr"): self.network.pod_cidr,
            ("network", "serviceCidr"): self.network.service_cidr,
        }
        for loc, space in spaces:
            for range_loc, cidr in kubernetes_ranges.items():
                if networks_overlap(space, cidr):
                    raise LocatedValueError(loc, f"{space} overlaps {key_path(range_loc)} {cidr}")
        for range_loc, cidr in kubernetes_ranges.items():
            if ipaddress.IPv4Network(cidr).prefixlen > 24:
                raise LocatedValueError(range_loc, f"{cidr} is too small (expected /24 or larger)")

    def _tenant_clusters_exist(self) -> None:
        known = set(self.cluster_names)
        arc = {c.name for c in self.arc_clusters}
        for index, tenant in enumerate(self.gitops.tenants):
            if tenant.key_vault and arc and (not tenant.clusters or arc & set(tenant.clusters)):
                raise LocatedValueError(
                    ("gitops", "tenants", index, "clusters"),
                    f"tenant '{tenant.name}' uses keyVault, which needs workload identity "
                    "federation: list only AKS clusters here (Arc clusters expose no OIDC "
                    f"issuer to federate with: {', '.join(sorted(arc))})",
                )
            for position, cluster in enumerate(tenant.clusters):
                if cluster not in known:
                    raise LocatedValueError(
                        ("gitops", "tenants", index, "clusters", position),
                        f"tenant '{tenant.name}' names cluster '{cluster}', which is not "
                        f"declared (known: {', '.join(sorted(known))})",
                    )

    def _federated_credentials_fit(self) -> None:
        """Federated credentials per identity: unique subjects, at most 20 (Microsoft Entra)."""
        default = self.github.environment_subject(self.github_environment)
        for index, subject in enumerate(self.github.extra_subjects):
            if subject == default:
                raise LocatedValueError(
                    ("github", "extraSubjects", index),
                    f"'{subject}' is already trusted (the environment's own subject); Microsoft "
                    "Entra refuses a second credential with the same issuer and subject",
                )
        aks = [c.name for c in self.clusters]
        for index, tenant in enumerate(self.gitops.tenants):
            # A Key Vault tenant's identity gets one credential per AKS cluster hosting it.
            hosts = tenant.clusters or aks
            if tenant.key_vault and len(hosts) > MAX_FEDERATED_CREDENTIALS:
                raise LocatedValueError(
                    ("gitops", "tenants", index, "clusters"),
                    f"tenant '{tenant.name}' uses keyVault on {len(hosts)} clusters, one "
                    "federated credential each on its identity; Microsoft Entra allows at most "
                    f"{MAX_FEDERATED_CREDENTIALS} per identity (list the clusters that host it)",
                )
