"""A new user, on a copy of the repository, follows the README's "Deploying for real".

The stack is the README's own (taken from the section, so the two cannot drift apart), for a
tenant and subscription generated here. The user runs `bootstrap doctor`, does what it says
(the stack-file lines `pulumi stack init` writes are simulated, since there is no Pulumi
CLI here), renders, plans, and ends with doctor reporting ready; every identifier the
workflows read is then declared by the program for that stack.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
import textwrap
import uuid
from pathlib import Path

import pytest
from support import REPO_ROOT

from bootstrap.cli import main
from bootstrap.workflows import BUILT_IN_SECRETS, workflow_reads

README = REPO_ROOT / "README.md"
SECTION = re.compile(r"^## Deploying for real\n(.*?)^## ", re.DOTALL | re.MULTILINE)
STACK_BLOCK = re.compile(r"<!-- walkthrough:stack -->\s*```yaml\n(.*?)```", re.DOTALL)
# README commands doctor does not print, and why they need no check here.
NOT_FROM_DOCTOR = {
    "az login": "the user's own login",
    "git add": "commits the stack-file lines the test writes",
    "make .venv/.installed": "the Makefile target every test run builds",
}


def readme_section() -> str:
    match = SECTION.search(README.read_text(encoding="utf-8"))
    assert match, "README has no 'Deploying for real' section"
    return match.group(1)


def readme_stack(tenant: str, subscription: str, account: str) -> str:
    match = STACK_BLOCK.search(readme_section())
    assert match, "the README's walkthrough stack block is missing"
    text = textwrap.dedent(match.group(1))
    text = re.sub(r"(platform:tenantId: )\S+", rf"\g<1>{tenant}", text)
    text = re.sub(r"(platform:subscriptionId: )\S+", rf"\g<1>{subscription}", text)
    text = re.sub(r"(storageAccount: )\S+", rf"\g<1>{account}", text)
    text = text.replace("owner: contoso", "owner: fabrikam")
    return text.replace("repo: aks-platform", "repo: platform")


def readme_commands() -> list[str]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme_section(), re.DOTALL):
        for line in textwrap.dedent(block).replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if line:
                commands.append(line)
    return commands


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def bootstrap(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """`bootstrap ARGS` as the user runs it from the project root (in-process: faster)."""
    command, *rest = args
    dirs = ["--stack-dir", str(root / "stacks")]
    if command == "doctor":
        dirs += ["--root", str(root)]
    if command in {"render", "plan"}:
        dirs += ["--gitops-dir", str(root / "gitops")]
    code = main([command, *rest, *dirs])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def only_dev(workflows: Path) -> None:
    """README step 3: the workflows run your stacks; this tenant has dev only."""
    preview = workflows / "preview.yml"
    text = preview.read_text()
    for stack in ("staging", "prod"):
        text = text.replace(f"          - {{stack: {stack}, key: {stack.upper()}}}\n", "")
    preview.write_text(text)
    deploy = workflows / "deploy.yml"
    text = deploy.read_text()
    deploy.write_text(text[: text.index("\n  staging:\n") + 1])


def fixes(lines: list[str]) -> list[str]:
    return [line.split("fix: ", 1)[1] for line in lines if "fix: " in line]


def test_a_new_user_reaches_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "stacks").mkdir(parents=True)
    shutil.copytree(REPO_ROOT / ".github", root / ".github")
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    only_dev(root / ".github" / "workflows")
    tenant, subscription = str(uuid.uuid4()), str(uuid.uuid4())
    account = f"st{secrets.token_hex(8)}"
    stack_file = root / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(readme_stack(tenant, subscription, account))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)

    # 1. doctor before anything: the secrets provider and the backend are missing.
    first = bootstrap(root, capsys, "doctor", "dev")
    assert first.returncode == 1, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    [init] = [f for f in fixes(lines) if f.startswith("pulumi stack init dev")]
    [backend] = [f for f in fixes(lines) if f.startswith("export PULUMI_BACKEND_URL=")]
    assert f"storage_account={account}" in backend
    assert subscription in first.stdout and tenant not in first.stderr

    # 2. do what it says: `pulumi stack init` writes these two lines (simulated).
    provider = re.search(r'--secrets-provider "([^"]+)"', init).group(1)
    assert provider == "azurekeyvault://kv-contoso-pulumi.vault.azure.net/keys/pulumi-secrets"
    data_key = base64.b64encode(base64.urlsafe_b64encode(secrets.token_bytes(256))).decode()
    with stack_file.open("a") as handle:
        handle.write(f"secretsprovider: {provider}\nencryptedkey: {data_key}\n")
    monkeypatch.setenv(
        "PULUMI_BACKEND_URL", re.search(r'PULUMI_BACKEND_URL="([^"]+)"', backend).group(1)
    )

    # 3. render and plan until clean (`make plan`).
    rendered = bootstrap(root, capsys, "render")
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    planned = bootstrap(root, capsys, "plan", "--json", str(root / "out" / "dev.json"))
    assert planned.returncode == 0, planned.stdout + planned.stderr

    # 4. doctor again, over the whole project: nothing missing.
    ready = bootstrap(root, capsys, "doctor")
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert ready.stdout.splitlines()[-1].startswith("ready:")
    assert "MISSING" not in ready.stdout
    done = ready.stdout.splitlines()

    # 5. every identifier the workflows read is declared by the program for this stack.
    plan = json.loads((root / "out" / "dev.json").read_text())
    repo_vars = {
        r["inputs"]["variableName"]
        for r in plan["resources"]
        if r["type"] == "github:index/actionsVariable:ActionsVariable"
    }
    env_vars = {
        (r["inputs"]["environment"], r["inputs"]["variableName"])
        for r in plan["resources"]
        if r["type"] == "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
    }
    person = {("vars", "PLATFORM_APP_CLIENT_ID"), ("secrets", "PLATFORM_APP_PRIVATE_KEY")}
    reads = workflow_reads(root / ".github" / "workflows")
    assert reads.problems == []
    assert {r.stack for r in reads.reads if r.stack} == {"dev"}
    for read in reads.reads:
        if read.name in BUILT_IN_SECRETS:
            continue
        declared = (read.kind, read.name) in person or (
            read.kind == "vars"
            and (read.name in repo_vars or (read.environment, read.name) in env_vars)
        )
        assert declared, f"{read.where} reads {read.kind}.{read.name}, not declared for dev"
    assert "AZURE_SUBSCRIPTION_ID_DEV" in repo_vars and ("dev", "AZURE_CLIENT_ID") in env_vars

    # 6. every command of the README's section is one doctor prints (or needs no check).
    printed = " ; ".join(lines + done)
    for command in readme_commands():
        head = next((h for h in NOT_FROM_DOCTOR if command.startswith(h)), None)
        if head:
            continue
        words = command.split()
        if words[0] == "export":
            prefix = command.split("=", 1)[0] + "="
        else:
            prefix = " ".join(words[:3] if words[0] in {"az", "gh"} else words[:2])
        assert prefix in printed, f"README command '{command}' is not one doctor prints"
