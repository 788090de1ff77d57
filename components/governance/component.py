"""Governance of one environment: Defender, Azure Policy, Sentinel and the activity log."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import operationalinsights

from components.common import Placement

from .activity_log import ActivityLogExport, ActivityLogExportArgs
from .defender import DefenderPlans, DefenderPlansArgs
from .policy_assignments import PolicyAssignments, PolicyAssignmentsArgs
from .sentinel import Sentinel, SentinelArgs


@dataclass(frozen=True)
class GovernanceArgs:
    placement: Placement
    # The environment's Log Analytics workspace (components.monitoring).
    workspace: operationalinsights.Workspace


class Governance(pulumi.ComponentResource):
    def __init__(self, name: str, args: GovernanceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:governance:Governance", name, None, opts)
        placement = args.placement
        config = placement.config
        child = pulumi.ResourceOptions(parent=self)

        self.policy_assignments = PolicyAssignments(
            f"{name}-policy",
            PolicyAssignmentsArgs(config, placement.resource_group_id, args.workspace.id),
            child,
        )
        # Subscription-wide resources: only the stack that owns the subscription declares
        # them, so stacks sharing a subscription never fight over one Defender plan.
        self.defender: DefenderPlans | None = None
        self.activity_log: ActivityLogExport | None = None
        if config.governance.owns_subscription_resources:
            self.defender = DefenderPlans(f"{name}-defender", DefenderPlansArgs(config), child)
            self.activity_log = ActivityLogExport(
                f"{name}-activity-log", ActivityLogExportArgs(placement, args.workspace), child
            )
        self.sentinel: Sentinel | None = None
        if config.sentinel_enabled:
            self.sentinel = Sentinel(
                f"{name}-sentinel", SentinelArgs(placement, args.workspace), child
            )
        self.register_outputs(
            {
                "policyAssignments": sorted(self.policy_assignments.assignments),
                "defenderPlans": sorted(self.defender.pricings) if self.defender else [],
                "sentinel": self.sentinel is not None,
            }
        )
