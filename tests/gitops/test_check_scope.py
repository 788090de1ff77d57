"""`check --manifests` judges cluster-wide controls only where the folder is a whole cluster.

Issue 11, finding 6: one team's clean folder failed KUBE-DNS-01 ("no coredns-custom"),
blocking its pull request on something it does not own. Whole clusters (the gitops/ root,
`clusters/<env>/<cluster>`) still get every control, once per cluster.
"""

from __future__ import annotations

from pathlib import Path

from gitops_support import GITOPS, STACK_DIR, copy_repo_files
from manifest_support import DIGEST, check_manifests, deployment_yaml, namespace_yaml

from bootstrap import stacks
from components.naming import Naming

CLUSTER_WIDE = {"KUBE-DNS-01", "TEN-ADM-01"}
ALL_CLUSTERS = ["dev/dev1", "prod/neu1", "prod/plant1", "prod/weu1", "staging/eks1", "staging/stg1"]


def _team_folder(tmp_path: Path) -> Path:
    config = stacks.load(STACK_DIR, "prod").config
    image = f"{Naming.for_config(config).registry_login_server}/payments/api:2.1.0@{DIGEST}"
    folder = tmp_path / "payments"
    folder.mkdir()
    (folder / "namespace.yaml").write_text(namespace_yaml("payments", coredns=False))
    (folder / "deployment.yaml").write_text(deployment_yaml(image, "payments", "api"))
    return folder


def _controls(report: dict, status: str) -> set[str]:
    return {c for r in report["results"] if r["status"] == status for c in r["controls"]}


def test_a_teams_clean_folder_is_judged_by_namespace_controls_only(tmp_path):
    folder = _team_folder(tmp_path)
    code, report = check_manifests(
        folder, tmp_path, "--stack", "prod", "--stack-dir", str(STACK_DIR)
    )
    assert _controls(report, "fail") == set()
    assert code == 0
    assert not CLUSTER_WIDE & (_controls(report, "pass") | _controls(report, "fail"))
    assert {"KUBE-NS-01", "KUBE-NET-01", "KUBE-POD-04"} <= _controls(report, "pass")
    assert report["scope"]["kind"] == "namespace"
    assert "KUBE-DNS-01" in report["scope"]["description"]


def test_the_whole_tree_is_judged_once_per_cluster(tmp_path):
    code, report = check_manifests(GITOPS, tmp_path)
    assert code == 0
    assert report["scope"] == {
        "kind": "cluster",
        "clusters": ALL_CLUSTERS,
        "description": report["scope"]["description"],
    }
    passes = {r["controls"][0]: r["count"] for r in report["results"] if r["status"] == "pass"}
    assert {control: passes.get(control) for control in CLUSTER_WIDE} == {
        control: len(ALL_CLUSTERS) for control in CLUSTER_WIDE
    }


def test_a_cluster_without_the_guardrails_is_named(tmp_path):
    _, gitops_dir = copy_repo_files(tmp_path)
    # eks1's infrastructure without the admission policies; every other cluster keeps them.
    infrastructure = gitops_dir / "clusters/staging/eks1/infrastructure"
    (infrastructure / "coredns-custom.yaml").write_text(
        (gitops_dir / "infrastructure/base/coredns-custom.yaml").read_text()
    )
    (infrastructure / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - coredns-custom.yaml\n"
    )
    for path in (gitops_dir, gitops_dir / "clusters/staging/eks1"):
        code, report = check_manifests(path, tmp_path)
        assert code == 1
        failing = [r for r in report["results"] if r["status"] == "fail"]
        assert {r["controls"][0] for r in failing} == {"TEN-ADM-01"}
        assert all(r["message"].startswith("cluster staging/eks1: ") for r in failing)
    code, report = check_manifests(gitops_dir / "clusters/staging/stg1", tmp_path)
    assert code == 0 and report["scope"]["clusters"] == ["staging/stg1"]
