"""`bootstrap check --manifests`: multi-document YAML, kustomize overlays, workflows."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from manifest_support import DIGEST, deployment_yaml, namespace_yaml
from support import REPO_ROOT, SHIPPED_STACKS, STACK_DIR, minimal_stack_text

from bootstrap.cli import main
from components.config import load_stack_file
from components.naming import Naming
from policies.sources.manifests import load_manifests, type_token


def stack_dir(tmp_path: Path) -> tuple[Path, str]:
    directory = tmp_path / "stacks"
    directory.mkdir()
    path = directory / "Pulumi.dev.yaml"
    path.write_text(minimal_stack_text("dev"), encoding="utf-8")
    return directory, Naming.for_config(load_stack_file(path)).registry_login_server


def test_type_tokens_match_pulumi_kubernetes() -> None:
    assert type_token("v1", "Pod") == "kubernetes:core/v1:Pod"
    assert type_token("apps/v1", "Deployment") == "kubernetes:apps/v1:Deployment"
    assert (
        type_token("source.toolkit.fluxcd.io/v1", "GitRepository")
        == "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
    )


def test_multi_document_files_pass_with_the_stack_registry(tmp_path: Path) -> None:
    stacks, server = stack_dir(tmp_path)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "team-a.yaml").write_text(namespace_yaml("team-a"), encoding="utf-8")
    (manifests / "web.yml").write_text(
        deployment_yaml(f"{server}/team-a/web:1.0.0@{DIGEST}"), encoding="utf-8"
    )
    resources = load_manifests(manifests, "dev")
    assert [r["type"] for r in resources] == [
        "kubernetes:core/v1:Namespace",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:apps/v1:Deployment",
    ]
    assert resources[4]["source"] == {"file": str(manifests / "web.yml"), "line": 1}
    assert "apiVersion" not in resources[4]["inputs"] and "kind" not in resources[4]["inputs"]
    args = ["check", "--manifests", str(manifests), "--stack", "dev", "--stack-dir", str(stacks)]
    assert main(args) == 0


def test_image_outside_the_stack_registry_fails(tmp_path: Path) -> None:
    stacks, _ = stack_dir(tmp_path)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "all.yaml").write_text(
        namespace_yaml("team-a")
        + "---\n"
        + deployment_yaml(f"otheracr.azurecr.io/web:1.0@{DIGEST}"),
        encoding="utf-8",
    )
    out = tmp_path / "judged.json"
    args = [
        "check",
        "--manifests",
        str(manifests),
        "--stack",
        "dev",
        "--stack-dir",
        str(stacks),
        "--json",
        str(out),
    ]
    assert main(args) == 1
    failing = {
        r["controls"][0] for r in json.loads(out.read_text())["results"] if r["status"] == "fail"
    }
    assert failing == {"KUBE-IMG-01"}


def test_kustomize_overlay_is_built_and_its_base_not_judged_raw(tmp_path: Path) -> None:
    stacks, server = stack_dir(tmp_path)
    base = tmp_path / "app" / "base"
    overlay = tmp_path / "app" / "overlays" / "dev"
    base.mkdir(parents=True)
    overlay.mkdir(parents=True)
    (base / "deployment.yaml").write_text(deployment_yaml("web:placeholder"), encoding="utf-8")
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n", encoding="utf-8")
    (overlay / "namespace.yaml").write_text(namespace_yaml("team-a"), encoding="utf-8")
    (overlay / "kustomization.yaml").write_text(
        textwrap.dedent(f"""\
            resources: [../../base, namespace.yaml]
            images:
              - name: web
                newName: {server}/team-a/web
                newTag: 1.2.3
                digest: {DIGEST}
            """),
        encoding="utf-8",
    )
    resources = load_manifests(tmp_path / "app", "dev")
    [deployment] = [r for r in resources if r["type"] == "kubernetes:apps/v1:Deployment"]
    image = deployment["inputs"]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith(f"{server}/team-a/web") and deployment["name"] == "team-a/web"
    assert {r["source"]["file"] for r in resources} == {str(overlay / "kustomization.yaml")}
    assert (
        main(
            [
                "check",
                "--manifests",
                str(tmp_path / "app"),
                "--stack",
                "dev",
                "--stack-dir",
                str(stacks),
            ]
        )
        == 0
    )


def test_workflow_files_are_judged(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(
        textwrap.dedent("""\
            name: deploy
            on: {push: {branches: [main]}}
            jobs:
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: azure/login@v2
                    with:
                      creds: ${{ secrets.AZURE_CREDENTIALS }}
            """),
        encoding="utf-8",
    )
    [workflow] = load_manifests(tmp_path)
    assert workflow["type"] == "github:actions/workflow:Workflow"
    out = tmp_path / "judged.json"
    assert main(["check", "--manifests", str(tmp_path), "--json", str(out)]) == 1
    failing = {
        r["controls"][0] for r in json.loads(out.read_text())["results"] if r["status"] == "fail"
    }
    assert failing == {"DEL-GHA-01", "DEL-GHA-02"}


# ---- malformed input: exit 2, one line, nothing written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n", ":5: invalid YAML"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n",
            ":5: expected a Kubernetes object",
        ),
        ("---\nkind: ConfigMap\nmetadata: {name: a}\n", ":2: not a Kubernetes object"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", ":1: ConfigMap has no metadata.name"),
    ],
    ids=["invalid-yaml", "not-a-mapping", "no-apiversion", "no-name"],
)
def test_malformed_manifest(
    tmp_path: Path, text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["check", "--manifests", str(tmp_path), "--json", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{tmp_path / 'bad.yaml'}{expected}" in err[0]
    assert not out.exists()


def test_failing_kustomize_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The same resource twice: kustomize refuses it, and its own reason is shown.
    (tmp_path / "ns.yaml").write_text(namespace_yaml("a"), encoding="utf-8")
    (tmp_path / "kustomization.yaml").write_text("resources: [ns.yaml, ns.yaml]\n", "utf-8")
    assert main(["check", "--manifests", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{tmp_path / 'kustomization.yaml'}:1: kubectl kustomize failed: " in err[0]
    assert "already registered id" in err[0]


def test_unknown_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ns.yaml").write_text(namespace_yaml("a"), encoding="utf-8")
    assert (
        main(["check", "--manifests", str(tmp_path), "--stack", "qa", "--stack-dir", str(tmp_path)])
        == 2
    )
    assert "stack file not found" in capsys.readouterr().err


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_gitops_tree_has_no_mandatory_violation(stack: str, tmp_path: Path) -> None:
    tree = REPO_ROOT / "gitops" / "clusters" / stack
    out = tmp_path / "judged.json"
    code = main(
        [
            "check",
            "--manifests",
            str(tree),
            "--stack",
            stack,
            "--stack-dir",
            str(STACK_DIR),
            "--json",
            str(out),
        ]
    )
    judged = json.loads(out.read_text(encoding="utf-8"))
    failing = [
        f"{r['controls']} {r['urn']}: {r['message']}"
        for r in judged["results"]
        if r["status"] == "fail" and r["enforcement"] == "mandatory"
    ]
    assert failing == [] and code == 0
    assert judged["summary"]["resources"] > 0
