"""Which detections one stack holds, and the config values their queries take."""

from __future__ import annotations

from components.config import PlatformConfig

from .catalog import Detection, QueryInputs, Source, required


def sources_of(config: PlatformConfig) -> frozenset[Source]:
    """The log sources that reach this stack's workspace.

    Identity logs only where the stack owns the tenant's Entra ID diagnostic setting, the
    activity log only where it owns the subscription's export (components/governance):
    each of those arrives in exactly one workspace, and a rule elsewhere would watch an
    empty table.
    """
    sources: set[Source] = {"keyvault"}
    if config.governance.owns_tenant_resources:
        sources.add("identity")
    if config.governance.owns_subscription_resources:
        sources.add("activity")
    if config.clusters:
        sources.add("aks")
    if config.clusters or config.arc_clusters:
        sources.add("flux")
    return frozenset(sources)


def query_inputs(config: PlatformConfig) -> QueryInputs:
    groups = sorted({g for cluster in config.clusters for g in cluster.admin_group_object_ids})
    return QueryInputs(
        break_glass_accounts=tuple(config.detection.break_glass_accounts),
        cluster_admin_groups=tuple(groups),
        privileged_namespaces=tuple(config.governance.policy.excluded_namespaces),
    )


def stack_detections(config: PlatformConfig) -> list[Detection]:
    return required(sources_of(config), query_inputs(config))
