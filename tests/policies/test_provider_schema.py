"""ARM-SCH-01: every Azure resource as Azure will judge it (Microsoft's ARM schema).

The offline engine's mocks accept anything; these tests prove the check bites: the shipped
plans validate, and an unknown property, an enum value outside the schema (case
included), a missing required property or a name that breaks the schema's pattern,
injected into a shipped stack's resource, is caught with the SDK input path named - in
the pack's results and through `bootstrap check --plan` in every report.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE
from support import SHIPPED_STACKS, offline_run

from bootstrap.cli import main
from policies.arm_types import ARM_TYPES
from policies.evaluator import evaluate
from policies.provider_schema.documents import (
    DATA_DIR,
    SCHEMA_DIR,
    SOURCE_REPOSITORY,
    SOURCES_FILE,
    local_refs,
    resolve,
)
from policies.provider_schema.sdk import api_version, sdk_input_names
from policies.provider_schema.validate import MissingSchema, check, exceptions, type_schema
from policies.rules.provider_schema import RULES
from policies.sources.arm import to_arm

CONTROL = "ARM-SCH-01"
REGISTRY = "azure-native:containerregistry:Registry"
CLUSTER = "azure-native:containerservice:ManagedCluster"
CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"
VAULT = "azure-native:keyvault:Vault"
ENDPOINT = "azure-native:network:PrivateEndpoint"
DCR = "azure-native:monitor:DataCollectionRule"
GROUP_STREAM = "Microsoft-ContainerInsights-Group-Default"


def azure_resources(stack: str) -> list[dict[str, Any]]:
    return [r for r in offline_run(stack).resources if r["type"].startswith("azure-native:")]


def first(stack: str, token: str) -> dict[str, Any]:
    return copy.deepcopy(next(r for r in azure_resources(stack) if r["type"] == token))


def problems(resource: dict[str, Any]) -> list[str]:
    return [str(p) for p in check(resource["type"], resource["inputs"])]


# ---- the shipped plans


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_azure_resource_of_the_shipped_plans_validates(stack: str) -> None:
    found = {
        f"{r['type']} {r['name']}: {problem}"
        for r in azure_resources(stack)
        for problem in problems(r)
    }
    assert found == set()


def test_every_declared_azure_type_has_a_vendored_schema() -> None:
    """A new resource type must come with its schema (policies/arm_types.py + the tool)."""
    declared = {r["type"] for stack in SHIPPED_STACKS for r in azure_resources(stack)}
    missing = {}
    for token in sorted(declared):
        try:
            type_schema(token)
        except MissingSchema as error:
            missing[token] = str(error)
    assert missing == {}
    assert len(declared) >= 30  # the check really ran over the whole program


def test_a_type_without_schema_is_a_violation() -> None:
    token = "azure-native:storage:StorageAccount"  # defined by the SDK, nothing vendored
    with pytest.raises(MissingSchema, match="no ARM schema is vendored"):
        type_schema(token)
    resource = {"urn": f"urn:pulumi:dev::p::{token}::sa", "type": token, "name": "sa",
                "inputs": {"accountName": "sa1", "resourceGroupName": "rg"}}  # fmt: skip
    [result] = [r for r in evaluate([resource], rules=RULES) if r["status"] != "pass"]
    assert result["status"] == "fail" and result["enforcement"] == "mandatory"
    assert "no ARM schema is vendored for azure-native:storage:StorageAccount" in result["message"]


# ---- injected defects, each named by its input path


def test_unknown_property_is_named() -> None:
    registry = first("prod", REGISTRY)
    registry["inputs"]["adminUserEnable"] = False
    registry["inputs"]["policies"]["exportPolicy"]["state"] = "disabled"
    found = problems(registry)
    assert any(p.startswith("adminUserEnable: unknown property") for p in found), found
    assert any(p.startswith("policies.exportPolicy.state: unknown property") for p in found)


def test_unknown_property_deep_in_a_cluster_is_named() -> None:
    cluster = first("prod", CLUSTER)
    cluster["inputs"]["securityProfile"]["imageCleaner"]["enable"] = True
    cluster["inputs"]["agentPoolProfiles"][0]["sshAcess"] = "Disabled"
    found = problems(cluster)
    assert [p.split(":")[0] for p in found] == [
        "agentPoolProfiles[0].sshAcess",
        "securityProfile.imageCleaner.enable",
    ]


def test_enum_value_in_the_wrong_case_is_caught() -> None:
    registry = first("prod", REGISTRY)
    registry["inputs"]["policies"]["exportPolicy"]["status"] = "Disabled"
    [problem] = problems(registry)
    assert problem.startswith("policies.exportPolicy.status: 'Disabled' is not an allowed value")
    assert "the API spells it 'disabled'" in problem
    assert "Microsoft.ContainerRegistry/registries@2023-01-01-preview" in problem


def test_enum_value_outside_the_schema_is_caught() -> None:
    cluster = first("dev", CLUSTER)
    cluster["inputs"]["networkProfile"]["networkPolicy"] = "calico-enterprise"
    [problem] = problems(cluster)
    assert problem.startswith("networkProfile.networkPolicy: 'calico-enterprise'")


def test_missing_required_property_is_named() -> None:
    credential = first("prod", CREDENTIAL)
    del credential["inputs"]["issuer"]
    vault = first("prod", VAULT)
    del vault["inputs"]["properties"]["tenantId"]
    assert problems(credential) == [
        "issuer: required property is missing "
        "(Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31)"
    ]
    assert [p.split(":")[0] for p in problems(vault)] == ["properties.tenantId"]


def test_name_breaking_the_schema_pattern_is_caught() -> None:
    credential = first("prod", CREDENTIAL)
    credential["inputs"]["federatedIdentityCredentialResourceName"] = "ab"
    registry = first("prod", REGISTRY)
    registry["inputs"]["registryName"] = "acr-plat-prod"
    [short] = problems(credential)
    [dashed] = problems(registry)
    assert short.startswith("federatedIdentityCredentialResourceName: 'ab' does not match")
    assert dashed.startswith("registryName: 'acr-plat-prod' does not match")


def test_flattened_nested_objects_are_validated_where_azure_reads_them() -> None:
    """A private endpoint's connections are flattened in the SDK, nested in the body."""
    endpoint = first("prod", ENDPOINT)
    connection = endpoint["inputs"]["privateLinkServiceConnections"][0]
    body = to_arm(endpoint)
    wire = body["properties"]["privateLinkServiceConnections"][0]
    assert wire["name"] == connection["name"]
    assert wire["properties"]["groupIds"] == connection["groupIds"]
    connection["groupId"] = "vault"
    assert problems(endpoint)[0].startswith(
        "privateLinkServiceConnections[0].groupId: unknown property"
    )


# ---- through the pack and the command line


def test_the_pack_reports_each_problem_as_a_mandatory_violation() -> None:
    resources = [copy.deepcopy(r) for r in offline_run("dev").resources]
    registry = next(r for r in resources if r["type"] == REGISTRY)
    registry["inputs"]["policies"]["exportPolicy"]["status"] = "Disabled"
    registry["inputs"]["adminUserEnable"] = False
    failed = [r for r in evaluate(resources, rules=RULES) if r["status"] != "pass"]
    assert {r["urn"] for r in failed} == {registry["urn"]}
    assert all(r["enforcement"] == "mandatory" and r["controls"] == [CONTROL] for r in failed)
    assert sorted(r["message"].split(":")[0] for r in failed) == [
        "adminUserEnable",
        "policies.exportPolicy.status",
    ]


def test_check_plan_exits_one_and_every_report_names_the_path(tmp_path: Path) -> None:
    resources = [copy.deepcopy(r) for r in offline_run("dev").resources]
    credential = next(r for r in resources if r["type"] == CREDENTIAL)
    credential["inputs"]["federatedIdentityCredentialResourceName"] = "x"
    plan = {"schemaVersion": 1, "project": "aks-platform", "stack": "dev", "resources": resources}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    out, sarif, markdown = tmp_path / "o.json", tmp_path / "o.sarif", tmp_path / "o.md"
    code = main(["check", "--plan", str(path), "--json", str(out), "--sarif", str(sarif),
                 "--markdown", str(markdown)])  # fmt: skip
    assert code == 1
    [failed] = [
        r for r in json.loads(out.read_text())["results"]
        if r["controls"] == [CONTROL] and r["status"] == "fail"
    ]  # fmt: skip
    assert failed["urn"] == credential["urn"] and failed["urn"].startswith("urn:pulumi:dev::")
    assert failed["message"].startswith("federatedIdentityCredentialResourceName: 'x'")
    assert "federatedIdentityCredentialResourceName" in sarif.read_text()
    assert "federatedIdentityCredentialResourceName" in markdown.read_text()


# ---- preview: unknown values are skipped, never flagged


def test_values_unknown_at_preview_are_skipped() -> None:
    registry = first("prod", REGISTRY)
    registry["inputs"]["policies"]["exportPolicy"]["status"] = UNKNOWN_STRING_VALUE
    registry["inputs"]["registryName"] = UNKNOWN_STRING_VALUE
    credential = first("prod", CREDENTIAL)
    credential["inputs"]["issuer"] = UNKNOWN_STRING_VALUE
    del credential["inputs"]["federatedIdentityCredentialResourceName"]  # absent path parameter
    cluster = first("prod", CLUSTER)
    cluster["inputs"]["securityProfile"] = UNKNOWN_OBJECT_VALUE
    assert problems(registry) == problems(credential) == problems(cluster) == []
    results = evaluate([registry, credential, cluster], rules=RULES)
    assert [r["status"] for r in results] == ["pass"]


# ---- the mapping is pulumi-azure-native's, the schema Microsoft's, both pinned


@pytest.mark.parametrize("token", sorted(t for t, k in ARM_TYPES.items() if k.schema_file))
def test_every_sdk_input_has_a_place_in_the_request(token: str) -> None:
    """Each input of the pinned SDK is a request parameter or a property of the ARM body:
    on the resource itself, or inside its `properties` envelope when the SDK flattens it."""
    schema = type_schema(token)
    names = sdk_input_names(token)
    own = set(schema.definition["properties"]) - {"apiVersion"}
    envelope: set[str] = set()
    if "properties" not in names:
        node = resolve(schema.document, schema.definition["properties"].get("properties"))
        envelope = set((node or {}).get("properties") or ())
    placed = schema.known.request_parameters | own | envelope
    assert names - placed == set()
    assert schema.known.own_name_key in names


@pytest.mark.parametrize("token", sorted(t for t, k in ARM_TYPES.items() if k.schema_file))
def test_the_schema_is_for_the_api_version_the_sdk_sends(token: str) -> None:
    schema = type_schema(token)
    assert schema.api_version == api_version(token)
    assert (
        f"/{schema.api_version}/" in f"/{schema.validator.schema['$ref']}/"
        or (SCHEMA_DIR / schema.api_version / f"{schema.known.schema_file}.json").is_file()
    )
    declared = schema.definition["properties"]["apiVersion"].get("enum")
    assert declared == [schema.api_version]


def test_vendored_files_record_their_source_and_nothing_extra() -> None:
    manifest = json.loads(SOURCES_FILE.read_text())
    listed = {entry["file"]: entry for entry in manifest["files"]}
    on_disk = {p.relative_to(DATA_DIR).as_posix() for p in SCHEMA_DIR.rglob("*.json")}
    assert set(listed) == on_disk
    used = {
        f"schemas/{api_version(t)}/{k.schema_file}.json"
        for t, k in ARM_TYPES.items()
        if k.schema_file
    }
    assert on_disk == used
    for name, entry in listed.items():
        assert entry["repository"] == SOURCE_REPOSITORY
        assert len(entry["commit"]) == 40 and len(entry["blob"]) == 40
        assert entry["path"] == name.removeprefix("schemas/").join(("schemas/", ""))
        document = json.loads((DATA_DIR / name).read_text())
        extracted = {f"{s}/{n}" for s, v in document.items() if isinstance(v, dict) for n in v}
        assert extracted == set(entry["extracted"])
        # Self-contained: every in-file reference resolves inside the vendored extract.
        assert set(local_refs(document)) <= extracted


# ---- documented schema corrections apply narrowly


def test_exceptions_carry_evidence() -> None:
    for entry in exceptions():
        assert entry["type"] in ARM_TYPES and entry["values"] and entry["reason"]
        assert entry["evidence"] and all("http" in e or "pulumi" in e for e in entry["evidence"])
        assert api_version(entry["type"]) == entry["apiVersion"]


def test_the_container_insights_stream_is_accepted_only_where_documented() -> None:
    rule = first("prod", DCR)
    flows = rule["inputs"]["dataFlows"]
    assert flows[0]["streams"] == [GROUP_STREAM]
    assert problems(rule) == []
    flows[0]["streams"] = [GROUP_STREAM + "s"]  # not the documented value
    assert [p.split(":")[0] for p in problems(rule)] == ["dataFlows[0].streams[0]"]
    flows[0]["streams"] = [GROUP_STREAM]
    rule["inputs"]["dataSources"]["syslog"] = [  # same value, a path without the exception
        {"name": "s", "streams": [GROUP_STREAM], "facilityNames": ["auth"], "logLevels": ["Info"]}
    ]
    assert [p.split(":")[0] for p in problems(rule)] == ["dataSources.syslog[0].streams[0]"]


def test_numbers_as_the_engine_sends_them_are_integers() -> None:
    """Over gRPC every number is a double: 3 arrives as 3.0 and must still be an integer."""
    cluster = first("prod", CLUSTER)
    cluster["inputs"]["agentPoolProfiles"][0]["count"] = 3.0
    assert problems(cluster) == []
    cluster["inputs"]["agentPoolProfiles"][0]["count"] = 2.5
    assert [p.split(":")[0] for p in problems(cluster)] == ["agentPoolProfiles[0].count"]
