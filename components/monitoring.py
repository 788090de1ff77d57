"""Log Analytics, Container Insights and diagnostic settings for every platform resource.

Every AKS cluster, registry and vault sends its control-plane and audit logs to the
environment's workspace, which is where Defender, Sentinel and incident responders read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from components.common import Placement

DiagnosticKind = Literal["aks", "registry", "keyvault"]

# AKS: kube-audit-admin records every write (without the read noise of kube-audit) and
# guard records Entra ID authentication decisions; both are the incident trail.
AKS_LOG_CATEGORIES = (
    "kube-apiserver",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "cloud-controller-manager",
    "guard",
    "csi-azuredisk-controller",
    "csi-azurefile-controller",
    "csi-snapshot-controller",
)


@dataclass(frozen=True)
class MonitoringArgs:
    placement: Placement


class Monitoring(pulumi.ComponentResource):
    """The environment's Log Analytics workspace."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:monitoring:Monitoring", name, None, opts)
        placement = args.placement
        settings = placement.config.monitoring
        self.workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            workspace_name=placement.naming.workspace,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=settings.retention_days,
            features=operationalinsights.WorkspaceFeaturesArgs(
                # Entra ID only: shared keys could be used to inject or read logs unaudited.
                disable_local_auth=not settings.local_auth,
                # Readers see only the logs of resources they already have access to.
                enable_log_access_using_only_resource_permissions=True,
            ),
            workspace_capping=(
                operationalinsights.WorkspaceCappingArgs(daily_quota_gb=settings.daily_quota_gb)
                if settings.daily_quota_gb is not None
                else None
            ),
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"workspaceId": self.workspace.id})


def diagnostic_setting(
    name: str,
    target_id: pulumi.Input[str],
    kind: DiagnosticKind,
    workspace: operationalinsights.Workspace,
    parent: pulumi.Resource,
) -> monitor.DiagnosticSetting:
    """Sends a resource's logs and metrics to the workspace (resource-specific tables)."""
    if kind == "aks":
        logs = [
            monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in AKS_LOG_CATEGORIES
        ]
    else:
        logs = [monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)]
    return monitor.DiagnosticSetting(
        f"{name}-diagnostics",
        name="to-log-analytics",
        resource_uri=target_id,
        workspace_id=workspace.id,
        log_analytics_destination_type="Dedicated",
        logs=logs,
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def container_insights(
    name: str,
    placement: Placement,
    cluster_id: pulumi.Input[str],
    location: str,
    workspace: operationalinsights.Workspace,
    parent: pulumi.Resource,
    rule_name: str | None = None,
    destination: str = "ciworkspace",
    depends_on: list[pulumi.Resource] | None = None,
) -> monitor.DataCollectionRuleAssociation:
    """The data collection rule the Container Insights agent uses with Entra ID auth, and
    its association with the cluster (named ContainerInsightsExtension, which the agent
    looks up).

    Arc clusters pass the rule name and destination Microsoft's k8s-extension handler uses
    (Azure/azure-cli-extensions src/k8s-extension/azext_k8s_extension/partner_extensions/
    ContainerInsights.py `_ensure_container_insights_dcr_for_monitoring`: rule
    `MSCI-<workspace region>-<cluster name>` cut to 64 characters in the workspace's region,
    destination `la-workspace`) and wait for the cluster to run (`depends_on`).
    """
    stream = "Microsoft-ContainerInsights-Group-Default"
    rule = monitor.DataCollectionRule(
        f"{name}-insights-dcr",
        data_collection_rule_name=rule_name or f"MSCI-{location}-{name}",
        resource_group_name=placement.resource_group_name,
        location=location,
        kind="Linux",
        data_sources=monitor.DataCollectionRuleDataSourcesArgs(
            extensions=[
                monitor.ExtensionDataSourceArgs(
                    name="ContainerInsightsExtension",
                    extension_name="ContainerInsights",
                    streams=[stream],
                    extension_settings={
                        "dataCollectionSettings": {
                            "interval": "1m",
                            "namespaceFilteringMode": "Off",
                            "enableContainerLogV2": True,
                        }
                    },
                )
            ]
        ),
        destinations=monitor.DataCollectionRuleDestinationsArgs(
            log_analytics=[
                monitor.LogAnalyticsDestinationArgs(
                    name=destination, workspace_resource_id=workspace.id
                )
            ]
        ),
        data_flows=[monitor.DataFlowArgs(streams=[stream], destinations=[destination])],
        tags=placement.tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on or [])),
    )
    return monitor.DataCollectionRuleAssociation(
        f"{name}-insights-dcra",
        association_name="ContainerInsightsExtension",
        resource_uri=cluster_id,
        data_collection_rule_id=rule.id,
        description="routes monitoring data to a Log Analytics workspace",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on or [])),
    )
