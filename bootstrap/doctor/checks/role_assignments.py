"""Role assignments a person makes once: those the GitHub deploy identity cannot make.

The deploy identity holds Role Based Access Control Administrator on the environment's
resource group only, with an ABAC condition that lets it assign the platform's data roles
and nothing else (components/github.py DELEGABLE_ROLES). So every assignment in the plan
of another role, or at a scope outside that resource group (the subscription, the Pulumi
state), including the deploy identity's own, is created by the first `pulumi up`, run by
an administrator; CI re-applies them unchanged afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

from components import roles
from components.github import DELEGABLE_ROLES
from components.naming import Naming

from ..model import DoctorContext, Item

ORDER = 60
ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def check(context: DoctorContext) -> Iterator[Item]:
    for stack in context.stacks:
        config = stack.config
        group = (
            f"/subscriptions/{config.subscription_id}/resourceGroups/"
            f"{Naming.for_config(config).resource_group}"
        ).lower()
        for resource in context.plan(stack):
            if resource["type"] != ASSIGNMENT:
                continue
            inputs = resource.get("inputs") or {}
            role = str(inputs.get("roleDefinitionId", "")).rpartition("/")[2].lower()
            scope = str(inputs.get("scope", ""))
            inside = scope.lower() == group or scope.lower().startswith(group + "/")
            if role in DELEGABLE_ROLES and inside:
                continue
            name = roles.NAMES.get(role, role)
            why = (
                "outside the resource group the deploy identity may assign in"
                if role in DELEGABLE_ROLES
                else "a role the deploy identity may not assign (its condition allows only "
                "the platform's data roles)"
            )
            yield Item(
                "check",
                stack.name,
                f"one-time role assignment {name} at {scope} ({resource['name']}): {why}",
                verify=f"az role assignment list --scope {scope} --role {role} -o table",
                fix=(
                    f"pulumi preview --stack {stack.name} --policy-pack policies && "
                    f"pulumi up --stack {stack.name} --policy-pack policies, run once by "
                    "someone who may assign roles at that scope (Owner or User Access "
                    "Administrator there)"
                ),
            )
