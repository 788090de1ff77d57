"""Subscription-scope governance: Defender plans, Azure Policy assignments, Sentinel.

`Governance` is what the Platform builds; `check_subscription_owners` (for `bootstrap
plan`, across all stacks) and `required_deploy_roles` (for the GitHub deploy identity)
are pure functions of the config.
"""

from .component import Governance, GovernanceArgs
from .permissions import DeployRole, required_deploy_roles
from .policy_assignments import allowed_images_regex, assignment_specs
from .subscriptions import check_subscription_owners

__all__ = [
    "DeployRole",
    "Governance",
    "GovernanceArgs",
    "allowed_images_regex",
    "assignment_specs",
    "check_subscription_owners",
    "required_deploy_roles",
]
