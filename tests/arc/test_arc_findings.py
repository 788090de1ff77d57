"""Issue 10: each Arc finding, on the shipped stacks, and caught by its control when put back.

Every test has two halves: what the program now plans (behaviour of the shipped stacks, run
by the offline engine), and a control of the pack that fails once the finding is
reintroduced into that very plan. staging onboards an EKS cluster (kind connected,
onboarding program); prod provisions AKS on Azure Local (plant1).
"""

# Plan mutations read best one per line, however wide.

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import pytest
from support import offline_run

from policies.context import PolicyContext
from policies.evaluator import evaluate

CONNECTED = "azure-native:kubernetes:ConnectedCluster"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
FLUX = "azure-native:kubernetesconfiguration:FluxConfiguration"
DEPLOYMENT = "azure-native:resources:Deployment"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
DCR = "azure-native:monitor:DataCollectionRule"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
CLUSTER_USER_ROLE = "00493d72-78f6-4148-b6c5-d3ce8e4799dd"
CLUSTER_ADMIN_ROLE = "8393591c-06b9-48a2-a542-1bd6b377f6a2"
CHECK_ACCESS_READER = "65a14201-8f6c-4c28-bec4-12619c5a9aaa"
PROVISIONED_INSTANCES = "microsoft.hybridcontainerservice/provisionedclusterinstances"
AGENT_POOLS = f"{PROVISIONED_INSTANCES}/agentpools"

Plan = list[dict[str, Any]]


def _plan(stack: str) -> Plan:
    return copy.deepcopy(offline_run(stack).resources)


def _of(plan: Plan, token: str) -> list[dict[str, Any]]:
    return [r for r in plan if r["type"] == token]


def _connected(plan: Plan) -> dict[str, Any]:
    (cluster,) = [
        c for c in _of(plan, CONNECTED) if c["inputs"].get("kind") != "ProvisionedCluster"
    ]
    return cluster


def _provisioned(plan: Plan) -> dict[str, Any]:
    (cluster,) = [
        c for c in _of(plan, CONNECTED) if c["inputs"].get("kind") == "ProvisionedCluster"
    ]
    return cluster


@functools.cache
def _contexts() -> dict[str, PolicyContext]:
    from support import STACK_DIR

    return {stack: PolicyContext.for_stack(stack, STACK_DIR) for stack in ("staging", "prod")}


def _failing(plan: Plan, stack: str) -> dict[str, list[str]]:
    failing: dict[str, list[str]] = {}
    for result in evaluate(plan, _contexts()[stack]):
        if result["status"] in {"fail", "waived"} or result["status"] == "unknown":
            failing.setdefault(result["controls"][0], []).append(result["message"])
    return failing


def _caught(stack: str, control: str, change: Callable[[Plan], None]) -> None:
    plan = _plan(stack)
    assert control not in _failing(plan, stack), f"{control} fails on the shipped {stack} plan"
    change(plan)
    assert control in _failing(plan, stack), f"{control} does not catch the finding"


def _descendants_depend_on(plan: Plan, item: dict[str, Any], target: dict[str, Any]) -> bool:
    """`item` is created after `target`: through dependencies or parents, transitively."""
    by_urn = {r["urn"]: r for r in plan}
    seen: set[str] = set()
    pending = [item["urn"]]
    while pending:
        urn = pending.pop()
        if urn in seen:
            continue
        seen.add(urn)
        entry = by_urn.get(urn)
        if entry is None:
            continue
        for dependency in entry.get("dependencies") or []:
            if dependency == target["urn"]:
                return True
            pending.append(dependency)
        if entry.get("parent"):
            pending.append(entry["parent"])
    return False


# ---- 1. onboarding: the agent key pair, the agents, no empty key on a connected cluster


def test_connected_cluster_is_onboarded_with_its_own_key_and_agents() -> None:
    plan = _plan("staging")
    cluster = _connected(plan)
    key = cluster["inputs"].get("agentPublicKeyCertificate")
    assert isinstance(key, str) and key, "a connected cluster needs the agent's public key"
    (private_key,) = _of(plan, PRIVATE_KEY)
    assert private_key["urn"] in cluster.get("dependencies", [])
    (release,) = _of(plan, HELM_RELEASE)
    assert _descendants_depend_on(plan, release, cluster)


def test_empty_agent_key_is_caught() -> None:
    def empty_key(plan: Plan) -> None:
        _connected(plan)["inputs"]["agentPublicKeyCertificate"] = ""

    _caught("staging", "ARC-KEY-01", empty_key)


# ---- 2. Azure RBAC only where Arc supports it


def test_no_azure_rbac_on_eks() -> None:
    cluster = _connected(_plan("staging"))
    assert cluster["inputs"]["distribution"] == "eks"
    assert (cluster["inputs"].get("aadProfile") or {}).get("enableAzureRBAC") is not True


def test_azure_rbac_on_eks_is_caught() -> None:
    def rbac_on(plan: Plan) -> None:
        _connected(plan)["inputs"]["aadProfile"] = {"enableAzureRBAC": True, "tenantId": "t"}

    _caught("staging", "ARC-ID-02", rbac_on)


def test_azure_local_rbac_has_its_check_access_role() -> None:
    plan = _plan("prod")
    cluster = _provisioned(plan)
    assert cluster["inputs"]["aadProfile"]["enableAzureRBAC"] is True
    roles = [
        a
        for a in _of(plan, ROLE_ASSIGNMENT)
        if a["inputs"]["roleDefinitionId"].endswith(CHECK_ACCESS_READER)
    ]
    assert roles and all(cluster["urn"] in a.get("dependencies", []) for a in roles)

    def drop_role(plan: Plan) -> None:
        for assignment in list(_of(plan, ROLE_ASSIGNMENT)):
            if assignment["inputs"]["roleDefinitionId"].endswith(CHECK_ACCESS_READER):
                plan.remove(assignment)

    _caught("prod", "ARC-ID-01", drop_role)


# ---- 3. Container Insights with its data collection rule and association


def test_connected_cluster_monitoring_has_dcr_and_association() -> None:
    plan = _plan("staging")
    cluster = _connected(plan)
    associations = [a for a in _of(plan, DCRA) if cluster["urn"] in a.get("dependencies", [])]
    assert [a["inputs"]["associationName"] for a in associations] == ["ContainerInsightsExtension"]

    def drop_association(plan: Plan) -> None:
        target = _connected(plan)
        for association in list(_of(plan, DCRA)):
            if target["urn"] in association.get("dependencies", []):
                plan.remove(association)

    _caught("staging", "ARC-MON-01", drop_association)


# ---- 4. Defender as Microsoft deploys it, and audited for the distributions in use


def _defender(plan: Plan, cluster: dict[str, Any]) -> dict[str, Any]:
    (found,) = [
        e
        for e in _of(plan, EXTENSION)
        if e["inputs"]["extensionType"] == "microsoft.azuredefender.kubernetes"
        and e["inputs"]["clusterName"] == cluster["inputs"]["clusterName"]
    ]
    return found


def test_defender_extension_as_microsoft_deploys_it() -> None:
    plan = _plan("staging")
    defender = _defender(plan, _connected(plan))["inputs"]
    assert defender["extensionName"] == "microsoft.azuredefender.kubernetes"
    assert defender["scope"] == {"cluster": {"releaseNamespace": "mdc"}}
    assert defender["configurationSettings"]["logAnalyticsWorkspaceResourceID"]

    def other_namespace(plan: Plan) -> None:
        _defender(plan, _connected(plan))["inputs"]["scope"] = {
            "cluster": {"releaseNamespace": "azuredefender"}
        }

    _caught("staging", "ARC-DEF-01", other_namespace)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_defender_audit_evaluates_the_platform_distributions(stack: str) -> None:
    """The old state: only the built-in audit's exclusions (aks, aks_management, eks, gke),
    and Azure Local reported as aks_management (the *management* cluster's name)."""

    def microsoft_default_exclusions(plan: Plan) -> None:
        for assignment in _of(plan, POLICY_ASSIGNMENT):
            parameters = assignment["inputs"].get("parameters") or {}
            if "excludedDistributions" in parameters:
                parameters["excludedDistributions"] = {
                    "value": ["aks", "aks_management", "eks", "gke"]
                }
        for cluster in _of(plan, CONNECTED):
            if cluster["inputs"].get("kind") == "ProvisionedCluster":
                cluster["inputs"]["distribution"] = "aks_management"

    _caught(stack, "ARC-DEF-02", microsoft_default_exclusions)


# ---- 5. extensions and Flux after the agents (connected) or the cluster (Azure Local)


def test_connected_extensions_and_flux_come_after_the_agents() -> None:
    plan = _plan("staging")
    cluster = _connected(plan)
    (release,) = _of(plan, HELM_RELEASE)
    name = cluster["inputs"]["clusterName"]
    dependents = [
        r for r in _of(plan, EXTENSION) + _of(plan, FLUX) if r["inputs"].get("clusterName") == name
    ]
    assert len(dependents) == 5  # defender, policy, monitoring, flux extension, flux configuration
    assert all(_descendants_depend_on(plan, item, release) for item in dependents)

    def before_agents(plan: Plan) -> None:
        agents = _of(plan, HELM_RELEASE)[0]["urn"]
        for item in _of(plan, EXTENSION) + _of(plan, FLUX):
            item["dependencies"] = [d for d in item.get("dependencies", []) if d != agents]
        # ...and through their parents (the components) too.
        for item in plan:
            if item["type"].startswith("platform:"):
                item["dependencies"] = [d for d in item.get("dependencies", []) if d != agents]

    _caught("staging", "HAZ-EXT-01", before_agents)


# ---- 6. AKS on Azure Local per Microsoft's reference template


def _template_resources(plan: Plan) -> list[dict[str, Any]]:
    return [
        resource
        for deployment in _of(plan, DEPLOYMENT)
        for resource in deployment["inputs"]["properties"]["template"]["resources"]
    ]


def test_azure_local_follows_the_reference() -> None:
    plan = _plan("prod")
    name = _provisioned(plan)["inputs"]["clusterName"]
    resources = _template_resources(plan)
    (instance,) = [r for r in resources if r["type"].lower() == PROVISIONED_INSTANCES]
    assert instance["scope"] == f"Microsoft.Kubernetes/connectedClusters/{name}"
    properties = instance["properties"]
    assert properties["linuxProfile"]["ssh"]["publicKeys"][0]["keyData"].startswith("ssh-")
    assert properties["controlPlane"]["controlPlaneEndpoint"]["hostIP"]
    assert properties["networkProfile"]["networkPolicy"] == "calico"
    pools = [r for r in resources if r["type"].lower() == AGENT_POOLS]
    assert {p["name"] for p in pools} == {"default/apps"}

    def resource_id_scope(plan: Plan) -> None:
        for resource in _template_resources(plan):
            if resource["type"].lower() == PROVISIONED_INSTANCES:
                resource["scope"] = (
                    f"[resourceId('Microsoft.Kubernetes/connectedClusters', '{name}')]"
                )

    def no_ssh_key(plan: Plan) -> None:
        for resource in _template_resources(plan):
            if resource["type"].lower() == PROVISIONED_INSTANCES:
                del resource["properties"]["linuxProfile"]

    _caught("prod", "ARC-LOC-01", resource_id_scope)
    _caught("prod", "ARC-LOC-01", no_ssh_key)


# ---- 7. admins can reach an Arc cluster: the cluster user role with the admin role


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_admins_get_the_cluster_user_role(stack: str) -> None:
    plan = _plan(stack)
    assignments = _of(plan, ROLE_ASSIGNMENT)
    admin = [a for a in assignments if a["inputs"]["roleDefinitionId"].endswith(CLUSTER_ADMIN_ROLE)]
    user = [a for a in assignments if a["inputs"]["roleDefinitionId"].endswith(CLUSTER_USER_ROLE)]
    assert admin
    assert sorted(a["inputs"]["principalId"] for a in admin) == sorted(
        a["inputs"]["principalId"] for a in user
    )

    def drop_user_role(plan: Plan) -> None:
        for assignment in list(_of(plan, ROLE_ASSIGNMENT)):
            if assignment["inputs"]["roleDefinitionId"].endswith(CLUSTER_USER_ROLE):
                plan.remove(assignment)

    _caught(stack, "ARC-ID-03", drop_user_role)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_no_private_key_output_reaches_the_plan(stack: str) -> None:
    """The offline engine's stand-in for the agent's private key never shows in a plan."""
    import json

    from bootstrap.engine.mocks import MOCK_PRIVATE_KEY_MARK

    text = json.dumps(offline_run(stack).resources)
    assert MOCK_PRIVATE_KEY_MARK not in text
    assert "PRIVATE KEY" not in text
