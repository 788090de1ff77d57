"""Governance under the offline engine: plans, assignments and Sentinel of each shipped stack.

Expected IDs and names are typed here from the upstream sources (Azure/azure-policy built-in
definitions, the Microsoft.Security pricings spec), not imported from the component, so a
wrong constant in the component fails these tests.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from gov_support import (
    ACTIVITY_LOG,
    AKS_DEFENDER_PROFILE,
    AKS_POLICY_ADDON,
    ALLOWED_IMAGES,
    ARC_DEFENDER_EXTENSION,
    ARC_DEFENDER_EXTENSION_ALL,
    ARC_POLICY_EXTENSION,
    ASSIGNMENT,
    BASELINE,
    EXTERNAL_IPS,
    GROUP,
    IN_CLUSTER,
    NO_PRIVILEGED,
    PRICING,
    REGISTRY,
    RESTRICTED,
    SENTINEL,
    SHIPPED,
    WORKSPACE,
    assignments_by_definition,
    of_type,
    parameter,
    shipped_run,
    shipped_stack,
)

# What each shipped stack must declare (dev and staging share subscription ...b001, which
# staging owns; prod has its own subscription and Sentinel).
EXPECTED = {
    "dev": {"owner": False, "sentinel": False, "pod_security": BASELINE, "arc": False},
    "staging": {"owner": True, "sentinel": False, "pod_security": BASELINE, "arc": True},
    "prod": {"owner": True, "sentinel": True, "pod_security": RESTRICTED, "arc": True},
}
ACTIVITY_CATEGORIES = {
    "Administrative", "Security", "ServiceHealth", "Alert",
    "Recommendation", "Policy", "Autoscale", "ResourceHealth",
}  # fmt: skip


@pytest.fixture(params=SHIPPED)
def stack(request: pytest.FixtureRequest) -> str:
    return request.param


def _group_id(run: Any) -> str:
    (group,) = of_type(run, GROUP)
    name = group["inputs"]["resourceGroupName"]
    return f"/subscriptions/{shipped_stack(run.stack).config.subscription_id}/resourceGroups/{name}"


# ---- Azure Policy assignments ----


def test_each_stack_assigns_exactly_the_expected_definitions(stack: str) -> None:
    expected = EXPECTED[stack]
    wanted = {expected["pod_security"], *IN_CLUSTER, AKS_POLICY_ADDON, AKS_DEFENDER_PROFILE}
    if expected["arc"]:
        wanted |= {ARC_POLICY_EXTENSION, ARC_DEFENDER_EXTENSION, ARC_DEFENDER_EXTENSION_ALL}
    assert set(assignments_by_definition(shipped_run(stack))) == wanted


def test_definition_ids_use_the_right_kind_of_built_in(stack: str) -> None:
    for guid, assignment in assignments_by_definition(shipped_run(stack)).items():
        kind = "policySetDefinitions" if guid in (RESTRICTED, BASELINE) else "policyDefinitions"
        assert assignment["policyDefinitionId"] == (
            f"/providers/Microsoft.Authorization/{kind}/{guid}"
        )


def test_assignments_are_scoped_to_the_environment_group_and_enforced(stack: str) -> None:
    run = shipped_run(stack)
    group_id = _group_id(run)
    for assignment in of_type(run, ASSIGNMENT):
        inputs = assignment["inputs"]
        assert inputs["scope"] == group_id
        assert inputs["enforcementMode"] == "Default"
        assert inputs["policyAssignmentName"].startswith(f"{stack}-")
        assert len(inputs["policyAssignmentName"]) <= 64
        messages = inputs["nonComplianceMessages"]
        assert len(messages) == 1 and len(messages[0]["message"]) > 20


def test_in_cluster_policies_deny_and_exclude_the_configured_namespaces(stack: str) -> None:
    config = shipped_stack(stack).config
    assignments = assignments_by_definition(shipped_run(stack))
    for guid in (EXPECTED[stack]["pod_security"], *IN_CLUSTER):
        assert parameter(assignments[guid], "effect") == "Deny", guid
        assert parameter(assignments[guid], "excludedNamespaces") == list(
            config.governance.policy.excluded_namespaces
        )
    assert "kube-system" in parameter(assignments[NO_PRIVILEGED], "excludedNamespaces")
    for tenant in config.gitops.tenants:
        # Tenant namespaces are exactly what the policies exist for.
        assert tenant.name not in parameter(assignments[NO_PRIVILEGED], "excludedNamespaces")


def test_cluster_addon_audits_only_audit(stack: str) -> None:
    assignments = assignments_by_definition(shipped_run(stack))
    assert parameter(assignments[AKS_POLICY_ADDON], "effect") == "Audit"
    assert parameter(assignments[AKS_DEFENDER_PROFILE], "effect") == "Audit"
    if EXPECTED[stack]["arc"]:
        assert parameter(assignments[ARC_POLICY_EXTENSION], "effect") == "AuditIfNotExists"
        assert parameter(assignments[ARC_DEFENDER_EXTENSION], "effect") == "AuditIfNotExists"
        everything = assignments[ARC_DEFENDER_EXTENSION_ALL]
        # Only AKS (Defender profile, not an extension) stays out; EKS and GKE are in.
        assert parameter(everything, "excludedDistributions") == ["aks"]
        assert everything["identity"] == {"type": "SystemAssigned"}


def test_production_is_restricted_with_the_restricted_capabilities() -> None:
    pod_security = assignments_by_definition(shipped_run("prod"))[RESTRICTED]
    assert parameter(pod_security, "allowedCapabilities") == ["NET_BIND_SERVICE"]
    assert parameter(pod_security, "requiredDropCapabilities") == ["ALL"]
    baseline = assignments_by_definition(shipped_run("dev"))[BASELINE]
    assert set(baseline["parameters"]) == {"effect", "excludedNamespaces"}


def test_allowed_images_regex_admits_only_the_platform_registry(stack: str) -> None:
    run = shipped_run(stack)
    (registry,) = of_type(run, REGISTRY)
    login_server = f"{registry['inputs']['registryName']}.azurecr.io"
    allowed_images = assignments_by_definition(run)[ALLOWED_IMAGES]
    pattern = parameter(allowed_images, "allowedContainerImagesRegex")
    assert pattern == "^" + login_server.replace(".", r"\.") + "/.+$"
    # Gatekeeper matches unanchored (re.search), so probe it the same way.
    regex = re.compile(pattern)
    assert regex.search(f"{login_server}/team-a/api:1.4.2")
    assert regex.search(f"{login_server}/team-a/api@sha256:{'a' * 64}")
    for foreign in (
        "docker.io/library/nginx:1.27",
        f"evil.example.com/{login_server}/api:1",
        f"{login_server}.evil.example.com/api:1",
        login_server.replace(".", "x", 1) + "/api:1",
        f"{login_server}/",
    ):
        assert not regex.search(foreign), foreign


def test_allowed_external_ips_come_from_config(stack: str) -> None:
    assignment = assignments_by_definition(shipped_run(stack))[EXTERNAL_IPS]
    # No shipped stack allows any external IP.
    assert parameter(assignment, "allowedExternalIPs") == []


# ---- Defender ----


def test_defender_plans_only_in_the_owning_stack(stack: str) -> None:
    run = shipped_run(stack)
    pricings = {p["inputs"]["pricingName"]: p["inputs"] for p in of_type(run, PRICING)}
    if not EXPECTED[stack]["owner"]:
        assert pricings == {}
        return
    assert set(pricings) == {"Containers", "KeyVaults", "Arm"}
    subscription = shipped_stack(stack).config.subscription_id
    for plan in pricings.values():
        assert plan["pricingTier"] == "Standard"
        assert plan["scopeId"] == f"/subscriptions/{subscription}"
    assert pricings["Containers"]["extensions"] == [
        {"name": "AgentlessDiscoveryForKubernetes", "isEnabled": "True"},
        {"name": "ContainerRegistriesVulnerabilityAssessments", "isEnabled": "True"},
        {"name": "ContainerSensor", "isEnabled": "True"},
    ]


def test_no_stack_declares_a_deprecated_plan(stack: str) -> None:
    names = {p["inputs"]["pricingName"] for p in of_type(shipped_run(stack), PRICING)}
    assert not names & {"ContainerRegistry", "KubernetesService"}


def test_each_subscription_gets_its_plans_and_activity_log_exactly_once() -> None:
    declared: dict[tuple[str, str], list[str]] = {}
    exports: dict[str, list[str]] = {}
    for name in SHIPPED:
        run = shipped_run(name)
        for pricing in of_type(run, PRICING):
            key = (pricing["inputs"]["scopeId"], pricing["inputs"]["pricingName"])
            declared.setdefault(key, []).append(name)
        for _ in of_type(run, ACTIVITY_LOG):
            exports.setdefault(shipped_stack(name).config.subscription_id, []).append(name)
    subscriptions = {shipped_stack(name).config.subscription_id for name in SHIPPED}
    assert len(subscriptions) == 2, "dev and staging share one subscription"
    for subscription in subscriptions:
        for plan in ("Containers", "KeyVaults", "Arm"):
            assert len(declared[(f"/subscriptions/{subscription}", plan)]) == 1
        assert len(exports[subscription]) == 1
    assert declared[("/subscriptions/00000000-0000-0000-0000-00000000b001", "Arm")] == ["staging"]


# ---- activity log and Sentinel ----


def test_activity_log_goes_to_the_owning_stack_workspace(stack: str) -> None:
    run = shipped_run(stack)
    exports = of_type(run, ACTIVITY_LOG)
    if not EXPECTED[stack]["owner"]:
        assert exports == []
        return
    (export,) = exports
    (workspace,) = of_type(run, WORKSPACE)
    assert export["inputs"]["workspaceId"].endswith(
        f"/workspaces/{workspace['inputs']['workspaceName']}"
    )
    assert workspace["urn"] in export["dependencies"]
    logs = export["inputs"]["logs"]
    assert {log["category"] for log in logs} == ACTIVITY_CATEGORIES
    assert all(log["enabled"] is True for log in logs)


def test_sentinel_onboards_the_environment_workspace_where_required(stack: str) -> None:
    run = shipped_run(stack)
    onboarded = of_type(run, SENTINEL)
    assert shipped_stack(stack).config.sentinel_enabled is EXPECTED[stack]["sentinel"]
    if not EXPECTED[stack]["sentinel"]:
        assert onboarded == []
        return
    (sentinel,) = onboarded
    (workspace,) = of_type(run, WORKSPACE)
    assert sentinel["inputs"]["workspaceName"] == workspace["inputs"]["workspaceName"]
    assert sentinel["inputs"]["resourceGroupName"] == workspace["inputs"]["resourceGroupName"]
    assert sentinel["inputs"]["sentinelOnboardingStateName"] == "default"
    assert workspace["urn"] in sentinel["dependencies"]


# ---- component structure ----


def test_governance_resources_are_children_of_governance_components(stack: str) -> None:
    run = shipped_run(stack)
    by_urn = {r["urn"]: r for r in run.resources}
    governed_types = (PRICING, ASSIGNMENT, SENTINEL, ACTIVITY_LOG)
    governed = [r for r in run.resources if r["type"] in governed_types]
    assert governed
    for resource in governed:
        parent = by_urn[resource["parent"]]
        assert parent["type"].startswith("platform:governance:"), resource["urn"]
        root = by_urn[parent["parent"]]
        assert root["type"] == "platform:governance:Governance"
        assert by_urn[root["parent"]]["type"] == "platform:platform:Platform"
