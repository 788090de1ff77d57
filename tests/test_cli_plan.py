"""`bootstrap plan` as users run it: a separate process, exit codes, files written or not."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REPO_ROOT, STACK_DIR, run_python


def bootstrap(*arguments: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return run_python(
        "-m",
        "bootstrap",
        *arguments,
        cwd=cwd,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        timeout=None,
    )


@pytest.fixture
def broken_stack_dir(tmp_path: Path) -> Path:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("dev", "staging"):
        shutil.copy(STACK_DIR / f"Pulumi.{name}.yaml", stacks)
    text = (stacks / "Pulumi.staging.yaml").read_text()
    (stacks / "Pulumi.staging.yaml").write_text(text.replace("10.20.0.0/20", "10.20.0.0/33"))
    return stacks


def test_broken_stack_is_one_line_and_exit_2(broken_stack_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "plans"
    result = bootstrap("plan", "--stack-dir", str(broken_stack_dir), "--json", str(report))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Pulumi.staging.yaml:" in lines[0]
    assert "platform:clusters[0].network.addressSpace" in lines[0]
    assert "not an IPv4 CIDR" in lines[0]
    # Validation comes first: not even the valid dev stack was planned or written.
    assert not report.exists()


def test_unknown_stack_names_the_available_ones(tmp_path: Path) -> None:
    result = bootstrap("plan", "qa")
    assert result.returncode == 2
    assert "Pulumi.qa.yaml: stack not found (available: dev, staging, prod)" in result.stderr


def test_missing_stack_dir(tmp_path: Path) -> None:
    result = bootstrap("plan", "--stack-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "stack directory not found" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_plan_writes_the_plan_file_of_one_stack(tmp_path: Path) -> None:
    target = tmp_path / "dev.json"
    result = bootstrap("plan", "dev", "--json", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    plan = json.loads(target.read_text())
    assert plan["schemaVersion"] == 1
    assert plan["stack"] == "dev"
    assert plan["summary"]["violations"] == 0
    types = {r["type"] for r in plan["resources"]}
    assert "azure-native:containerservice:ManagedCluster" in types
    assert "Resources per type and environment" in result.stdout


def test_plan_of_several_stacks_writes_one_file_each(tmp_path: Path) -> None:
    target = tmp_path / "plans"
    result = bootstrap("plan", "dev", "prod", "--json", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["dev.json", "prod.json"]


def test_plan_with_preview_fidelity_and_its_reports(tmp_path: Path) -> None:
    # `--preview-fidelity`: the pack judges what a first `pulumi preview` hands it, every
    # report says so and names the controls that leave a part to `pulumi up`.
    target, sarif_path, markdown_path = (
        tmp_path / "dev.json",
        tmp_path / "p.sarif",
        tmp_path / "p.md",
    )
    result = bootstrap(
        "plan",
        "dev",
        "--preview-fidelity",
        "--json",
        str(target),
        "--sarif",
        str(sarif_path),
        "--markdown",
        str(markdown_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "decided in part at `pulumi up` (unknown at a first preview): AKS-CLU-02" in (
        result.stdout
    )
    plan = json.loads(target.read_text())
    assert plan["previewFidelity"] is True
    summary = plan["summary"]
    assert summary["unknown"] == 0 and summary["violations"] == 0
    assert summary["atApply"] == ["AKS-CLU-02", "IAM-ID-01", "IAM-ID-04"]
    assert summary["deferredToApply"]["AKS-CLU-02"] == 1  # one per cluster
    window = next(r for r in plan["resources"] if r["type"].endswith(":MaintenanceConfiguration"))
    assert "configName" in window["inputs"] and "configName" not in window["outputs"]
    sarif = json.loads(sarif_path.read_text())
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "atApply" in rules["AKS-CLU-02"]["properties"]
    assert "atApply" not in rules["AKS-ID-02"]["properties"]
    assert sarif["runs"][0]["properties"]["atApply"]["dev"]["IAM-ID-04"] >= 1
    assert "Decided in part at `pulumi up`" in markdown_path.read_text()
    # The plan file is judged again the same way: outputs and property dependencies kept.
    again = bootstrap("check", "--plan", str(target), "--json", str(tmp_path / "again.json"))
    assert again.returncode == 0, again.stdout + again.stderr
    rejudged = json.loads((tmp_path / "again.json").read_text())["summary"]
    assert rejudged["unknown"] == 0
    assert rejudged["deferredToApply"] == summary["deferredToApply"]
