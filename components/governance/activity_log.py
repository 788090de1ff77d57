"""The subscription's activity log, sent to the owning stack's workspace.

The activity log records who changed what in the subscription: role assignments, policy
exemptions, Defender plan changes, deletions. Azure keeps it for 90 days only and outside
the workspace, so Sentinel and investigators would not see it. It is a subscription-wide
setting, so only the stack that owns the subscription declares it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from components.common import Placement

from . import definitions as d


@dataclass(frozen=True)
class ActivityLogExportArgs:
    placement: Placement
    workspace: operationalinsights.Workspace


class ActivityLogExport(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ActivityLogExportArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:governance:ActivityLogExport", name, None, opts)
        # SubscriptionDiagnosticSetting takes its subscription from the provider, which the
        # Platform pins to platform:subscriptionId, so it lands in the right subscription.
        self.setting = monitor.SubscriptionDiagnosticSetting(
            f"{name}-setting",
            name=f"activity-log-to-{args.placement.naming.workspace}",
            workspace_id=args.workspace.id,
            # Every category: Administrative and Security and Policy are the audit trail;
            # the others explain outages and autoscale events during an investigation.
            logs=[
                monitor.SubscriptionLogSettingsArgs(category=category, enabled=True)
                for category in d.ACTIVITY_LOG_CATEGORIES
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"diagnosticSettingId": self.setting.id})
