"""Deployment hazards: each control catches its case on a mutated plan, also preview-shaped.

The table follows test_policy_mutations.py (control -> change of the secure plan), with
changes to the graph itself: a dependency edge dropped, a resource added. Every mutation
is also judged on a preview-shaped copy of the plan, where path parameters (names,
resource groups) are absent and outputs (issuers, principal IDs) are unknown, the way a
first `pulumi preview` hands resources to the pack: the controls key on types, URNs,
dependencies and inputs known at preview, so they must still decide.
"""

# The mutation table is data: one entry per line reads best, however wide.
# ruff: noqa: E501

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from secure_plan import AUDIENCE, GITHUB_ISSUER, context, secure_resources, urn
from support import SHIPPED_STACKS, STACK_DIR, offline_run

from policies.catalog import load_catalog
from policies.context import PolicyContext
from policies.evaluator import evaluate
from policies.rules import ALL_RULES

Change = Callable[[list[dict[str, Any]]], None]
HAZARDS = [c.id for c in load_catalog() if c.section == "Deployment hazards"]
HAZARD_RULES = [rule for rule in ALL_RULES if rule.control.id in HAZARDS]
CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"

# Path parameters azure-native leaves out of a resource's properties at a first preview.
PATH_PARAMETERS = {
    "resourceGroupName", "resourceName", "vaultName", "keyName", "virtualNetworkName",
    "subnetName", "privateEndpointName", "privateDnsZoneGroupName", "clusterName",
    "clusterRp", "clusterResourceName", "extensionName", "fluxConfigurationName",
    "federatedIdentityCredentialResourceName", "roleAssignmentName", "scope",
}  # fmt: skip
# Outputs of other resources, unknown at a first preview (a cluster's OIDC issuer too;
# GitHub's issuer is a constant the program writes).
UNKNOWN_INPUTS = {"principalId", "privateLinkServiceId", "resourceUri"}


def _find(resources: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [r for r in resources if r["name"] == name]
    return found


def drop_edge(name: str, *on: str) -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        entry = _find(resources, name)
        dropped = {_find(resources, other)["urn"] for other in on}
        entry["dependencies"] = [d for d in entry.get("dependencies", []) if d not in dropped]

    return change


def set_input(name: str, key: str, value: Any) -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        inputs = _find(resources, name)["inputs"]
        if value is None:
            inputs.pop(key, None)
        else:
            inputs[key] = value

    return change


def remove(*names: str) -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        for name in names:
            resources.remove(_find(resources, name))

    return change


def add(resource_type: str, name: str, inputs: dict[str, Any], *on: str) -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        entry: dict[str, Any] = {"urn": urn(resource_type, name), "type": resource_type, "name": name,
                                 "parent": None, "inputs": inputs}  # fmt: skip
        if on:
            entry["dependencies"] = [_find(resources, other)["urn"] for other in on]
        resources.append(entry)

    return change


def credentials_on_deploy(count: int) -> Change:
    """`count` more credentials on the deploy identity, each after the one before."""

    def change(resources: list[dict[str, Any]]) -> None:
        previous = "fic-deploy-tag"
        for index in range(count):
            name = f"fic-deploy-extra-{index}"
            add(CREDENTIAL, name, {
                "resourceName": "id-plat-dev-deploy", "federatedIdentityCredentialResourceName": f"github-x{index}",
                "issuer": GITHUB_ISSUER, "subject": f"repo:contoso/platform:ref:refs/tags/x{index}",
                "audiences": AUDIENCE,
            }, "id-deploy", previous)(resources)  # fmt: skip
            previous = name

    return change


@dataclass(frozen=True)
class Mutation:
    control: str
    description: str
    changes: tuple[Change, ...]
    # False where the case needs a name the preview does not carry (a program that wires
    # plain names instead of outputs): the full plan still catches it.
    at_preview: bool = True


def m(control: str, description: str, *changes: Change, at_preview: bool = True) -> Mutation:
    return Mutation(control, description, changes, at_preview)


MUTATIONS = [
    m("HAZ-FIC-01", "second credential not chained", drop_edge("fic-deploy-tag", "fic-deploy")),
    m("HAZ-FIC-01", "credentials of an identity outside the plan (by name)",
      add(CREDENTIAL, "fic-workload-2", {"resourceName": "id-plat-dev-team-a", "issuer": "https://northeurope.oic.prod-aks.azure.com/t/j/",
                                         "subject": "system:serviceaccount:team-a:team-a-app", "audiences": AUDIENCE}),
      at_preview=False),
    m("HAZ-FIC-02", "21 credentials on one identity", credentials_on_deploy(19)),
    m("HAZ-FIC-02", "the same subject twice", set_input("fic-deploy-tag", "subject", "repo:contoso/platform:environment:dev")),
    m("HAZ-FIC-02", "credential name of two characters", set_input("fic-deploy-tag", "federatedIdentityCredentialResourceName", "v1"), at_preview=False),
    m("HAZ-NET-01", "subnets of the hub in parallel", drop_edge("hub-tools", "hub-endpoints")),
    m("HAZ-KV-01", "kms key beside the private endpoint", drop_edge("kms-key", "vault-pe", "vault-pe-dns")),
    m("HAZ-KV-01", "private vault without an endpoint", drop_edge("kms-key", "vault-pe", "vault-pe-dns"),
      drop_edge("flux-deploy-key", "vault-pe", "vault-pe-dns"), remove("vault-pe-dns", "vault-pe")),
    m("HAZ-KV-01", "deploy key read before the DNS record", drop_edge("flux-deploy-key", "vault-pe-dns")),
    m("HAZ-KV-01", "secret written beside the endpoint", add("azure-native:keyvault:Secret", "runtime-secret", {
        "vaultName": "kv-dev-123abc", "secretName": "db", "properties": {"value": "[secret]"}}, "vault")),
    m("HAZ-EXT-01", "flux extension before the AKS cluster (plain name)", drop_edge("aks-plat-dev-dev1-microsoft.flux", "dev1-aks"), at_preview=False),
    m("HAZ-EXT-01", "arc extension before the Azure Local cluster", drop_edge("arc-plat-dev-edge1-microsoft.azuredefender.kubernetes", "edge1-provisioned", "edge1-nodepools")),
    m("HAZ-EXT-01", "flux on Azure Local before the cluster", drop_edge("arc-plat-dev-edge1-microsoft.flux", "edge1-provisioned", "edge1-nodepools"),
      drop_edge("arc-plat-dev-edge1-flux", "edge1-provisioned", "edge1-nodepools")),
    m("HAZ-EXT-01", "arc extensions before the agents", drop_edge("arc-plat-dev-eks1-microsoft.policyinsights", "eks1-arc-agents")),
    m("HAZ-EXT-01", "flux before the agents", drop_edge("arc-plat-dev-eks1-microsoft.flux", "eks1-arc-agents"),
      drop_edge("arc-plat-dev-eks1-flux", "eks1-arc-agents")),
    m("HAZ-EXT-02", "flux configuration beside the flux extension", drop_edge("aks-plat-dev-dev1-flux", "aks-plat-dev-dev1-microsoft.flux")),
    m("HAZ-AKS-01", "cluster beside its network role", drop_edge("dev1-aks", "dev1-cp-network")),
    m("HAZ-IAM-01", "new identity role without principalType", set_input("ra-deploy", "principalType", None)),
    m("HAZ-SEN-01", "analytics rule beside the Sentinel onboarding", drop_edge("sentinel-pod-exec", "sentinel")),
]  # fmt: skip


def preview_shaped(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan as a first preview shows it: no path parameters, other outputs unknown."""
    shaped = copy.deepcopy(resources)
    for resource in shaped:
        if not resource["type"].startswith("azure-native:"):
            continue
        inputs = resource["inputs"]
        for key in PATH_PARAMETERS & set(inputs):
            del inputs[key]
        for key in UNKNOWN_INPUTS & set(inputs):
            inputs[key] = UNKNOWN_STRING_VALUE
        if inputs.get("issuer", GITHUB_ISSUER) != GITHUB_ISSUER:
            inputs["issuer"] = UNKNOWN_STRING_VALUE
    return shaped


def _failing(resources: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    failing: dict[str, list[dict[str, Any]]] = {}
    for result in evaluate(resources, context(), rules=HAZARD_RULES):
        if result["status"] != "pass":
            failing.setdefault(result["controls"][0], []).append(result)
    return failing


@functools.cache
def _secure_failures(preview: bool) -> dict[str, list[dict[str, Any]]]:
    resources = secure_resources()
    return _failing(preview_shaped(resources) if preview else resources)


@pytest.mark.parametrize("preview", [False, True], ids=["plan", "preview"])
def test_secure_plan_passes_every_hazard_control(preview: bool) -> None:
    assert _secure_failures(preview) == {}


# Every case on the full plan, and on the preview-shaped plan where it can be seen there.
CASES = [(mu, False) for mu in MUTATIONS] + [(mu, True) for mu in MUTATIONS if mu.at_preview]


@pytest.mark.parametrize(
    ("mutation", "preview"),
    CASES,
    ids=[f"{mu.control}:{mu.description}:{'preview' if p else 'plan'}" for mu, p in CASES],
)
def test_hazard_is_caught(mutation: Mutation, preview: bool) -> None:
    resources = secure_resources()
    for change in mutation.changes:
        change(resources)
    failing = _failing(preview_shaped(resources) if preview else resources)
    assert mutation.control in failing, f"not caught; failing: {sorted(failing)}"
    statuses = {r["status"] for r in failing[mutation.control]}
    assert statuses == {"fail"}, statuses
    # Only the control for the case fires: the others still judge the mutated plan clean.
    assert set(failing) == {mutation.control}, sorted(failing)


def test_every_hazard_control_has_a_case() -> None:
    assert sorted(set(HAZARDS) - {mu.control for mu in MUTATIONS}) == []


@pytest.mark.parametrize("preview", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stacks_pass_every_hazard_control(stack: str, preview: bool) -> None:
    resources = offline_run(stack).resources
    results = [
        r
        for r in evaluate(
            preview_shaped(resources) if preview else resources,
            PolicyContext.for_stack(stack, STACK_DIR),
            rules=HAZARD_RULES,
        )
        if r.get("kind") is None
    ]
    assert [r for r in results if r["status"] != "pass"] == []
    assert {r["controls"][0] for r in results} == set(HAZARDS)


def test_every_hazard_control_cites_its_source() -> None:
    catalog = load_catalog()
    assert all(catalog.get(control).references.sources for control in HAZARDS)


def test_same_names_in_another_copy_of_the_graph_do_not_mix() -> None:
    # Two copies of the secure plan in two resource groups (bench/check_plan.py replicates
    # a stack the same way): names repeat, links do not cross; nothing may be judged
    # against the other copy's identity, vault, cluster or provisioned instance.
    first = secure_resources()
    second = copy.deepcopy(first)
    for resource in second:
        resource["urn"] += "-copy"
        resource["name"] += "-copy"
        resource["dependencies"] = [d + "-copy" for d in resource.get("dependencies", [])]
        if resource["type"].startswith("azure-native:"):
            resource["inputs"]["resourceGroupName"] = "rg-plat-dev-copy"
    assert _failing(first + second) == {}
