"""Checks across stacks that one stack alone cannot make: who owns each subscription.

Defender plans and the activity-log export are subscription-wide (components.ownership).
"""

from __future__ import annotations

from collections.abc import Mapping

from components.config import PlatformConfig
from components.ownership import check_one_owner


def check_subscription_owners(configs: Mapping[str, PlatformConfig]) -> None:
    """Raises ValueError (one line) unless every subscription is governed coherently.

    `configs` must hold every stack of the project (components.ownership). Checked:

    - exactly one stack per subscription sets governance.ownsSubscriptionResources (none:
      no Defender plans at all; two: both overwrite the same plans on every deploy);
    - no stack in a shared subscription assigns policies at subscription scope, where its
      registry-only image rule would deny the other environments' images.
    """
    stacks_by_subscription = check_one_owner(
        configs,
        lambda config: config.subscription_id,
        lambda config: config.governance.owns_subscription_resources,
        none="subscription {scope} (stacks {stacks}) has no owning stack: set "
        "platform:governance.ownsSubscriptionResources true in exactly one of them, or its "
        "Defender plans and activity-log export are never declared",
        several="subscription {scope} is owned by stacks {owners}: set "
        "platform:governance.ownsSubscriptionResources false in all but one, or they "
        "overwrite each other's Defender plans and activity-log export",
    )
    for subscription, stacks in stacks_by_subscription.items():
        if len(stacks) > 1:
            wide = [s for s in stacks if configs[s].governance.policy.scope == "subscription"]
            if wide:
                others = ", ".join(s for s in stacks if s != wide[0])
                raise ValueError(
                    f"stack {wide[0]} assigns policies at subscription scope in subscription "
                    f"{subscription}, which it shares with {others}: "
                    "set platform:governance.policy.scope resourceGroup, or its allowed-images "
                    "rule denies the other environments' registries"
                )
