"""The GitHub workflows run as written: lint, identities, secrets, preview before up, pins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from support import REPO_ROOT, SHIPPED_STACKS, offline_run, shipped_raw_config, validated_config

from bootstrap.workflows import workflow_reads

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
ACTIONLINT = Path(sys.executable).with_name("actionlint")
PINS = YAML(typ="safe").load((Path(__file__).with_name("pinned_actions.yaml")).read_text())[
    "actions"
]
REPO_VARIABLE = "github:index/actionsVariable:ActionsVariable"
ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"


def _load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck and pyflakes are optional in actionlint and absent on these machines; turn
    # them off explicitly so the verdict never depends on what happens to be on PATH.
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# ---- actionlint


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path) -> None:
    result = _actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_fails_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nonexistent_context_value }}\n"
    )
    assert _actionlint(broken).returncode == 1


# ---- every identifier a workflow reads is declared for the stack that reads it


def _declared(stack: str) -> tuple[set[str], set[tuple[str, str]], set[tuple[str, str]]]:
    """(repository variables, (environment, variable), (kind, name) set by a person)."""
    from components.github_variables import actions_values

    run = offline_run(stack)
    repo = {r["inputs"]["variableName"] for r in run.resources if r["type"] == REPO_VARIABLE}
    env = {
        (r["inputs"]["environment"], r["inputs"]["variableName"])
        for r in run.resources
        if r["type"] == ENV_VARIABLE
    }
    config = validated_config(stack, shipped_raw_config(stack))
    person = {
        ("vars" if v.kind == "variable" else "secrets", v.name)
        for v in actions_values(config)
        if v.source == "person"
    }
    return repo, env, person


def undeclared_reads(workflow_dir: Path, stacks: tuple[str, ...]) -> list[str]:
    reads = workflow_reads(workflow_dir)
    declared = {stack: _declared(stack) for stack in stacks}
    problems = [str(p) for p in reads.problems]
    for read in reads.reads:
        if read.kind == "secrets" and read.name == "GITHUB_TOKEN":
            continue
        targets = [read.stack] if read.stack else list(stacks)
        for stack in targets:
            if stack not in declared:
                problems.append(f"{read.where}: runs for stack {stack}, which does not exist")
                continue
            repo, env, person = declared[stack]
            known = (read.kind, read.name) in person or (
                read.kind == "vars" and (read.name in repo or (read.environment, read.name) in env)
            )
            if not known:
                problems.append(
                    f"{read.where} reads {read.kind}.{read.name} (stack {stack}, environment "
                    f"{read.environment or 'none'}), which the program does not declare"
                )
    return problems


def test_every_read_is_declared_for_its_stack() -> None:
    assert undeclared_reads(WORKFLOWS, SHIPPED_STACKS) == []


def _copied_workflows(tmp_path: Path) -> Path:
    """The shipped workflow files in a folder of their own, to break one of them."""
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    for path in WORKFLOW_FILES:
        (workflows / path.name).write_text(path.read_text())
    return workflows


def test_an_unknown_variable_is_caught(tmp_path: Path) -> None:
    workflows = _copied_workflows(tmp_path)
    preview = workflows / "preview.yml"
    preview.write_text(
        preview.read_text().replace("AZURE_PREVIEW_CLIENT_ID_{0}", "AZURE_PREVIEW_CLIENTID_{0}")
    )
    problems = undeclared_reads(workflows, SHIPPED_STACKS)
    assert any("AZURE_PREVIEW_CLIENTID_DEV" in p for p in problems), problems


def test_the_preview_job_reads_each_stacks_own_identity_without_an_environment() -> None:
    preview = _load(WORKFLOWS / "preview.yml")["jobs"]["preview"]
    # An environment would change the OIDC subject away from :pull_request.
    assert "environment" not in preview
    reads = [
        r
        for r in workflow_reads(WORKFLOWS).reads
        if r.workflow == "preview.yml" and r.job == "preview"
    ]
    for stack in SHIPPED_STACKS:
        names = {r.name for r in reads if r.stack == stack}
        key = stack.upper()
        assert {f"AZURE_PREVIEW_CLIENT_ID_{key}", f"AZURE_TENANT_ID_{key}",
                f"AZURE_SUBSCRIPTION_ID_{key}"} <= names  # fmt: skip
        assert "AZURE_CLIENT_ID" not in names


def test_each_stack_deploys_in_its_github_environment() -> None:
    environments = workflow_reads(WORKFLOWS).environments
    for stack in SHIPPED_STACKS:
        config = validated_config(stack, shipped_raw_config(stack))
        assert (stack, config.github_environment) in environments


# ---- secrets reach the reusable workflow


def test_reusable_workflow_calls_pass_their_secrets() -> None:
    assert [str(p) for p in workflow_reads(WORKFLOWS).problems] == []


def test_a_call_without_secrets_inherit_is_caught(tmp_path: Path) -> None:
    workflows = _copied_workflows(tmp_path)
    deploy = workflows / "deploy.yml"
    deploy.write_text(deploy.read_text().replace("    secrets: inherit\n", ""))
    problems = [str(p) for p in workflow_reads(workflows).problems]
    assert any("PLATFORM_APP_PRIVATE_KEY" in p and "secrets: inherit" in p for p in problems)


# ---- every `pulumi up` is previewed with the policy pack first, in the same job


def _run_lines(step: dict) -> list[str]:
    return [line.strip() for line in str(step.get("run", "")).splitlines() if line.strip()]


def _jobs(document: dict) -> dict:
    return document.get("jobs") or {}


def test_up_runs_only_after_a_policy_pack_preview_in_the_same_job() -> None:
    ups = 0
    for path in WORKFLOW_FILES:
        for name, job in _jobs(_load(path)).items():
            previewed = False
            for step in job.get("steps") or []:
                uses = str(step.get("uses", ""))
                if uses.startswith("pulumi/actions@"):
                    # pulumi/actions runs `up` through the Automation API, which always
                    # passes --skip-preview (pulumi/pulumi sdk/nodejs/automation/stack.ts).
                    assert "command" not in (step.get("with") or {}), f"{path.name} {name}"
                for line in _run_lines(step):
                    if line.startswith("pulumi preview"):
                        assert "--policy-pack policies" in line
                        previewed = True
                    if line.startswith("pulumi up"):
                        ups += 1
                        assert previewed, f"{path.name} job {name}: up before preview"
                        assert "--policy-pack policies" in line
                        assert "--skip-preview" not in line
    assert ups >= 1


def test_the_policy_pack_preview_runs_with_the_project_environment() -> None:
    job = _load(WORKFLOWS / "pulumi-up.yml")["jobs"]["up"]
    lines = [line for step in job["steps"] for line in _run_lines(step)]
    first_preview = next(i for i, line in enumerate(lines) if line.startswith("pulumi preview"))
    assert any("make .venv/.installed" in line for line in lines[:first_preview])


# ---- pins: actions by commit, the Pulumi CLI by the SDK's version


_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


def test_every_action_is_pinned_to_a_release_commit_on_a_supported_runtime() -> None:
    seen = set()
    for path in WORKFLOW_FILES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _USES.match(line)
            if not match or match.group(1).startswith("./"):
                continue
            action, _, ref = match.group(1).partition("@")
            where = f"{path.name}:{number}"
            assert action in PINS, f"{where}: {action} is not in pinned_actions.yaml"
            pin = PINS[action]
            assert ref == pin["commit"], f"{where}: {action}@{ref} is not pinned to its commit"
            assert match.group(2).strip() == f"# {pin['version']}", f"{where}: version comment"
            # Node 24, or a composite action whose own steps are pinned by commit.
            assert pin["using"] in ("node24", "composite"), f"{where}: {pin['using']}"
            seen.add(action)
    assert seen == set(PINS), "pinned_actions.yaml lists actions no workflow uses"


def _requirement(name: str) -> str:
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")


@pytest.mark.parametrize("workflow", ["preview.yml", "pulumi-up.yml"])
def test_the_pulumi_cli_is_the_sdk_version(workflow: str, tmp_path: Path) -> None:
    jobs = _jobs(_load(WORKFLOWS / workflow))
    installs = 0
    for job in jobs.values():
        steps = job.get("steps") or []
        by_id = {step.get("id"): step for step in steps if step.get("id")}
        for step in steps:
            if not str(step.get("uses", "")).startswith("pulumi/actions@"):
                continue
            installs += 1
            version = step["with"]["pulumi-version"]
            match = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.version\s*\}\}", version)
            assert match, f"pulumi-version {version!r} is not derived from requirements.txt"
            # Run the deriving step exactly as the runner would, from the repository root.
            output = tmp_path / "github_output"
            output.write_text("")
            subprocess.run(
                ["bash", "-e", "-c", by_id[match.group(1)]["run"]],
                cwd=REPO_ROOT,
                env={**os.environ, "GITHUB_OUTPUT": str(output)},
                check=True,
                timeout=30,
            )
            assert output.read_text().strip() == f"version={_requirement('pulumi')}"
    assert installs >= 1
