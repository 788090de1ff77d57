"""The roles the deploying identity needs for the governance resources (beyond its group).

Contributor on the environment's resource group covers the Sentinel onboarding state, but
not policy assignments (Contributor excludes Microsoft.Authorization writes) and not
subscription-wide resources. This module says which extra roles, at which scope, so the
GitHub deploy identity is granted exactly these and nothing wider.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from components import roles
from components.config import PlatformConfig

ScopeKind = Literal["subscription", "resourceGroup"]

# Monitoring Contributor: its Microsoft.Insights/DiagnosticSettings/* is what writes the
# subscription's activity-log diagnostic setting.
MONITORING_CONTRIBUTOR = roles.MONITORING_CONTRIBUTOR


class DeployRole(NamedTuple):
    scope: ScopeKind
    role: str


def required_deploy_roles(config: PlatformConfig) -> list[DeployRole]:
    """(scope kind, role definition GUID) pairs the deploy identity needs for governance.

    scope "resourceGroup" means the environment's resource group; "subscription" means
    platform:subscriptionId.
    """
    needed = [
        # Microsoft.Authorization/policyAssignments/write at the assignment scope.
        DeployRole(config.governance.policy.scope, roles.RESOURCE_POLICY_CONTRIBUTOR),
    ]
    if config.governance.owns_subscription_resources:
        needed += [
            # Microsoft.Security/* for the Defender plans (pricings) of the subscription.
            DeployRole("subscription", roles.SECURITY_ADMIN),
            # The subscription activity-log diagnostic setting.
            DeployRole("subscription", MONITORING_CONTRIBUTOR),
        ]
    return needed
