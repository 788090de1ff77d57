"""`bootstrap export --format arm`: the plan as an ARM template for ARM scanners."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pulumi_azure_native
import pytest
from secure_plan import secure_resources

from bootstrap.cli import main
from policies.sources.arm import to_template


def template() -> dict:
    return to_template(secure_resources())


def by_type(arm_type: str) -> list[dict]:
    return [r for r in template()["resources"] if r["type"] == arm_type]


def sdk_api_version(module: str, name: str) -> str:
    source = inspect.getsource(getattr(getattr(pulumi_azure_native, module), name))
    return re.search(r"Uses Azure REST API version (\S+?)\.", source).group(1)


def test_template_shape() -> None:
    document = template()
    assert "deploymentTemplate.json" in document["$schema"]
    assert document["contentVersion"] == "1.0.0.0"
    azure = [r for r in secure_resources() if r["type"].startswith("azure-native:")]
    assert len(document["resources"]) == len(azure)
    assert all(
        {"type", "apiVersion", "name", "properties"} <= set(r) for r in document["resources"]
    )


def test_managed_cluster_is_arm_shaped() -> None:
    [cluster] = by_type("Microsoft.ContainerService/managedClusters")
    assert cluster["apiVersion"] == sdk_api_version("containerservice", "ManagedCluster")
    assert cluster["name"] == "aks-plat-dev-dev1"
    assert cluster["location"] == "westeurope" and cluster["identity"]["type"] == "UserAssigned"
    properties = cluster["properties"]
    assert properties["disableLocalAccounts"] is True
    assert properties["apiServerAccessProfile"]["enablePrivateCluster"] is True
    assert "resourceGroupName" not in properties and "resourceName" not in properties
    assert cluster["metadata"]["pulumiType"] == "azure-native:containerservice:ManagedCluster"


def test_vault_keeps_its_properties_bag_and_children_are_named_by_path() -> None:
    [vault] = by_type("Microsoft.KeyVault/vaults")
    assert (
        vault["properties"]["enablePurgeProtection"] is True
        and "properties" not in vault["properties"]
    )
    [key] = by_type("Microsoft.KeyVault/vaults/keys")
    assert key["name"] == "kv-dev-123abc/etcd-kms"
    assert key["apiVersion"] == sdk_api_version("keyvault", "Key")


@pytest.mark.parametrize(
    ("arm_type", "scope_fragment"),
    [
        ("Microsoft.Authorization/roleAssignments", "/resourceGroups/rg-plat-dev"),
        (
            "Microsoft.KubernetesConfiguration/fluxConfigurations",
            "Microsoft.ContainerService/managedClusters/",
        ),
        ("Microsoft.Insights/diagnosticSettings", "/providers/x/"),
    ],
)
def test_extension_resources_carry_scope(arm_type: str, scope_fragment: str) -> None:
    resources = by_type(arm_type)
    assert resources and all(scope_fragment in r["scope"] for r in resources[:1])
    assert all(
        "scope" not in r["properties"] or arm_type.endswith("fluxConfigurations") for r in resources
    )


def test_cli_export_from_a_plan_file(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps({"schemaVersion": 1, "stack": "dev", "resources": secure_resources()})
    )
    out = tmp_path / "arm.json"
    assert main(["export", "--format", "arm", str(out), "--plan", str(plan)]) == 0
    assert json.loads(out.read_text())["resources"] == template()["resources"]


def test_cli_export_bad_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{not json")
    out = tmp_path / "arm.json"
    assert main(["export", "--format", "arm", str(out), "--plan", str(plan)]) == 2
    assert not out.exists() and "invalid JSON" in capsys.readouterr().err
