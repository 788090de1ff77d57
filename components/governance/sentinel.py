"""Microsoft Sentinel on the environment's workspace: the SIEM reads the logs already there.

Every cluster, registry and vault already sends its audit logs to this workspace, and the
owning stack adds the subscription activity log; onboarding Sentinel turns that data into
analytics rules, incidents and hunting. On by default in production (monitoring.sentinel).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import operationalinsights, securityinsights

from components.common import Placement

from . import definitions as d


@dataclass(frozen=True)
class SentinelArgs:
    placement: Placement
    workspace: operationalinsights.Workspace


class Sentinel(pulumi.ComponentResource):
    def __init__(self, name: str, args: SentinelArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:governance:Sentinel", name, None, opts)
        self.onboarding = securityinsights.SentinelOnboardingState(
            f"{name}-onboarding",
            resource_group_name=args.placement.resource_group_name,
            workspace_name=args.workspace.name,
            sentinel_onboarding_state_name=d.SENTINEL_ONBOARDING_STATE,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"onboardingStateId": self.onboarding.id})
