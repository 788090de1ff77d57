"""`bootstrap check --plan`: our plan, `pulumi preview --json`, `pulumi stack export`.

The preview and export documents are written here, at test time, to the formats Pulumi
documents (steps[].newState; deployment.resources[]), with secrets in Pulumi's wire form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE
from secure_plan import context, secure_resources

from bootstrap.cli import main
from policies.evaluator import evaluate
from policies.sources.plan_files import load_plan_file

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"
# Not a credential: a marker whose absence from every output proves secrets stay masked.
PLAINTEXT = "plaintext-marker-7c1e"
STACK_URN = "urn:pulumi:prod::aks-platform::pulumi:pulumi:Stack::aks-platform-prod"
CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
CLUSTER_URN = f"urn:pulumi:prod::aks-platform::{CLUSTER_TYPE}::weu1-aks"


def secure_cluster_inputs() -> dict[str, Any]:
    [cluster] = [r for r in secure_resources() if r["name"] == "dev1-aks"]
    return cluster["inputs"]


def preview_document(cluster_inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "config": {"aks-platform:environment": "prod"},
        "steps": [
            {
                "op": "same",
                "urn": STACK_URN,
                "newState": {
                    "urn": STACK_URN,
                    "type": "pulumi:pulumi:Stack",
                    "custom": False,
                    "outputs": {"registry": "acr.azurecr.io"},
                },
            },
            {
                "op": "create",
                "urn": CLUSTER_URN,
                "provider": "default",
                "newState": {
                    "urn": CLUSTER_URN,
                    "type": CLUSTER_TYPE,
                    "custom": True,
                    "parent": STACK_URN,
                    "inputs": cluster_inputs,
                    "outputs": {"fqdn": UNKNOWN_STRING_VALUE},
                    "dependencies": [],
                },
            },
            {
                "op": "delete",
                "urn": "urn:pulumi:prod::aks-platform::azure-native:network:VirtualNetwork::old",
                "oldState": {"type": "azure-native:network:VirtualNetwork", "inputs": {}},
            },
        ],
        "diagnostics": [],
        "changeSummary": {"create": 1, "delete": 1, "same": 1},
    }


def export_document(cluster_inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-01-01T00:00:00Z", "magic": "x", "version": "v3.272.0"},
            "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:example"}},
            "resources": [
                {
                    "urn": STACK_URN,
                    "custom": False,
                    "type": "pulumi:pulumi:Stack",
                    "outputs": {"kubeconfig": {SIG: SECRET, "ciphertext": "v1:AAAAexample"}},
                },
                {
                    "urn": CLUSTER_URN,
                    "custom": True,
                    "id": "/subscriptions/x/aks",
                    "type": CLUSTER_TYPE,
                    "inputs": cluster_inputs,
                    "outputs": {**cluster_inputs, "fqdn": "x.hcp.azmk8s.io"},
                    "parent": STACK_URN,
                    "dependencies": [],
                    "provider": "urn:...::default::id",
                },
                {
                    "urn": f"{CLUSTER_URN}-old",
                    "custom": True,
                    "type": CLUSTER_TYPE,
                    "delete": True,
                    "inputs": {"disableLocalAccounts": False},
                },
            ],
        },
    }


def write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_preview_json_is_read_with_secrets_masked(tmp_path: Path) -> None:
    inputs = secure_cluster_inputs()
    inputs["aadProfile"]["serverAppSecret"] = {SIG: SECRET, "plaintext": json.dumps(PLAINTEXT)}
    loaded = load_plan_file(write(tmp_path, "preview.json", preview_document(inputs)))
    assert (
        loaded.format == "preview" and loaded.stack == "prod" and loaded.project == "aks-platform"
    )
    assert [r["type"] for r in loaded.resources] == ["pulumi:pulumi:Stack", CLUSTER_TYPE]
    cluster = loaded.resources[1]
    assert cluster["inputs"]["aadProfile"]["serverAppSecret"] == "[secret]"
    assert cluster["parent"] == STACK_URN
    assert PLAINTEXT not in json.dumps(loaded.resources)


def test_preview_finding_and_report_never_show_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = secure_cluster_inputs()
    inputs["disableLocalAccounts"] = False
    inputs["aadProfile"]["serverAppSecret"] = {SIG: SECRET, "plaintext": json.dumps(PLAINTEXT)}
    plan = write(tmp_path, "preview.json", preview_document(inputs))
    out = tmp_path / "judged.json"
    code = main(["check", "--plan", str(plan), "--stack-dir", str(tmp_path), "--json", str(out)])
    assert code == 1
    judged = json.loads(out.read_text(encoding="utf-8"))
    assert any(r["controls"] == ["AKS-ID-02"] and r["status"] == "fail" for r in judged["results"])
    assert PLAINTEXT not in out.read_text(encoding="utf-8") + capsys.readouterr().out


def test_stack_export_is_read(tmp_path: Path) -> None:
    loaded = load_plan_file(write(tmp_path, "state.json", export_document(secure_cluster_inputs())))
    assert loaded.format == "export" and loaded.stack == "prod"
    # the pending delete is skipped; the stack's outputs stay visible to stack policies
    assert [r["urn"] for r in loaded.resources] == [STACK_URN, CLUSTER_URN]
    assert loaded.resources[0]["outputs"] == {"kubeconfig": "[secret]"}
    assert "v1:AAAAexample" not in json.dumps(loaded.resources)


def test_stack_export_kubeconfig_output_is_caught(tmp_path: Path) -> None:
    loaded = load_plan_file(write(tmp_path, "state.json", export_document(secure_cluster_inputs())))
    failing = [r for r in evaluate(loaded.resources) if r["status"] == "fail"]
    assert [r["controls"] for r in failing if r["urn"] == STACK_URN] == [["IAM-ID-04"]]


def test_our_plan_round_trip(tmp_path: Path) -> None:
    plan = {
        "schemaVersion": 1,
        "project": "aks-platform",
        "stack": "dev",
        "resources": secure_resources(),
        "outputs": {"adminKubeconfig": "[secret]"},
        "results": [],
        "summary": {},
    }
    loaded = load_plan_file(write(tmp_path, "plan.json", plan))
    assert loaded.format == "plan" and loaded.stack == "dev"
    [stack] = [r for r in loaded.resources if r["type"] == "pulumi:pulumi:Stack"]
    assert "adminKubeconfig" in stack["outputs"]


def test_secure_plan_file_exits_zero(tmp_path: Path) -> None:
    # Without a stack file there is no platform:state, so grants on a state would be judged
    # as grants on an unknown storage account and key (DEL-STA-01): leave them out here.
    resources = [r for r in secure_resources() if not r["name"].endswith(("-state", "-key"))]
    plan = {"schemaVersion": 1, "project": "aks-platform", "stack": "dev", "resources": resources}
    path = write(tmp_path, "plan.json", plan)
    assert main(["check", "--plan", str(path), "--stack-dir", str(tmp_path)]) == 0


def test_unknown_values_cannot_be_decided_at_preview(tmp_path: Path) -> None:
    inputs = secure_cluster_inputs()
    inputs["disableLocalAccounts"] = UNKNOWN_BOOLEAN_VALUE
    loaded = load_plan_file(write(tmp_path, "preview.json", preview_document(inputs)))
    results = [r for r in evaluate(loaded.resources) if r["controls"] == ["AKS-ID-02"]]
    assert [r["status"] for r in results] == ["unknown"]
    assert results[0]["message"].startswith("cannot be decided at preview")


def test_unknown_in_a_stack_policy(tmp_path: Path) -> None:
    resources = secure_resources()
    for resource in resources:
        if resource["name"] == "ra-preview":
            resource["inputs"]["roleDefinitionId"] = UNKNOWN_STRING_VALUE
    results = [r for r in evaluate(resources) if r["controls"] == ["IAM-ID-02"]]
    assert [r["status"] for r in results] == ["unknown"]


# ---- malformed files: exit 2, one line `file:line: problem`, nothing written


def check_bad(tmp_path: Path, name: str, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    sarif = tmp_path / "out.sarif"
    code = main(["check", "--plan", str(path), "--json", str(out), "--sarif", str(sarif)])
    captured = capsys.readouterr()
    assert code == 2
    assert not out.exists() and not sarif.exists()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    return lines[0]


def test_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = check_bad(
        tmp_path, "bad.json", '{\n  "schemaVersion": 1,\n  "resources": [,]\n}\n', capsys
    )
    assert line.startswith("error: ") and f"{tmp_path / 'bad.json'}:3: invalid JSON" in line


def test_resource_without_type_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = secure_resources()[:3]
    del resources[2]["type"]
    text = json.dumps({"schemaVersion": 1, "resources": resources}, indent=2)
    expected = text[: text.index(f'"urn": "{resources[2]["urn"]}"')].count(
        "\n"
    )  # line of resources[2]'s "{"
    line = check_bad(tmp_path, "plan.json", text, capsys)
    assert f"plan.json:{expected}: resources[2].type is missing" in line


def test_not_a_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = check_bad(tmp_path, "other.json", '{"hello": "world"}', capsys)
    assert "other.json:1: not a plan" in line


def test_unsupported_schema_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = check_bad(tmp_path, "v2.json", '{\n"schemaVersion": 2, "resources": []}', capsys)
    assert "v2.json:2: unsupported schemaVersion 2" in line


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--plan", str(tmp_path / "nope.json")]) == 2
    assert "plan file not found" in capsys.readouterr().err


def test_stack_outputs_can_be_passed_to_the_evaluator() -> None:
    outputs = {"kubeconfig": "[secret]"}
    results = evaluate(secure_resources(), context(), stack_outputs=outputs)
    assert [r["controls"] for r in results if r["status"] == "fail"] == [["IAM-ID-04"]]


def test_preview_replacement_is_judged_once(tmp_path: Path) -> None:
    document = preview_document(secure_cluster_inputs())
    replacement = json.loads(json.dumps(document["steps"][1]))
    replacement["op"] = "create-replacement"
    replacement["newState"]["inputs"]["disableLocalAccounts"] = False
    document["steps"].append(replacement)
    loaded = load_plan_file(write(tmp_path, "preview.json", document))
    clusters = [r for r in loaded.resources if r["urn"] == CLUSTER_URN]
    assert len(clusters) == 1 and clusters[0]["inputs"]["disableLocalAccounts"] is False
