"""The program under mocks: the recorded inputs carry the baseline, control family by family."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support import STACK_DIR, of_type, run_raw_config, shipped_raw_config

from bootstrap.arm_types import resource_id
from bootstrap.stacks import load
from components import roles

AKS = "azure-native:containerservice:ManagedCluster"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def clusters(run: Any) -> list[dict[str, Any]]:
    found = of_type(run, AKS)
    assert found, "every shipped stack runs at least one AKS cluster"
    return [c["inputs"] for c in found]


def role_assignments(run: Any, role: str) -> list[dict[str, Any]]:
    return [
        r["inputs"]
        for r in of_type(run, ROLE_ASSIGNMENT)
        if r["inputs"]["roleDefinitionId"].endswith(role)
    ]


# ---- every component: type tokens and parenting ----


def test_components_have_platform_type_tokens_and_parent_their_children(shipped: Any) -> None:
    urns = {r["urn"]: r for r in shipped.resources}
    components = [
        r for r in shipped.resources if not r["custom"] and r["type"] != "pulumi:pulumi:Stack"
    ]
    assert components
    for component in components:
        assert component["type"].startswith("platform:"), component["type"]
    for resource in shipped.resources:
        if resource["type"].startswith("azure-native:"):
            parent = urns.get(resource["parent"])
            assert parent is not None and parent["type"].startswith("platform:"), resource["urn"]


# ---- identity ----


def test_identity_entra_rbac_no_local_accounts(shipped: Any) -> None:
    for cluster in clusters(shipped):
        assert cluster["aadProfile"]["managed"] is True
        assert cluster["aadProfile"]["enableAzureRBAC"] is True
        assert cluster["disableLocalAccounts"] is True
        assert cluster["enableRBAC"] is True
        assert cluster["oidcIssuerProfile"]["enabled"] is True
        assert cluster["securityProfile"]["workloadIdentity"]["enabled"] is True
        assert cluster["identity"]["type"] == "UserAssigned"


def test_kubelet_identity_holds_acr_pull_on_the_registry(shipped: Any) -> None:
    registry_ids = {
        f"/resourceGroups/{r['inputs']['resourceGroupName']}/providers/Microsoft.ContainerRegistry/registries/{r['inputs']['registryName']}"
        for r in of_type(shipped, "azure-native:containerregistry:Registry")
    }
    # Besides the kubelets, only the image verifier pulls (signatures, SUP-VER-01).
    grants = role_assignments(shipped, roles.ACR_PULL)
    pulls = [g for g in grants if "-kubelet-acrpull" in g["description"]]
    assert [g for g in grants if g not in pulls] == [
        g for g in grants if g["description"].endswith("-supply-chain-verifier-pull")
    ]
    assert len(pulls) == len(clusters(shipped))
    for grant in pulls:
        assert any(grant["scope"].endswith(registry) for registry in registry_ids)
        assert grant["principalType"] == "ServicePrincipal"


def test_no_owner_or_user_access_administrator_anywhere(shipped: Any) -> None:
    for forbidden in (roles.OWNER, roles.USER_ACCESS_ADMINISTRATOR):
        assert role_assignments(shipped, forbidden) == []


def test_github_federation_uses_exact_subjects_and_a_read_only_preview(shipped: Any) -> None:
    credentials = of_type(shipped, "azure-native:managedidentity:FederatedIdentityCredential")
    github = [c["inputs"] for c in credentials if "token.actions" in c["inputs"]["issuer"]]
    subjects = {c["subject"] for c in github}
    assert "repo:contoso/aks-platform:pull_request" in subjects
    assert any(s.startswith("repo:contoso/aks-platform:environment:") for s in subjects)
    assert all("*" not in s for s in subjects)
    preview = [r for r in of_type(shipped, ROLE_ASSIGNMENT) if "preview" in r["name"]]
    granted = {
        (r["inputs"]["roleDefinitionId"].rsplit("/", 1)[-1], r["inputs"]["scope"].split("/")[-2])
        for r in preview
        if isinstance(r["inputs"]["scope"], str)
    }
    # Reader on its resource group; on the Pulumi state (platform:state) it reads blobs in
    # the state container and decrypts with the secrets key (tests/delivery/test_state_access.py).
    assert {role for role, _ in granted} == {
        roles.READER,
        roles.STORAGE_BLOB_DATA_READER,
        roles.KEY_VAULT_CRYPTO_USER,
    }
    assert (roles.KEY_VAULT_CRYPTO_USER, "keys") in granted


def test_deploy_identity_delegation_is_constrained_to_platform_roles(shipped: Any) -> None:
    (delegation,) = role_assignments(shipped, roles.RBAC_ADMINISTRATOR)
    assert delegation["conditionVersion"] == "2.0"
    assert roles.ACR_PULL in delegation["condition"]
    assert roles.OWNER not in delegation["condition"]


def test_no_kubeconfig_or_credential_in_stack_outputs(shipped: Any) -> None:
    text = repr(shipped.outputs).lower()
    for word in ("kubeconfig", "password", "secret", "clientsecret", "token"):
        assert word not in text


# ---- network ----


def test_private_api_server_with_vnet_integration(shipped: Any) -> None:
    for cluster in clusters(shipped):
        access = cluster["apiServerAccessProfile"]
        assert access["enablePrivateCluster"] is True
        assert access["enableVnetIntegration"] is True
        assert access["subnetId"].endswith("/subnets/snet-apiserver")
        assert access["disableRunCommand"] is True
        assert "0.0.0.0/0" not in access.get("authorizedIPRanges", [])


def test_network_policy_engine_overlay_and_no_public_node_ips(shipped: Any) -> None:
    for cluster in clusters(shipped):
        network = cluster["networkProfile"]
        assert network["networkPolicy"] in {"calico", "azure", "cilium"}
        assert network["networkPluginMode"] == "overlay"
        for pool in cluster["agentPoolProfiles"]:
            assert pool["enableNodePublicIP"] is False


def test_every_subnet_has_an_nsg(shipped: Any) -> None:
    for subnet in of_type(shipped, "azure-native:network:Subnet"):
        assert "/networkSecurityGroups/" in subnet["inputs"]["networkSecurityGroup"]["id"]


def test_registry_and_vault_are_private_endpoints_only(shipped: Any) -> None:
    (registry,) = of_type(shipped, "azure-native:containerregistry:Registry")
    vaults = of_type(shipped, "azure-native:keyvault:Vault")
    assert registry["inputs"]["publicNetworkAccess"] == "Disabled"
    assert registry["inputs"]["networkRuleSet"]["defaultAction"] == "Deny"
    for vault in vaults:
        assert vault["inputs"]["properties"]["publicNetworkAccess"] == "Disabled"
        assert vault["inputs"]["properties"]["networkAcls"]["defaultAction"] == "Deny"
    groups = sorted(
        r["inputs"]["privateLinkServiceConnections"][0]["groupIds"][0]
        for r in of_type(shipped, "azure-native:network:PrivateEndpoint")
    )
    # One endpoint per registry and per vault (the platform's and each tenant's).
    assert groups == ["registry"] + ["vault"] * len(vaults)


# ---- cluster ----


def test_cluster_security_profile(shipped: Any) -> None:
    for cluster in clusters(shipped):
        security = cluster["securityProfile"]
        assert security["defender"]["securityMonitoring"]["enabled"] is True
        assert "/workspaces/" in security["defender"]["logAnalyticsWorkspaceResourceId"]
        assert security["imageCleaner"]["enabled"] is True
        kms = security["azureKeyVaultKms"]
        assert kms["enabled"] is True and kms["keyVaultNetworkAccess"] == "Private"
        assert "/keys/etcd-kms/" in kms["keyId"]


def test_cluster_addons(shipped: Any) -> None:
    for cluster in clusters(shipped):
        addons = cluster["addonProfiles"]
        assert addons["azurepolicy"]["enabled"] is True
        secrets = addons["azureKeyvaultSecretsProvider"]
        assert secrets["enabled"] is True and secrets["config"]["enableSecretRotation"] == "true"
        insights = addons["omsagent"]
        assert insights["enabled"] is True and insights["config"]["useAADAuth"] == "true"


def test_node_pools_hardened(shipped: Any) -> None:
    for cluster in clusters(shipped):
        pools = cluster["agentPoolProfiles"]
        system = [p for p in pools if p["mode"] == "System"]
        assert len(system) == 1
        assert system[0]["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
        for pool in pools:
            assert pool["enableEncryptionAtHost"] is True
            assert pool["securityProfile"]["sshAccess"] == "Disabled"
            assert pool["osSKU"] == "AzureLinux"


def test_upgrades_and_both_maintenance_windows(shipped: Any) -> None:
    for cluster in clusters(shipped):
        assert cluster["autoUpgradeProfile"]["upgradeChannel"] != "none"
        assert cluster["autoUpgradeProfile"]["nodeOSUpgradeChannel"] in {
            "NodeImage",
            "SecurityPatch",
        }
    schedules = {
        (r["inputs"]["resourceName"], r["inputs"]["configName"])
        for r in of_type(shipped, "azure-native:containerservice:MaintenanceConfiguration")
    }
    for cluster in clusters(shipped):
        for schedule in ("aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"):
            assert (cluster["resourceName"], schedule) in schedules


# ---- registry and Key Vault ----


def test_registry_baseline(shipped: Any) -> None:
    (registry,) = of_type(shipped, "azure-native:containerregistry:Registry")
    inputs = registry["inputs"]
    assert inputs["sku"]["name"] == "Premium"
    assert inputs["adminUserEnabled"] is False
    assert inputs["anonymousPullEnabled"] is False
    assert inputs["policies"]["exportPolicy"]["status"] == "disabled"  # the API enum is lowercase
    assert inputs["policies"]["retentionPolicy"]["status"] == "enabled"


def test_key_vault_baseline(shipped: Any) -> None:
    for vault in of_type(shipped, "azure-native:keyvault:Vault"):
        properties = vault["inputs"]["properties"]
        assert properties["enableRbacAuthorization"] is True
        assert properties["enablePurgeProtection"] is True
        assert properties["softDeleteRetentionInDays"] >= 7


def test_each_key_vault_tenant_reads_only_its_own_vault(shipped: Any) -> None:
    vaults = {v["inputs"]["vaultName"]: v for v in of_type(shipped, "azure-native:keyvault:Vault")}
    grants = role_assignments(shipped, roles.KEY_VAULT_SECRETS_USER)
    # The image verifier reads one secret of the platform vault: the signing certificate's
    # chain (SUP-VER-01); never the vault.
    chain = [g for g in grants if g["description"].endswith("-supply-chain-verifier-chain")]
    assert len(chain) == 1 and chain[0]["scope"].endswith("/secrets/image-signing")
    readers = [g for g in grants if g not in chain]
    tenant_vaults = [name for name in vaults if name.startswith("kvt-")]
    assert len(readers) == len(tenant_vaults) >= 1
    for grant in readers:
        assert grant["scope"].rsplit("/", 1)[-1] in tenant_vaults
    # The platform vault (etcd key, Flux deploy key) is read by no tenant.
    platform_vault = next(name for name in vaults if name.startswith("kv-"))
    assert all(not g["scope"].endswith("/" + platform_vault) for g in readers)


# ---- monitoring ----


def test_diagnostics_for_every_aks_registry_and_vault(shipped: Any) -> None:
    targets = {
        r["inputs"]["resourceUri"]: r["inputs"]
        for r in of_type(shipped, "azure-native:monitor:DiagnosticSetting")
    }
    monitored = (
        of_type(shipped, AKS)
        + of_type(shipped, "azure-native:containerregistry:Registry")
        + of_type(shipped, "azure-native:keyvault:Vault")
    )
    assert monitored
    subscription = load(STACK_DIR, shipped.stack).config.subscription_id
    for resource in monitored:
        arm_id = resource_id(resource["type"], resource["inputs"], subscription)
        assert arm_id in targets, resource["urn"]
        assert "/workspaces/" in targets[arm_id]["workspaceId"]
    aks_settings = [s for uri, s in targets.items() if "/managedClusters/" in uri]
    for setting in aks_settings:
        categories = {log["category"] for log in setting["logs"]}
        assert {"kube-audit-admin", "guard"} <= categories


def test_workspace_local_auth_off(shipped: Any) -> None:
    (workspace,) = of_type(shipped, "azure-native:operationalinsights:Workspace")
    assert workspace["inputs"]["features"]["disableLocalAuth"] is True


# ---- environments differ where the stack files say so ----


def test_prod_runs_two_zonal_standard_clusters_in_two_regions() -> None:
    from support import offline_run

    prod = clusters(offline_run("prod"))
    assert {c["location"] for c in prod} == {"westeurope", "northeurope"}
    for cluster in prod:
        assert cluster["sku"]["tier"] == "Standard"
        assert all(p["availabilityZones"] == ["1", "2", "3"] for p in cluster["agentPoolProfiles"])
    (dev,) = clusters(offline_run("dev"))
    assert dev["sku"]["tier"] == "Free"


# ---- explicit weakening shows up in the inputs (and is then the pack's to catch) ----

WEAKENINGS = [
    ("localAccounts", True, lambda c: c["disableLocalAccounts"] is False),
    (
        "sshAccess",
        True,
        lambda c: c["agentPoolProfiles"][0]["securityProfile"]["sshAccess"] != "Disabled",
    ),
    ("runCommand", True, lambda c: c["apiServerAccessProfile"]["disableRunCommand"] is False),
    (
        "hostEncryption",
        False,
        lambda c: c["agentPoolProfiles"][0]["enableEncryptionAtHost"] is False,
    ),
    (
        "kmsEtcdEncryption",
        False,
        lambda c: c["securityProfile"]["azureKeyVaultKms"]["enabled"] is False,
    ),
    ("azurePolicy", False, lambda c: c["addonProfiles"]["azurepolicy"]["enabled"] is False),
    ("upgradeChannel", "none", lambda c: c["autoUpgradeProfile"]["upgradeChannel"] == "none"),
]


@pytest.mark.parametrize(("key", "value", "weakened"), WEAKENINGS, ids=[w[0] for w in WEAKENINGS])
def test_explicit_weakening_reaches_the_cluster_inputs(key: str, value: Any, weakened: Any) -> None:
    raw = copy.deepcopy(shipped_raw_config("dev"))
    raw["platform:clusters"][0][key] = value
    (cluster,) = clusters(run_raw_config("dev", raw))
    assert weakened(cluster)
