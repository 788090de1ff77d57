"""What the renderer needs to know about an environment, derived once from its config."""

from __future__ import annotations

from dataclasses import dataclass

from components.config import PlatformConfig, TenantConfig
from components.namespaces import backstop_exempt

# Namespaces the cluster, Azure and the platform's controllers run in. The Calico
# backstop policy leaves them alone: their components ship their own policies, and a
# default deny there would cut DNS, the API server or the extensions' Azure endpoints.
# The list is shared with the tenant-name check of the schema (components/namespaces.py).
SYSTEM_NAMESPACES: tuple[str, ...] = backstop_exempt()


@dataclass(frozen=True)
class ClusterFacts:
    environment: str
    name: str
    kubernetes_version: str


def clusters_of(config: PlatformConfig) -> list[ClusterFacts]:
    facts = [
        ClusterFacts(config.environment, c.name, c.kubernetes_version)
        for c in [*config.clusters, *config.arc_clusters]
    ]
    return sorted(facts, key=lambda cluster: cluster.name)


def hosts_of(config: PlatformConfig, tenant: TenantConfig) -> list[ClusterFacts]:
    """The clusters a tenant's namespace lives on (all of them unless it names some)."""
    chosen = set(tenant.clusters)
    return [c for c in clusters_of(config) if not chosen or c.name in chosen]


def hosted_tenants(config: PlatformConfig, cluster: str) -> list[TenantConfig]:
    tenants = [
        tenant
        for tenant in config.gitops.tenants
        if any(host.name == cluster for host in hosts_of(config, tenant))
    ]
    return sorted(tenants, key=lambda tenant: tenant.name)


def pod_security_version(config: PlatformConfig, tenant: TenantConfig) -> str:
    """Enforcement pinned to the oldest hosting cluster's minor (e.g. v1.32).

    Pinned, an upgrade never starts rejecting running workloads by surprise; audit and
    warn follow `latest`, so what the next version would reject shows up beforehand.
    """
    versions = [host.kubernetes_version for host in hosts_of(config, tenant)]
    oldest = min(versions, key=lambda v: tuple(int(part) for part in v.split(".")))
    return f"v{oldest}"
