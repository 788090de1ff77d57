"""Who owns each Entra ID tenant's diagnostic setting: exactly one stack per tenant.

The setting is a tenant resource (`microsoft.aadiam/diagnosticSettings`): two stacks of one
tenant declaring it would each send every sign-in to their own workspace (paying twice)
or, with the same name, overwrite each other; none would leave the identity logs and the
identity detections out. Only `bootstrap plan` sees every stack (components.ownership).
"""

from __future__ import annotations

from collections.abc import Mapping

from components.config import PlatformConfig
from components.ownership import check_one_owner


def check_tenant_owners(configs: Mapping[str, PlatformConfig]) -> None:
    """Raises ValueError (one line) unless each tenant has exactly one owning stack.

    `configs` must hold every stack of the project (components.ownership).
    """
    check_one_owner(
        configs,
        lambda config: config.tenant_id,
        lambda config: config.governance.owns_tenant_resources,
        none="Entra ID tenant {scope} (stacks {stacks}) has no owning stack: set "
        "platform:governance.ownsTenantResources true in exactly one of them, or its sign-in "
        "and audit logs never reach a workspace",
        several="Entra ID tenant {scope} is owned by stacks {owners}: set "
        "platform:governance.ownsTenantResources false in all but one, or each exports the "
        "tenant's sign-in and audit logs again",
    )
