"""Planned maintenance: when AKS may upgrade the control plane and the node images."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import containerservice

from components.config import ClusterConfig
from components.config.clusters import MaintenanceWindowConfig

# The two schedule names AKS reads for auto-upgrade and node OS upgrade.
AUTO_UPGRADE_SCHEDULE = "aksManagedAutoUpgradeSchedule"
NODE_OS_SCHEDULE = "aksManagedNodeOSUpgradeSchedule"


def maintenance_schedules(
    name: str,
    cluster: ClusterConfig,
    resource_group_name: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    parent: pulumi.Resource,
) -> None:
    windows = {
        AUTO_UPGRADE_SCHEDULE: cluster.maintenance.auto_upgrade,
        NODE_OS_SCHEDULE: cluster.maintenance.node_os,
    }
    for config_name, window in windows.items():
        containerservice.MaintenanceConfiguration(
            f"{name}-{config_name}",
            config_name=config_name,
            resource_name_=cluster_name,
            resource_group_name=resource_group_name,
            maintenance_window=_window(window),
            opts=pulumi.ResourceOptions(parent=parent),
        )


def _window(window: MaintenanceWindowConfig) -> containerservice.MaintenanceWindowArgs:
    return containerservice.MaintenanceWindowArgs(
        schedule=containerservice.ScheduleArgs(
            weekly=containerservice.WeeklyScheduleArgs(
                day_of_week=window.day_of_week, interval_weeks=window.interval_weeks
            )
        ),
        duration_hours=window.duration_hours,
        start_time=window.start_time,
        utc_offset=window.utc_offset,
    )
