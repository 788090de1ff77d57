"""`bootstrap plan` as users run it: a separate process, exit codes, files written or not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO_ROOT, STACK_DIR


def bootstrap(*arguments: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bootstrap", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
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
