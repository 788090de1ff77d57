"""Governance at subscription scope (issue 5): Defender for Containers' extensions, the
Azure Policy audits of each cluster kind, and the activity log in the workspace.

Complements governance.py (plans at Standard, the in-cluster assignments, Sentinel): these
are the parts of the same baseline a stack could quietly drop while still passing those.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..settings import PolicySettings
from .base import resource_rule, stack_rule
from .governance import (
    CONNECTED_CLUSTER,
    MANAGED_CLUSTER,
    POLICY_ASSIGNMENT,
    assignment_parameter,
    definition_guid,
    workspace_destination,
)
from .props import dig, is_true, items, text
from .view import StackView

SUBSCRIPTION_DIAGNOSTIC_SETTING = "azure-native:monitor:SubscriptionDiagnosticSetting"

# Microsoft.Security/pricings names (Microsoft.Security 2024-01-01): the API reports these
# two deprecated and replaced by Containers.
DEPRECATED_PLANS = {"ContainerRegistry": "Containers", "KubernetesService": "Containers"}
# Defender for Containers extensions (exact API names) and what each one gives.
CONTAINERS_EXTENSIONS = {
    "AgentlessDiscoveryForKubernetes": "agentless discovery of every cluster",
    "ContainerRegistriesVulnerabilityAssessments": "vulnerability scanning of registry images",
    "ContainerSensor": "runtime threat detection on the nodes",
}

# Built-in audit definitions (Azure/azure-policy, built-in-policies/policyDefinitions).
AKS_AUDITS = {
    "0a15ec92-a229-4763-bb14-0ea34a568f8d": "Azure Policy add-on",
    "a1840de2-8088-4ea8-b153-b4c723e9cb01": "Defender profile",
}
ARC_AUDITS = {
    "6b2122c1-8120-4ff5-801b-17625a355590": "Azure Policy extension",
    "8dfab9c4-fe7b-49ad-85e4-1e9be085358f": "Defender extension",
}

Findings = Iterator[tuple[str, str | None]]

# The activity-log categories that make up the subscription's audit trail.
AUDIT_TRAIL_CATEGORIES = ("Administrative", "Security", "Policy")


# ---- Defender for Containers


def containers_plan_complete(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    name = text(dig(props, "pricingName")) or text(dig(props, "name"))
    if name in DEPRECATED_PLANS:
        replacement = DEPRECATED_PLANS[name]
        yield f"Defender plan {name} is deprecated; declare {replacement} instead"
        return
    if name != "Containers":
        return
    enabled = {
        text(dig(extension, "name")): is_true(dig(extension, "isEnabled"))
        for extension in items(dig(props, "extensions"))
    }
    for extension, purpose in CONTAINERS_EXTENSIONS.items():
        if extension not in enabled:
            yield f"the Containers plan does not declare the {extension} extension ({purpose})"
        elif not enabled[extension]:
            yield f"the Containers plan disables the {extension} extension ({purpose})"


# ---- Azure Policy audits of the clusters' security agents


def cluster_agent_audits(view: StackView, _: PolicySettings) -> Findings:
    assigned: dict[str, list[Any]] = {}
    for assignment in view.of_type(POLICY_ASSIGNMENT):
        assigned.setdefault(definition_guid(assignment), []).append(assignment)
    wanted: list[tuple[str, dict[str, str]]] = []
    if view.of_type(MANAGED_CLUSTER):
        wanted.append(("AKS clusters", AKS_AUDITS))
    if view.of_type(CONNECTED_CLUSTER):
        wanted.append(("Arc-connected clusters", ARC_AUDITS))
    for kind, audits in wanted:
        for guid, agent in audits.items():
            found = assigned.get(guid, [])
            if not found:
                yield f"no assignment audits {kind} for the {agent} ({guid})", None
            for assignment in found:
                effect = assignment_parameter(assignment, "effect")
                if text(effect).lower() == "disabled":
                    message = f"the {agent} audit of {kind} has effect Disabled"
                    yield message, assignment.urn


# ---- subscription activity log


def activity_log_to_workspace(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.owns_subscription_resources or not view.is_azure_plan:
        return
    exports = view.of_type(SUBSCRIPTION_DIAGNOSTIC_SETTING)
    for export in exports:
        if _audit_trail_to_workspace(view, export):
            return
    missing = ", ".join(AUDIT_TRAIL_CATEGORIES)
    urn = exports[0].urn if exports else None
    yield f"the subscription activity log ({missing}) is not sent to the workspace", urn


def _audit_trail_to_workspace(view: StackView, export: Any) -> bool:
    if not workspace_destination(view, export):
        return False
    enabled = {
        text(dig(log, "category")) or f"group:{text(dig(log, 'categoryGroup'))}"
        for log in items(view.value(export, "logs"))
        if is_true(dig(log, "enabled"))
    }
    return "group:allLogs" in enabled or all(c in enabled for c in AUDIT_TRAIL_CATEGORIES)


RULES = [
    resource_rule("GOV-DEF-02", containers_plan_complete),
    stack_rule("GOV-POL-07", cluster_agent_audits),
    stack_rule("MON-ACT-01", activity_log_to_workspace),
]
