"""CI can open the state and the secrets key: exactly the data-plane roles, from config."""

from __future__ import annotations

import copy

import pytest
from support import run_raw_config, shipped_raw_config, validated_config

from components.config import ConfigError

ASSIGNMENT = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
# Built-in role GUIDs (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
STATE_SUB = "00000000-0000-0000-0000-0000000000e1"
STATE = {
    "subscriptionId": STATE_SUB,
    "resourceGroup": "rg-pulumi-state",
    "storageAccount": "stpulumistate01",
    "container": "pulumi",
    "keyVault": "kv-pulumi-state",
    "key": "pulumi-secrets",
}
ACCOUNT = (
    f"/subscriptions/{STATE_SUB}/resourceGroups/rg-pulumi-state/providers/"
    "Microsoft.Storage/storageAccounts/stpulumistate01"
)
CONTAINER = f"{ACCOUNT}/blobServices/default/containers/pulumi"
KEY = (
    f"/subscriptions/{STATE_SUB}/resourceGroups/rg-pulumi-state/providers/"
    "Microsoft.KeyVault/vaults/kv-pulumi-state/keys/pulumi-secrets"
)


def _with_state(stack: str, state: dict | None = STATE) -> dict:
    raw = copy.deepcopy(shipped_raw_config(stack))
    raw.pop("platform:state", None)
    if state is not None:
        raw["platform:state"] = state
    return raw


def _grants(run) -> dict[str, set[tuple[str, str]]]:
    """principal (deploy/preview) -> {(role GUID, scope)} of role assignments on state."""
    grants: dict[str, set[tuple[str, str]]] = {"deploy": set(), "preview": set()}
    for resource in run.resources:
        if resource["type"] != ASSIGNMENT:
            continue
        inputs = resource["inputs"]
        scope = inputs["scope"]
        if not isinstance(scope, str) or "rg-pulumi-state" not in scope:
            continue
        who = "preview" if "-preview-" in resource["name"] else "deploy"
        grants[who].add((inputs["roleDefinitionId"].rpartition("/")[2], scope))
        # Built-in definitions are referenced in the subscription of the scope.
        assert inputs["roleDefinitionId"].startswith(f"/subscriptions/{STATE_SUB}/")
    return grants


@pytest.fixture(scope="module")
def dev_run():
    return run_raw_config("dev", _with_state("dev"))


def test_each_ci_identity_gets_exactly_its_state_roles(dev_run) -> None:
    assert _grants(dev_run) == {
        "deploy": {(BLOB_CONTRIBUTOR, CONTAINER), (CRYPTO_USER, KEY)},
        "preview": {(BLOB_READER, CONTAINER), (CRYPTO_USER, KEY)},
    }


def test_the_backend_url_is_published_for_ci(dev_run) -> None:
    variables = {
        (r["inputs"].get("environment"), r["inputs"]["variableName"]): r["inputs"]["value"]
        for r in dev_run.resources
        if r["type"].startswith("github:index/actions") and "variableName" in r["inputs"]
    }
    url = "azblob://pulumi?storage_account=stpulumistate01"
    assert variables[(None, "PULUMI_BACKEND_URL_DEV")] == url
    assert variables[("dev", "PULUMI_BACKEND_URL")] == url
    assert (
        variables[(None, "AZURE_SUBSCRIPTION_ID_DEV")]
        == validated_config("dev", _with_state("dev")).subscription_id
    )


def test_without_state_config_nothing_is_granted_on_state() -> None:
    run = run_raw_config("dev", _with_state("dev", None))
    assert _grants(run) == {"deploy": set(), "preview": set()}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("storageAccount", "St-Pulumi", "storage account name"),
        ("container", "a--b", "blob container name"),
        ("keyVault", "1vault", "Key Vault name"),
        ("key", "bad_key", "Key Vault key name"),
        ("subscriptionId", "not-a-guid", "GUID"),
        ("extra", "x", "extra"),
    ],
)
def test_bad_state_config_is_one_clear_line(key: str, value: str, expected: str) -> None:
    state = {**STATE, key: value}
    with pytest.raises(ConfigError) as error:
        validated_config("dev", _with_state("dev", state))
    message = str(error.value)
    assert "platform:state" in message and expected.lower() in message.lower()
    assert "\n" not in message
