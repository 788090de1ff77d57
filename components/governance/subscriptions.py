"""Checks across stacks that one stack alone cannot make: who owns each subscription.

Defender plans and the activity-log export are subscription-wide. `pulumi up` runs one
stack and cannot see the others, so these checks belong to the offline `bootstrap plan`,
which reads every stack file at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from components.config import PlatformConfig


def check_subscription_owners(configs: Mapping[str, PlatformConfig]) -> None:
    """Raises ValueError (one line) unless every subscription is governed coherently.

    `configs` maps stack name to its validated config and must hold every stack of the
    project (all files in the stack directory), not only those selected for a plan: a
    subscription's owner may be a stack that is not being planned. Checked:

    - exactly one stack per subscription sets governance.ownsSubscriptionResources (none:
      no Defender plans at all; two: both overwrite the same plans on every deploy);
    - no stack in a shared subscription assigns policies at subscription scope, where its
      registry-only image rule would deny the other environments' images.
    """
    stacks_by_subscription: dict[str, list[str]] = defaultdict(list)
    for stack, config in configs.items():
        stacks_by_subscription[config.subscription_id].append(stack)
    for subscription, stacks in sorted(stacks_by_subscription.items()):
        stacks.sort()
        owners = [s for s in stacks if configs[s].governance.owns_subscription_resources]
        if not owners:
            raise ValueError(
                f"subscription {subscription} (stacks {', '.join(stacks)}) has no owning "
                "stack: set platform:governance.ownsSubscriptionResources true in exactly "
                "one of them, or its Defender plans and activity-log export are never declared"
            )
        if len(owners) > 1:
            raise ValueError(
                f"subscription {subscription} is owned by stacks {' and '.join(owners)}: set "
                "platform:governance.ownsSubscriptionResources false in all but one, or they "
                "overwrite each other's Defender plans and activity-log export"
            )
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
