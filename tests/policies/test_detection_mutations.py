"""Detection controls (issue 14): the secure plan passes them, each variant below is caught.

Same machinery as test_policy_mutations.py (its table's helpers), in a table of its own so
the detection family stays together; test_every_control_has_an_insecure_variant counts it.
Every row is also judged as a first `pulumi preview` hands the pack the plan.
"""

# ruff: noqa: E501

from __future__ import annotations

import copy

import pytest
from secure_plan import SUBSCRIPTION_ID, secure_resources
from test_policy_mutations import DELETE, Mutation, _failing, append, m, remove, set_

from bootstrap.engine.preview import preview_plan
from policies.catalog import load_catalog
from policies.evaluator import evaluate

QUERY = ("criteria", "allOf", 0, "query")
OTHER_GROUP = "/subscriptions/00000000-0000-0000-0000-0000000000b1/resourceGroups/rg-plat-dev/providers/Microsoft.Insights/actionGroups/somebody-else"

DETECTION_MUTATIONS = [
    # ---- identity logs in the workspace (owning stack)
    m("DET-LOG-01", "no entra export", remove("entra-logs")),
    m("DET-LOG-01", "sign-in logs left out", set_("entra-logs", ("logs",), [{"category": "AuditLogs", "enabled": True}])),
    m("DET-LOG-01", "non-interactive sign-ins disabled", set_("entra-logs", ("logs", 2, "enabled"), False)),
    m("DET-LOG-01", "export to storage only", set_("entra-logs", ("workspaceId",), DELETE)),
    m("DET-LOG-01", "second export by a stack that does not own the tenant", owns_tenant_resources=False),
    # ---- every detection exists and is enabled
    m("DET-ALR-01", "disabled-account rule removed", remove("alert-disabled-account-sign-in")),
    m("DET-ALR-01", "exec rule disabled", set_("alert-pod-exec", ("enabled",), False)),
    m("DET-ALR-01", "flux rule untagged", set_("alert-flux-reconciliation-failure", ("tags",), {})),
    m("DET-ALR-01", "key vault rule reads another table", set_("alert-key-vault-access-denied", QUERY, "AzureDiagnostics | take 1")),
    m("DET-ALR-01", "role assignment rule on a registry", set_("alert-role-assignment-change", ("scopes",), ["/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr"])),
    m("DET-ALR-01", "break-glass rule removed while accounts are listed", remove("alert-break-glass-sign-in")),
    m("DET-ALR-01", "cluster-admin rule removed", remove("alert-cluster-admin-activity")),
    # ---- production pages someone
    m("DET-ALR-02", "no action group on a rule", set_("alert-privileged-pod", ("actions",), DELETE), production=True),
    m("DET-ALR-02", "empty action list", set_("alert-pod-exec", ("actions", "actionGroups"), []), production=True),
    m("DET-ALR-02", "action group without receivers", set_("action-group", ("emailReceivers",), []), production=True),
    m("DET-ALR-02", "action group disabled", set_("action-group", ("enabled",), False), production=True),
    m("DET-ALR-02", "rule names an ID that is no action group", set_("alert-pod-exec", ("actions", "actionGroups"), [OTHER_GROUP.replace("actionGroups", "workspaces")]), production=True),
    # ---- Sentinel analytics where Sentinel is on
    m("DET-SEN-01", "analytics rule removed", remove("sentinel-privileged-pod"), production=True),
    m("DET-SEN-01", "analytics rule disabled", set_("sentinel-pod-exec", ("enabled",), False)),
    m("DET-SEN-01", "no incidents", set_("sentinel-break-glass-sign-in", ("incidentConfiguration", "createIncident"), False)),
    m("DET-SEN-01", "no entity mapping", set_("sentinel-role-assignment-change", ("entityMappings",), [])),
    m("DET-SEN-01", "no tactics", set_("sentinel-key-vault-access-denied", ("tactics",), [])),
    # ---- hazard: analytics after onboarding
    m("HAZ-SEN-01", "analytics rule not after onboarding",
      append("azure-native:securityinsights:ScheduledAlertRule", "sentinel-stray", {
          "ruleId": "stray", "workspaceName": "log-plat-dev", "resourceGroupName": "rg-plat-dev",
          "kind": "Scheduled", "enabled": True, "query": "AzureActivity | take 1"})),
]  # fmt: skip


def _caught(mutation: Mutation, preview: bool) -> None:
    resources = copy.deepcopy(secure_resources())
    for change in mutation.changes:
        change(resources)
    if preview:
        resources = preview_plan(resources, SUBSCRIPTION_ID)
    failing = _failing(evaluate(resources, mutation.context()))
    assert mutation.control in failing, f"not caught; failing controls: {sorted(failing)}"
    expected = load_catalog().get(mutation.control).enforcement
    assert {r["enforcement"] for r in failing[mutation.control]} == {expected}


@pytest.mark.parametrize(
    "mutation", DETECTION_MUTATIONS, ids=lambda mu: f"{mu.control}:{mu.description}"
)
def test_detection_variant_is_caught(mutation: Mutation) -> None:
    _caught(mutation, preview=False)


@pytest.mark.parametrize(
    "mutation", DETECTION_MUTATIONS, ids=lambda mu: f"{mu.control}:{mu.description}"
)
def test_detection_variant_is_caught_at_preview(mutation: Mutation) -> None:
    _caught(mutation, preview=True)


def test_dev_records_without_an_action_group() -> None:
    """Outside production a rule without actions only records: DET-ALR-02 does not apply."""
    resources = copy.deepcopy(secure_resources())
    set_("alert-pod-exec", ("actions",), DELETE)(resources)
    assert "DET-ALR-02" not in _failing(evaluate(resources, m("DET-ALR-02", "dev").context()))
