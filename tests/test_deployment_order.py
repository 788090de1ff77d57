"""The program orders what Azure serialises or needs first (issue 8, finding 4).

These tests read the recorded graph of the real program with a walk of their own (not the
pack's), so they check the program, not the hazard controls that judge it:

* federated identity credentials under one managed identity are created one after another
  (Microsoft Entra, "Important considerations and restrictions for federated identity
  credentials": concurrent writes under one identity fail with 409);
* the etcd KMS key waits for the private endpoint of its private vault (AKS, "Add Key
  Management Service etcd encryption": creating keys in a private vault without a private
  endpoint isn't supported);
* subnets of one virtual network, extensions and Flux configurations wait for what they
  need (see policies/rules/hazards.py for the sources).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from support import offline_run, run_raw_config, shipped_raw_config

FIC = "azure-native:managedidentity:FederatedIdentityCredential"
KEY = "azure-native:keyvault:Key"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
SUBNET = "azure-native:network:Subnet"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration"
DEPLOYMENT = "azure-native:resources:Deployment"
REGISTRY = "azure-native:containerregistry:Registry"


def _earlier(resources: Iterable[Mapping[str, Any]], urn: str) -> set[str]:
    """Everything created before `urn`: its dependencies and its parent, transitively.

    A child waits for its parent because the Python SDK sends a registration only once the
    parent's URN is resolved, which the engine answers after the parent's step finished.
    """
    by_urn = {r["urn"]: r for r in resources}
    seen: set[str] = set()
    stack = [urn]
    while stack:
        entry = by_urn.get(stack.pop())
        if entry is None:
            continue
        for before in [*(entry.get("dependencies") or ()), entry.get("parent")]:
            if before and before not in seen:
                seen.add(before)
                stack.append(before)
    return seen


def _named(resources: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [r for r in resources if r["name"] == name]
    return found


def _ordered(resources: list[dict[str, Any]], group: list[dict[str, Any]]) -> bool:
    """The group is a chain: of any two members, one is created before the other."""
    earlier = {r["urn"]: _earlier(resources, r["urn"]) for r in group}
    return all(
        a["urn"] in earlier[b["urn"]] or b["urn"] in earlier[a["urn"]]
        for index, a in enumerate(group)
        for b in group[index + 1 :]
    )


def test_tenant_credentials_on_two_clusters_are_sequential() -> None:
    # Production federates team-a's identity to weu1 and neu1: two credentials, one parent.
    resources = offline_run("prod").resources
    credentials = [r for r in resources if r["type"] == FIC and r["name"].startswith("tenant-")]
    assert len(credentials) == 2
    assert _ordered(resources, credentials)


def test_extra_subject_credentials_are_sequential() -> None:
    raw = copy.deepcopy(shipped_raw_config("dev"))
    raw["platform:github"]["extraSubjects"] = [
        "repo:contoso/aks-platform:ref:refs/tags/v1",
        "repo:contoso/aks-platform:ref:refs/heads/release",
    ]
    resources = run_raw_config("dev", raw).resources
    deploy = [r for r in resources if r["type"] == FIC and "-deploy-" in r["name"]]
    assert len(deploy) == 3
    assert _ordered(resources, deploy)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_kms_key_waits_for_the_vault_private_endpoint(stack: str) -> None:
    resources = offline_run(stack).resources
    (key,) = [r for r in resources if r["type"] == KEY]
    vault_parent = key["parent"]
    endpoint = next(r for r in resources if r["type"] == ENDPOINT and r["parent"] == vault_parent)
    zone_group = next(
        r for r in resources if r["type"] == ZONE_GROUP and r["parent"] == vault_parent
    )
    earlier = _earlier(resources, key["urn"])
    assert endpoint["urn"] in earlier
    assert zone_group["urn"] in earlier


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_subnets_of_one_network_are_sequential(stack: str) -> None:
    resources = offline_run(stack).resources
    by_network: dict[str, list[dict[str, Any]]] = {}
    for subnet in (r for r in resources if r["type"] == SUBNET):
        by_network.setdefault(subnet["parent"], []).append(subnet)
    assert any(len(group) > 1 for group in by_network.values())
    for group in by_network.values():
        assert _ordered(resources, group), [s["name"] for s in group]


def test_azure_local_extensions_wait_for_the_provisioned_cluster() -> None:
    # prod runs AKS on Azure Local (plant1): its agents, and so its extensions, exist only
    # once the provisioned cluster instance is up.
    resources = offline_run("prod").resources
    provisioned = _named(resources, "plant1-provisioned")
    assert provisioned["type"] == DEPLOYMENT
    waiting = [
        r
        for r in resources
        if r["type"] in (EXTENSION, FLUX_CONFIGURATION) and r["name"].startswith("plant1-")
    ]
    assert len(waiting) == 5  # defender, policy, monitoring, flux extension, flux config
    for resource in waiting:
        assert provisioned["urn"] in _earlier(resources, resource["urn"]), resource["name"]


def test_registry_export_policy_uses_the_api_enum() -> None:
    # ExportPolicyStatus is "enabled" | "disabled" in Microsoft.ContainerRegistry's REST spec.
    (registry,) = [r for r in offline_run("dev").resources if r["type"] == REGISTRY]
    assert registry["inputs"]["policies"]["exportPolicy"]["status"] == "disabled"
