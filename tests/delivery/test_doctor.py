"""`bootstrap doctor`: offline, one line per item with its fix, exit 0 / 1 / 2."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REPO_ROOT, STACK_DIR, offline_run

from bootstrap.cli import main
from bootstrap.doctor.checks.providers import needed_features, needed_namespaces


@pytest.fixture
def no_live_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctor prints `az`/`gh` commands; it must never run one (or anything else)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"doctor started a process: {args!r}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["doctor", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines() + captured.err.splitlines()


@pytest.fixture(scope="module")
def shipped_report() -> tuple[int, list[str]]:
    """Doctor over the shipped stacks (run once: it plans each stack offline)."""
    import contextlib
    import io
    import os

    saved = os.environ.pop("PULUMI_BACKEND_URL", None)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(["doctor", "--stack-dir", str(STACK_DIR), "--root", str(REPO_ROOT)])
    finally:
        if saved is not None:
            os.environ["PULUMI_BACKEND_URL"] = saved
    return code, out.getvalue().splitlines()


def lines_with(lines: list[str], *parts: str) -> list[str]:
    return [line for line in lines if all(part in line for part in parts)]


def test_shipped_stacks_are_not_ready(shipped_report) -> None:
    code, lines = shipped_report
    assert code == 1
    assert lines[-1].startswith("not ready:")


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stack_file_without_a_secrets_provider_is_missing(shipped_report, stack) -> None:
    _, lines = shipped_report
    [line] = lines_with(lines, "MISSING", f"Pulumi.{stack}.yaml has no secretsprovider")
    assert f"fix: pulumi stack init {stack} --secrets-provider " in line
    assert '"azurekeyvault://kv-contoso-pulumi' in line


def test_the_backend_url_is_missing(shipped_report) -> None:
    _, lines = shipped_report
    [line] = lines_with(lines, "MISSING", "no backend URL")
    assert 'fix: export PULUMI_BACKEND_URL="azblob://pulumi?storage_account=' in line


def test_resource_providers_come_from_the_plan(shipped_report) -> None:
    _, lines = shipped_report
    prod_sub = "00000000-0000-0000-0000-00000000b002"
    namespaces = ("Microsoft.ContainerService", "Microsoft.KeyVault", "Microsoft.Insights",
                  "Microsoft.SecurityInsights", "Microsoft.HybridContainerService")  # fmt: skip
    for namespace in namespaces:
        [line] = lines_with(lines, "CHECK", f"resource provider {namespace} ", prod_sub)
        assert (
            f"fix: az provider register --namespace {namespace} --subscription {prod_sub}" in line
        )
        assert f"check: az provider show --namespace {namespace}" in line
    # Sentinel and Azure Local are prod-only here: the shared dev/staging subscription
    # is never told to register them.
    assert lines_with(lines, "Microsoft.SecurityInsights", "b001") == []
    assert lines_with(lines, "feature Microsoft.Compute/EncryptionAtHost", prod_sub)


def test_namespaces_follow_the_plan_not_a_list() -> None:
    resources = copy.deepcopy(offline_run("dev").resources)
    before = needed_namespaces(resources)
    assert "Microsoft.ContainerService" in before and "Microsoft.Cache" not in before
    assert "Microsoft.Authorization" not in before  # registered in every subscription
    resources.append({"type": "azure-native:cache:Redis", "inputs": {}})
    assert "cache:Redis" in needed_namespaces(resources)["Microsoft.Cache"]
    for resource in resources:
        inputs = resource.get("inputs") or {}
        for pool in [inputs, *(inputs.get("agentPoolProfiles") or [])]:
            if isinstance(pool, dict) and "enableEncryptionAtHost" in pool:
                pool["enableEncryptionAtHost"] = False
    assert needed_features(resources) == set()


def test_github_values_a_person_sets_are_listed(shipped_report) -> None:
    _, lines = shipped_report
    [line, *_] = lines_with(lines, "CHECK", "secret PLATFORM_APP_PRIVATE_KEY")
    assert "fix: gh secret set PLATFORM_APP_PRIVATE_KEY --repo contoso/aks-platform" in line
    assert lines_with(lines, "CHECK", "gh variable set PLATFORM_APP_CLIENT_ID")
    [written] = lines_with(lines, "CHECK", "dev ", "variables the first `pulumi up` writes")
    assert "AZURE_PREVIEW_CLIENT_ID_DEV" in written and "PULUMI_BACKEND_URL (env dev)" in written


def test_one_time_role_assignments_say_why(shipped_report) -> None:
    _, lines = shipped_report
    [contributor] = lines_with(lines, "staging ", "one-time role assignment Contributor at")
    assert "a role the deploy identity may not assign" in contributor
    assert "pulumi up --stack staging --policy-pack policies" in contributor
    assert "check: az role assignment list --scope " in contributor
    # Delegable roles outside the platform's group still need a person: the state key.
    [key] = lines_with(lines, "dev ", "Crypto User", "(platform-dev-github-deploy-secrets-key)")
    assert "outside the resource group the deploy identity may assign in" in key
    # ...and roles the deploy identity may assign inside its group are left to CI.
    assert lines_with(lines, "one-time role assignment AcrPull") == []


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(STACK_DIR, root / "stacks")
    shutil.copytree(REPO_ROOT / ".github", root / ".github")
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    return root


def test_state_not_named_is_missing(tmp_path, capsys, no_live_calls) -> None:
    root = _project_copy(tmp_path)
    path = root / "stacks" / "Pulumi.dev.yaml"
    text = path.read_text()
    start = text.index("  # Where Pulumi keeps")
    end = text.index("  platform:network:")
    path.write_text(text[:start] + text[end:])
    code, lines = doctor(capsys, "dev", "--stack-dir", str(root / "stacks"), "--root", str(root))
    assert code == 1
    assert lines_with(lines, "MISSING", "dev", "platform:state is not set")


def test_workflow_stack_without_a_stack_file_is_missing(tmp_path, capsys, no_live_calls) -> None:
    root = _project_copy(tmp_path)
    (root / "stacks" / "Pulumi.staging.yaml").unlink()
    (root / "stacks" / "Pulumi.prod.yaml").unlink()
    code, lines = doctor(capsys, "--stack-dir", str(root / "stacks"), "--root", str(root))
    assert code == 1
    assert lines_with(lines, "MISSING", "staging", "which has no")
    # ...and a stack file no workflow runs.
    deploy = root / ".github" / "workflows" / "deploy.yml"
    deploy.write_text(deploy.read_text().replace("stack: dev", "stack: qa"))
    preview = root / ".github" / "workflows" / "preview.yml"
    preview.write_text(preview.read_text().replace("stack: dev,", "stack: qa,"))
    _, lines = doctor(capsys, "--stack-dir", str(root / "stacks"), "--root", str(root))
    assert lines_with(lines, "MISSING", "dev", "no workflow previews or deploys stack dev")
    # Naming one stack checks that stack only.
    assert not lines_with(
        doctor(capsys, "dev", "--stack-dir", str(root / "stacks"), "--root", str(root))[1],
        "which has no",
    )


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("unknown-stack", "stack not found"),
        ("pulumi-yaml", "Pulumi.yaml: not a readable Pulumi.yaml"),
        ("workflow", "not a readable workflow"),
        ("stack-file", "platform:clusters"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, no_live_calls, damage, expected):
    root = _project_copy(tmp_path)
    stack = "dev"
    if damage == "unknown-stack":
        stack = "qa"
    elif damage == "pulumi-yaml":
        (root / "Pulumi.yaml").write_text("name: [unclosed\n")
    elif damage == "workflow":
        (root / ".github" / "workflows" / "preview.yml").write_text("jobs: {a: [\n")
    else:
        path = root / "stacks" / "Pulumi.dev.yaml"
        path.write_text(path.read_text().replace("addressSpace: 10.10.0.0/20", "addressSpace: x"))
    code, lines = doctor(capsys, stack, "--stack-dir", str(root / "stacks"), "--root", str(root))
    assert code == 2
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0], lines
    assert not any("Traceback" in line for line in lines)


def test_the_tenant_owner_needs_security_administrator(shipped_report) -> None:
    """Only the stack that owns the Entra ID tenant creates its diagnostic setting; that
    needs the Security Administrator directory role (and an Entra ID P1/P2 licence), and no
    subscription registers a provider for a tenant resource."""
    _, lines = shipped_report
    [line] = lines_with(lines, "CHECK", "holds Security Administrator")
    assert line.split()[1] == "prod"
    assert '"roleDefinitionId": "194ae4cb-b126-40b2-bd5b-6091b380977d"' in line
    assert lines_with(lines, "CHECK", "prod", "P1 or P2")
    assert lines_with(lines, "resource provider microsoft.aadiam") == []
