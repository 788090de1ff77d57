"""Who owns each Entra ID tenant's diagnostic setting: exactly one stack per tenant.

The setting is a tenant resource (`microsoft.aadiam/diagnosticSettings`): two stacks of one
tenant declaring it would each send every sign-in to their own workspace (paying twice)
or, with the same name, overwrite each other; none would leave the identity logs and the
identity detections out. `pulumi up` sees one stack only, so `bootstrap plan`, which reads
every stack file, checks it (like components.governance.check_subscription_owners).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from components.config import PlatformConfig


def check_tenant_owners(configs: Mapping[str, PlatformConfig]) -> None:
    """Raises ValueError (one line) unless each tenant has exactly one owning stack.

    `configs` must hold every stack of the project (see check_subscription_owners).
    """
    stacks_by_tenant: dict[str, list[str]] = defaultdict(list)
    for stack, config in configs.items():
        stacks_by_tenant[config.tenant_id].append(stack)
    for tenant, stacks in sorted(stacks_by_tenant.items()):
        stacks.sort()
        owners = [s for s in stacks if configs[s].governance.owns_tenant_resources]
        if not owners:
            raise ValueError(
                f"Entra ID tenant {tenant} (stacks {', '.join(stacks)}) has no owning stack: "
                "set platform:governance.ownsTenantResources true in exactly one of them, or "
                "its sign-in and audit logs never reach a workspace"
            )
        if len(owners) > 1:
            raise ValueError(
                f"Entra ID tenant {tenant} is owned by stacks {' and '.join(owners)}: set "
                "platform:governance.ownsTenantResources false in all but one, or each "
                "exports the tenant's sign-in and audit logs again"
            )
