"""Preview fidelity: the pack judges what a first `pulumi preview` hands it, and decides.

At a first preview azure-native reports, per resource, only its response properties: path
parameters are absent and read-only outputs (name, type, ...) unknown; inputs computed from
such outputs are unknown too (bootstrap/engine/preview.py has the sources). The offline
engine reproduces that shape with `preview=True`; these tests check the shape against
azure-native's rules, then that every mandatory control still reaches a verdict on it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support import SHIPPED_STACKS, STACK_DIR, offline_run

from bootstrap.engine.preview import UNKNOWN, preview_outputs
from policies.catalog import load_catalog
from policies.context import PolicyContext
from policies.evaluator import evaluate, summarize

PRICING = "azure-native:security:Pricing"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"


def _context(stack: str) -> PolicyContext:
    return PolicyContext.for_stack(stack, STACK_DIR)


def _of_type(run: Any, token: str) -> list[dict[str, Any]]:
    return [r for r in run.resources if r["type"] == token]


def _judged(stack: str) -> list[dict[str, Any]]:
    run = offline_run(stack, preview=True)
    return evaluate(run.resources, _context(stack), stack_outputs=run.outputs)


# ---- the shape, against azure-native's preview rules


def test_preview_outputs_drop_path_parameters_and_hide_read_only_outputs() -> None:
    outputs = preview_outputs(
        PRICING,
        {
            "pricingName": "Containers",
            "scopeId": "/subscriptions/x",
            "pricingTier": "Standard",
            "extensions": [{"name": "ContainerSensor", "isEnabled": "True"}],
        },
    )
    assert outputs is not None
    # Path parameters are not response properties.
    assert "pricingName" not in outputs and "scopeId" not in outputs
    # Read-only outputs are unknown until Azure answers.
    assert outputs["name"] == UNKNOWN and outputs["type"] == UNKNOWN
    # Inputs of response properties are kept; nested read-only ones are unknown.
    assert outputs["pricingTier"] == "Standard"
    [extension] = outputs["extensions"]
    assert extension["name"] == "ContainerSensor" and extension["isEnabled"] == "True"
    assert extension["operationStatus"] == UNKNOWN


def test_preview_outputs_unknown_for_type_mismatch_and_unset_optionals() -> None:
    outputs = preview_outputs(
        MANAGED_CLUSTER,
        {"disableLocalAccounts": "yes", "apiServerAccessProfile": {"enablePrivateCluster": True}},
    )
    assert outputs is not None
    assert outputs["disableLocalAccounts"] == UNKNOWN  # a string where a boolean belongs
    access = outputs["apiServerAccessProfile"]
    assert access["enablePrivateCluster"] is True
    assert access["disableRunCommand"] == UNKNOWN  # optional, not set: unknown at preview
    assert outputs["enableRBAC"] == UNKNOWN


def test_other_providers_are_not_reshaped() -> None:
    assert preview_outputs("github:index/branchProtection:BranchProtection", {"a": 1}) is None


def test_preview_run_hands_unknown_inputs_and_preview_outputs() -> None:
    run = offline_run("prod", preview=True)
    assert run.preview
    [pricing] = [p for p in _of_type(run, PRICING) if p["inputs"]["pricingName"] == "Arm"]
    # Resource policies (Analyze) see the inputs, stack policies (AnalyzeStack) the outputs.
    assert "pricingName" not in pricing["outputs"] and pricing["outputs"]["name"] == UNKNOWN
    settings = _of_type(run, DIAGNOSTIC_SETTING)
    assert settings
    for setting in settings:
        # resourceUri = <target>.id and workspaceId = <workspace>.id: unknown at preview.
        assert setting["inputs"]["resourceUri"] == UNKNOWN
        assert setting["inputs"]["workspaceId"] == UNKNOWN
        assert setting["propertyDependencies"]["workspaceId"]
    # The default (after-apply) mode keeps its shape: inputs only.
    assert all("outputs" not in r for r in offline_run("prod").resources)


# ---- finding 3: a mandatory control turned into "cannot be decided at preview"


def test_defender_plans_reach_a_verdict_at_preview() -> None:
    results = [r for r in _judged("prod") if r["controls"] == ["GOV-DEF-01"]]
    assert results, "GOV-DEF-01 was not evaluated"
    assert {r["status"] for r in results} == {"pass"}, results


# ---- every mandatory control decides


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stack_decides_every_mandatory_control_at_preview(stack: str) -> None:
    results = _judged(stack)
    undecided = [
        f"{r['controls']} {r['urn']}: {r['message']}"
        for r in results
        if r["status"] == "unknown" and r["enforcement"] == "mandatory"
    ]
    assert undecided == []
    blocking = [
        f"{r['controls']} {r['urn']}: {r['message']}"
        for r in results
        if r["status"] == "fail" and r["enforcement"] == "mandatory"
    ]
    assert blocking == []


def test_catalog_marks_exactly_the_controls_that_leave_a_part_to_apply() -> None:
    # What a check leaves to `pulumi up` is counted while it runs (props.preview_dig); the
    # catalog's `atApply` must name exactly those controls, no more, no fewer.
    left: set[str] = set()
    for stack in SHIPPED_STACKS:
        run = offline_run(stack, preview=True)
        left |= set(summarize(run.resources, _judged(stack))["deferredToApply"])
    marked = {control.id for control in load_catalog() if control.at_apply}
    assert left == marked
    # In the default mode every output is filled in: nothing is left for later.
    run = offline_run("prod")
    results = evaluate(run.resources, _context("prod"), stack_outputs=run.outputs)
    assert summarize(run.resources, results)["deferredToApply"] == {}


# ---- resource policies on inputs computed from outputs unknown at preview


FEDERATED_CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"


def _cluster_at_preview(change: Any) -> dict[str, Any]:
    run = offline_run("dev", preview=True)
    [cluster] = _of_type(run, MANAGED_CLUSTER)
    cluster = copy.deepcopy(cluster)
    change(cluster["inputs"])
    return cluster


def _failures(resource: dict[str, Any], control: str) -> list[str]:
    results = evaluate([resource], _context("dev"))
    mine = [r for r in results if r["controls"] == [control]]
    assert mine, f"{control} was not evaluated"
    assert all(r["status"] in ("pass", "fail") for r in mine), mine
    return [r["message"] for r in mine if r["status"] == "fail"]


def test_pending_workspace_id_still_needs_the_sensor_on() -> None:
    def sensor_off(inputs: dict[str, Any]) -> None:
        defender = inputs["securityProfile"]["defender"]
        assert defender["logAnalyticsWorkspaceResourceId"] == UNKNOWN
        defender["securityMonitoring"]["enabled"] = False

    assert _failures(_cluster_at_preview(lambda _: None), "AKS-CLU-02") == []
    assert _failures(_cluster_at_preview(sensor_off), "AKS-CLU-02") == [
        "securityProfile.defender.securityMonitoring.enabled is not true"
    ]


def test_pending_kms_key_still_needs_kms_on() -> None:
    def kms_off(inputs: dict[str, Any]) -> None:
        kms = inputs["securityProfile"]["azureKeyVaultKms"]
        assert kms["keyId"] == UNKNOWN
        kms["enabled"] = False

    assert _failures(_cluster_at_preview(lambda _: None), "AKS-CLU-07") == []
    assert len(_failures(_cluster_at_preview(kms_off), "AKS-CLU-07")) == 1


def _credential(subject: str) -> dict[str, Any]:
    urn = f"urn:pulumi:dev::aks-platform::{FEDERATED_CREDENTIAL}::team-a"
    inputs = {
        "issuer": UNKNOWN,  # a cluster's OIDC issuer URL, unknown until the cluster exists
        "subject": subject,
        "audiences": ["api://AzureADTokenExchange"],
    }
    return {"urn": urn, "type": FEDERATED_CREDENTIAL, "name": "team-a", "inputs": inputs}


@pytest.mark.parametrize(
    ("subject", "caught"),
    [
        ("system:serviceaccount:team-a:app", False),
        ("repo:contoso/platform:environment:prod", False),
        ("system:serviceaccount:team-a:*", True),
        ("system:serviceaccount:team-a", True),
        ("repo:contoso/*", True),
    ],
)
def test_credential_with_pending_issuer_still_needs_an_exact_subject(
    subject: str, caught: bool
) -> None:
    assert bool(_failures(_credential(subject), "IAM-ID-01")) is caught


def test_secret_inputs_stay_secret_in_preview_outputs() -> None:
    from pulumi.runtime.rpc import wrap_rpc_secret

    from bootstrap.engine.wire import SECRET_MARK
    from policies.sources.wire import mask

    hidden = "-".join(["not", "for", "the", "plan"])  # built at run time, not a fixture
    outputs = preview_outputs(
        "azure-native:keyvault:Vault", {"tags": wrap_rpc_secret({"owner": hidden})}
    )
    assert outputs is not None
    assert hidden not in str(mask(outputs)) and mask(outputs)["tags"] == SECRET_MARK
