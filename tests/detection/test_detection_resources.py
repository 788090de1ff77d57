"""What the program declares for detection, per stack, and the config that drives it."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from support import (
    STACK_DIR,
    of_type,
    offline_run,
    run_raw_config,
    shipped_configs_with,
    shipped_raw_config,
    validated_config,
)

from bootstrap.cli import main
from components.config import ConfigError
from components.detection.catalog import BY_ID, kql_list
from components.detection.owners import check_tenant_owners
from components.detection.webhooks import webhook_url
from policies.context import PolicyContext
from policies.evaluator import evaluate

ENTRA = "azure-native:aadiam:DiagnosticSetting"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ALERT_RULE = "azure-native:monitor:ScheduledQueryRule"
ANALYTICS_RULE = "azure-native:securityinsights:ScheduledAlertRule"
ONBOARDING = "azure-native:securityinsights:SentinelOnboardingState"
WEBHOOK = "pulumi-python:dynamic:Resource"
# The Entra ID categories and their tables, typed from Microsoft's documentation (see
# components/detection/component.py), not imported, so a wrong constant fails here.
ENTRA_CATEGORIES = {"SignInLogs", "AuditLogs", "NonInteractiveUserSignInLogs",
                    "ServicePrincipalSignInLogs"}  # fmt: skip


def _detections(run: Any) -> set[str]:
    return {r["inputs"]["tags"]["platform-detection"] for r in of_type(run, ALERT_RULE)}


def test_prod_exports_entra_logs_to_its_workspace() -> None:
    run = offline_run("prod")
    (setting,) = of_type(run, ENTRA)
    categories = {log["category"] for log in setting["inputs"]["logs"] if log["enabled"]}
    assert categories >= ENTRA_CATEGORIES
    assert "/workspaces/log-" in setting["inputs"]["workspaceId"]


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_stacks_that_do_not_own_the_tenant_declare_no_export(stack: str) -> None:
    assert of_type(offline_run(stack), ENTRA) == []


def test_prod_holds_every_detection_paging_its_action_group() -> None:
    run = offline_run("prod")
    assert _detections(run) == set(BY_ID)
    (group,) = of_type(run, ACTION_GROUP)
    assert group["inputs"]["emailReceivers"][0]["emailAddress"] == "platform-oncall@contoso.com"
    for rule in of_type(run, ALERT_RULE):
        assert rule["inputs"]["enabled"] is True
        name = group["inputs"]["actionGroupName"]
        (target,) = rule["inputs"]["actions"]["actionGroups"]
        assert target.endswith(f"/providers/Microsoft.Insights/actionGroups/{name}")
        assert group["urn"] in rule["dependencies"]


def test_prod_holds_every_detection_as_sentinel_analytics_after_onboarding() -> None:
    run = offline_run("prod")
    (onboarding,) = of_type(run, ONBOARDING)
    rules = of_type(run, ANALYTICS_RULE)
    assert {r["inputs"]["ruleId"] for r in rules} == {d.sentinel_rule_id for d in BY_ID.values()}
    for rule in rules:
        assert onboarding["urn"] in rule["dependencies"]
        assert rule["inputs"]["tactics"] and rule["inputs"]["entityMappings"]


def test_dev_records_only() -> None:
    run = offline_run("dev")
    # dev owns neither the tenant nor the subscription: its own sources only.
    assert _detections(run) == {
        "pod-exec", "privileged-pod", "cluster-admin-activity", "key-vault-access-denied",
        "flux-reconciliation-failure",
    }  # fmt: skip
    assert of_type(run, ACTION_GROUP) == []
    assert all("actions" not in r["inputs"] for r in of_type(run, ALERT_RULE))
    assert all(r["inputs"]["enabled"] is True for r in of_type(run, ALERT_RULE))


def test_staging_watches_the_shared_subscription_activity_log() -> None:
    detections = _detections(offline_run("staging"))
    assert {"role-assignment-change", "cluster-admin-credential"} <= detections
    assert "disabled-account-sign-in" not in detections


def _prod_with(edit: Any) -> dict[str, Any]:
    raw = copy.deepcopy(shipped_raw_config("prod"))
    edit(raw["platform:detection"])
    return raw


def test_production_without_receivers_fails_the_pack() -> None:
    run = run_raw_config("prod", _prod_with(lambda d: d.pop("actionGroup")))
    assert of_type(run, ACTION_GROUP) == []
    results = evaluate(run.resources, PolicyContext.for_stack("prod"))
    failing = {r["controls"][0] for r in results if r["status"] == "fail"}
    assert "DET-ALR-02" in failing


def test_paging_without_receivers_is_refused() -> None:
    raw = copy.deepcopy(shipped_raw_config("dev"))
    raw["platform:detection"] = {"paging": True}
    with pytest.raises(ConfigError, match=r"detection\.actionGroup: detection\.paging is true"):
        validated_config("dev", raw)


def test_a_webhook_url_in_config_is_refused() -> None:
    hook = {"name": "pager", "keyVaultSecret": "pager", "url": "https://events.example.com/x"}
    raw = _prod_with(lambda d: d["actionGroup"].update(webhooks=[hook]))
    with pytest.raises(ConfigError, match="unknown key 'url'"):
        validated_config("prod", raw)


def test_webhooks_are_read_from_key_vault_after_its_endpoint() -> None:
    hook = {"name": "pager", "keyVaultSecret": "alert-webhook-pager"}
    raw = _prod_with(lambda d: d["actionGroup"].update(webhooks=[hook]))
    run = run_raw_config("prod", raw)
    (reader,) = [r for r in of_type(run, WEBHOOK) if "webhook" in r["name"]]
    assert reader["inputs"]["secret_name"] == "alert-webhook-pager"
    (group,) = of_type(run, ACTION_GROUP)
    assert reader["urn"] in group["dependencies"]
    failing = [
        r for r in evaluate(run.resources, PolicyContext.for_stack("prod"))
        if r["status"] == "fail" and r["enforcement"] == "mandatory"
    ]  # fmt: skip
    assert failing == []


@pytest.mark.parametrize("value", ["http://hooks.example.com/x", "hooks.example.com", ""])
def test_a_webhook_secret_must_hold_an_https_url(value: str) -> None:
    with pytest.raises(ValueError, match="https://"):
        webhook_url(value)


def test_query_lists_take_only_identifiers() -> None:
    assert kql_list(["kube-system"]) == 'dynamic(["kube-system"])'
    with pytest.raises(ValueError):
        kql_list(['x"]); AzureActivity | take 1 //'])


# ---- one owner per Entra ID tenant


def _configs(**owns: bool) -> dict[str, Any]:
    return shipped_configs_with("governance", "ownsTenantResources", owns)


def test_shipped_stacks_have_one_tenant_owner() -> None:
    check_tenant_owners(_configs())


def test_two_tenant_owners_are_refused() -> None:
    with pytest.raises(ValueError, match="owned by stacks dev and prod") as error:
        check_tenant_owners(_configs(dev=True))
    assert "\n" not in str(error.value)


def test_a_tenant_without_owner_is_refused() -> None:
    with pytest.raises(ValueError, match="has no owning stack"):
        check_tenant_owners(_configs(prod=False))


def test_bootstrap_plan_refuses_two_tenant_owners(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_dir = tmp_path / "stacks"
    shutil.copytree(STACK_DIR, stack_dir)
    path = stack_dir / "Pulumi.dev.yaml"
    old = "ownsTenantResources: false"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, "ownsTenantResources: true"))
    code = main(["plan", "dev", "--stack-dir", str(stack_dir), "--json", str(tmp_path / "d.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "owned by stacks dev and prod" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "d.json").exists()
