"""The Entra ID diagnostic setting: who may create it, and the licence its sign-in logs need.

The stack that owns an Entra ID tenant (governance.ownsTenantResources) declares the
tenant's `microsoft.aadiam` diagnostic setting. Creating it needs "at least the Security
Administrator role in the Microsoft Entra tenant" (MicrosoftDocs/entra-docs docs/identity/
monitoring-health/howto-integrate-activity-logs-with-azure-monitor-logs.yml,
prerequisites), a directory role no Azure role assignment gives, so the first `pulumi up`
of that stack is run by a person who holds it (CI re-applies the setting unchanged
afterwards, which calls no write). Exporting sign-in logs needs a Microsoft Entra ID P1 or
P2 licence in the tenant (Microsoft Sentinel data connectors reference, "Azure Active
Directory": "P1 or P2 license for sign-in logs"; MicrosoftDocs/azure-docs articles/
sentinel/data-connectors-reference.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import DoctorContext, Item

ORDER = 65
# Security Administrator's role template ID (MicrosoftDocs/entra-docs docs/identity/
# role-based-access-control/permissions-reference.md, "Security Administrator").
SECURITY_ADMINISTRATOR = "194ae4cb-b126-40b2-bd5b-6091b380977d"
GRAPH = "https://graph.microsoft.com/v1.0"


def check(context: DoctorContext) -> Iterator[Item]:
    for stack in context.stacks:
        config = stack.config
        if not config.governance.owns_tenant_resources:
            continue
        tenant = config.tenant_id
        yield Item(
            "check",
            stack.name,
            f"whoever runs the first `pulumi up` of {stack.name} holds Security Administrator "
            f"(or Global Administrator) in Entra ID tenant {tenant}: it creates the tenant's "
            "diagnostic setting (sign-in and audit logs to the workspace)",
            verify=(
                f'az rest --method get --url "{GRAPH}/me/transitiveMemberOf/'
                'microsoft.graph.directoryRole?$select=displayName,roleTemplateId"'
            ),
            fix=(
                f"a Privileged Role Administrator runs: az rest --method post --url "
                f"{GRAPH}/roleManagement/directory/roleAssignments --body "
                f'\'{{"principalId": "<object ID of that person>", "roleDefinitionId": '
                f'"{SECURITY_ADMINISTRATOR}", "directoryScopeId": "/"}}\''
            ),
        )
        yield Item(
            "check",
            stack.name,
            f"Entra ID tenant {tenant} has a Microsoft Entra ID P1 or P2 licence (needed to "
            "export sign-in logs)",
            verify=f'az rest --method get --url "{GRAPH}/subscribedSkus?$select=skuPartNumber"',
            fix="assign Microsoft Entra ID P1 (or P2, or a suite that includes it) in the "
            "Microsoft 365 admin center",
        )
