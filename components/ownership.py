"""Resources that exist once per scope (a subscription, an Entra ID tenant, a repository).

Exactly one stack of each scope may declare them: none leaves them undeclared, two
overwrite each other on every deploy. `pulumi up` runs one stack and cannot see the
others, so these checks belong to the offline `bootstrap plan`, which reads every stack
file at once (components.governance.check_subscription_owners,
components.github.check_branch_protection_owners,
components.detection.owners.check_tenant_owners).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

from components.config import PlatformConfig


def check_one_owner(
    configs: Mapping[str, PlatformConfig],
    scope: Callable[[PlatformConfig], str | None],
    owns: Callable[[PlatformConfig], bool],
    *,
    none: str,
    several: str,
) -> dict[str, list[str]]:
    """Raises ValueError (one line) unless each scope has exactly one owning stack.

    `configs` maps stack name to its validated config and must hold every stack of the
    project (all files in the stack directory), not only those selected for a plan: a
    scope's owner may be a stack that is not being planned. `scope` names a stack's scope
    (None: the stack takes no part); `none` and `several` are the error lines, formatted
    with {scope}, {stacks} (the scope's stacks) and {owners}. Returns each scope's stacks,
    sorted, by scope.
    """
    stacks_by_scope: dict[str, list[str]] = defaultdict(list)
    for stack, config in sorted(configs.items()):
        key = scope(config)
        if key is not None:
            stacks_by_scope[key].append(stack)
    for key, stacks in sorted(stacks_by_scope.items()):
        owners = [s for s in stacks if owns(configs[s])]
        if len(owners) != 1:
            message = several if owners else none
            raise ValueError(
                message.format(scope=key, stacks=", ".join(stacks), owners=" and ".join(owners))
            )
    return dict(sorted(stacks_by_scope.items()))
