"""The policy pack over the rendered tree: `bootstrap check --manifests gitops/`.

The shipped tree has no mandatory violation; a workload a team adds to its namespace is
judged like any Pulumi-declared one.
"""

from __future__ import annotations

import pytest
from gitops_support import GITOPS, STACK_DIR, copy_repo_files
from manifest_support import check_manifests

INSECURE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: insecure
spec:
  selector:
    matchLabels: {app: insecure}
  template:
    metadata:
      labels: {app: insecure}
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            privileged: true
"""


def _check(manifests, tmp_path, *extra: str) -> tuple[int, list[dict]]:
    code, report = check_manifests(manifests, tmp_path, *extra)
    return code, report["results"]


# prod is the strictest environment (restricted PSA standard, enforcement only tightened).
@pytest.mark.parametrize("stack", [None, "prod"])
def test_shipped_tree_has_no_mandatory_violation(tmp_path, stack):
    extra = ("--stack", stack, "--stack-dir", str(STACK_DIR)) if stack else ()
    code, results = _check(GITOPS, tmp_path, *extra)
    failures = [r for r in results if r["status"] == "fail" and r["enforcement"] == "mandatory"]
    assert failures == []
    assert code == 0
    passed = {control for r in results if r["status"] == "pass" for control in r["controls"]}
    # The segmentation the tree promises is what the pack verifies.
    assert {"KUBE-NS-01", "KUBE-NET-01", "KUBE-NET-02", "KUBE-DNS-01"} <= passed


def test_insecure_deployment_in_a_tenant_is_caught(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    tenant = gitops_dir / "tenants/overlays/dev/team-a"
    (tenant / "insecure.yaml").write_text(INSECURE_DEPLOYMENT)
    kustomization = tenant / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "  - insecure.yaml\n")

    code, results = _check(gitops_dir, tmp_path, "--stack", "dev", "--stack-dir", str(stack_dir))

    assert code == 1
    caught = {
        control
        for r in results
        if r["status"] == "fail" and r["enforcement"] == "mandatory" and "insecure" in r["urn"]
        for control in r["controls"]
    }
    assert {"KUBE-POD-01", "KUBE-IMG-01", "KUBE-IMG-02", "KUBE-POD-04", "KUBE-RES-01"} <= caught
