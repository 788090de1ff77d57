"""Segmentation proven by analysis, and the tree judged by checkov, on every cluster path.

network-config-analyzer (nca, .venv-nca) computes the connectivity the Kubernetes
NetworkPolicies and the Calico backstop of each cluster's real build allow, over a small
topology: one unlabelled and one `allowed` pod per tenant namespace, CoreDNS and another
kube-system pod, the platform ingress (app-routing-system), and a namespace created by
hand. A tenant pod must reach only CoreDNS on port 53, and nothing may reach it until the
tenant adds an allow (here: ingress from the platform ingress to `app: allowed` on 8080).
checkov (.venv-checkov) runs its Kubernetes framework once over all cluster builds.

Both tools run as their own processes with a dead proxy, so a network call would fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitops_support import GITOPS, REPO_ROOT, STACK_DIR, kustomize

from bootstrap import stacks
from components import gitops_layout as layout

NCA = REPO_ROOT / ".venv-nca" / "bin" / "nca"
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
OFFLINE = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
DNS_ONLY = "{protocols:TCP, UDP,dst_ports:53}"
INGRESS_PORT = 8080
# Calico gives every namespace this label (docs.tigera.io, Calico: namespaceSelector
# `projectcalico.org/name`); the API server gives kubernetes.io/metadata.name.
CALICO_NAME = "projectcalico.org/name"
# checkov findings the tree accepts, each with its reason. Empty: none.
CHECKOV_EXCEPTIONS: dict[str, str] = {}


def _clusters() -> list[tuple[str, str]]:
    found = []
    for stack in ("dev", "staging", "prod"):
        config = stacks.load(STACK_DIR, stack).config
        found += [(stack, c.name) for c in [*config.clusters, *config.arc_clusters]]
    return found


CLUSTERS = _clusters()


def _tool(path: Path) -> str:
    if not path.is_file():
        raise AssertionError(f"{path} missing: run `make test` (it builds {path.parents[1].name})")
    return str(path)


# ---- network-config-analyzer


def _pod(namespace: str, name: str, labels: dict[str, str], ip: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 8080}]}]},
        "status": {"podIP": ip, "hostIP": "10.1.0.1"},
    }


def _namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = {**(labels or {}), "kubernetes.io/metadata.name": name, CALICO_NAME: name}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def _allow_from_ingress(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-from-ingress", "namespace": namespace},
        "spec": {
            "podSelector": {"matchLabels": {"app": "allowed"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "app-routing-system"}
                            }
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": INGRESS_PORT}],
                }
            ],
        },
    }


def _connectivity(
    stack: str, cluster: str, work: Path
) -> tuple[list[str], set[tuple[str, str, str]]]:
    folder = GITOPS / "clusters" / stack / cluster
    built = kustomize(folder / layout.TENANTS)
    if (folder / layout.CALICO).is_dir():
        built += kustomize(folder / layout.CALICO)
    tenants = sorted(o["metadata"]["name"] for o in built if o["kind"] == "Namespace")
    labels = {o["metadata"]["name"]: o["metadata"].get("labels", {}) for o in built}
    policies = [o for o in built if o["kind"] in ("NetworkPolicy", "GlobalNetworkPolicy")]
    policies += [_allow_from_ingress(t) for t in tenants]
    namespaces = [_namespace(t, labels[t]) for t in tenants]
    namespaces += [_namespace(n) for n in ("kube-system", "app-routing-system", "scratch")]
    pods = [
        _pod("kube-system", "coredns-1", {"k8s-app": "kube-dns"}, "10.0.0.2"),
        _pod("kube-system", "metrics-1", {"k8s-app": "metrics-server"}, "10.0.0.3"),
        _pod("app-routing-system", "nginx-1", {"app": "nginx"}, "10.0.0.4"),
        _pod("scratch", "job-1", {"app": "job"}, "10.0.0.5"),
    ]
    for index, tenant in enumerate(tenants):
        pods.append(_pod(tenant, "web-1", {"app": "web"}, f"10.0.1.{index}"))
        pods.append(_pod(tenant, "allowed-1", {"app": "allowed"}, f"10.0.2.{index}"))
    work.mkdir(parents=True)
    (work / "policies").mkdir()
    (work / "policies" / "policies.yaml").write_text(yaml.safe_dump_all(policies))
    (work / "pods.yaml").write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "PodList", "items": pods})
    )
    (work / "namespaces.yaml").write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "NamespaceList", "items": namespaces})
    )
    result = subprocess.run(
        [_tool(NCA), "--connectivity", str(work / "policies"), "-p", str(work / "pods.yaml"),
         "-n", str(work / "namespaces.yaml"), "-o", "txt_no_fw_rules"],
        capture_output=True, text=True, env=OFFLINE, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    edges = set()
    for line in result.stdout.splitlines():
        match = re.match(r"^(\S+) => (\S+) : (.+)$", line.strip())
        if match:
            source, target, connection = match.groups()
            edges.add((source.removesuffix("[Pod]"), target.removesuffix("[Pod]"), connection))
    assert edges, result.stdout
    return tenants, edges


@pytest.fixture(scope="module")
def connectivity(tmp_path_factory) -> dict[tuple[str, str], tuple[list[str], set]]:
    work = tmp_path_factory.mktemp("nca")
    return {cluster: _connectivity(*cluster, work / "-".join(cluster)) for cluster in CLUSTERS}


@pytest.mark.parametrize("cluster", CLUSTERS, ids="/".join)
def test_a_tenant_pod_reaches_only_dns_and_nothing_reaches_it_unasked(connectivity, cluster):
    tenants, edges = connectivity[cluster]
    assert tenants
    for tenant in tenants:
        for pod in (f"{tenant}/web-1", f"{tenant}/allowed-1"):
            outgoing = {(target, how) for source, target, how in edges if source == pod}
            assert outgoing == {("kube-system/coredns-1", DNS_ONLY)}, pod
        assert [e for e in edges if e[1] == f"{tenant}/web-1"] == []
        # The tenant's own allow opens exactly what it names, Calico backstop or not.
        incoming = {
            (source, how) for source, target, how in edges if target == f"{tenant}/allowed-1"
        }
        assert incoming == {
            ("app-routing-system/nginx-1", f"{{protocols:TCP,dst_ports:{INGRESS_PORT}}}")
        }


@pytest.mark.parametrize("cluster", CLUSTERS, ids="/".join)
def test_a_namespace_made_by_hand_is_closed_where_calico_runs(connectivity, cluster):
    _, edges = connectivity[cluster]
    touching = {e for e in edges if "scratch/job-1" in (e[0], e[1])}
    if (GITOPS / "clusters" / cluster[0] / cluster[1] / layout.CALICO).is_dir():
        assert touching == {("scratch/job-1", "kube-system/coredns-1", DNS_ONLY)}
    else:
        # No backstop without Calico (the EKS cluster): only namespaces the platform
        # renders are born segmented there (README, "Segmentation").
        assert ("scratch/job-1", "kube-system/metrics-1", "All connections") in touching


# ---- checkov


CANARY = """\
apiVersion: v1
kind: Pod
metadata: {name: canary, namespace: scratch}
spec:
  containers:
    - name: c
      image: nginx:latest
      securityContext: {privileged: true}
"""


@pytest.fixture(scope="module")
def checkov_results(tmp_path_factory) -> list[dict[str, Any]]:
    work = tmp_path_factory.mktemp("checkov")
    for stack, cluster in CLUSTERS:
        folder = GITOPS / "clusters" / stack / cluster
        target = work / stack / cluster
        target.mkdir(parents=True)
        for kustomization in sorted(p.name for p in folder.iterdir() if p.is_dir()):
            objects = kustomize(folder / kustomization)
            (target / f"{kustomization}.yaml").write_text(yaml.safe_dump_all(objects))
    # A known-bad object in the same run: proves checkov judged the files at all.
    (work / "canary").mkdir()
    (work / "canary" / "pod.yaml").write_text(CANARY)
    result = subprocess.run(
        [_tool(CHECKOV), "-d", str(work), "--framework", "kubernetes", "--skip-download",
         "--output", "json", "--compact"],
        capture_output=True, text=True, env=OFFLINE, timeout=300, check=False, cwd=work,
    )  # fmt: skip
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [f for r in reports for f in r["results"]["failed_checks"]]
    assert sum(r["summary"]["passed"] for r in reports) > 0
    return failed


def test_checkov_finds_nothing_in_the_tree(checkov_results):
    in_tree = [f for f in checkov_results if "/canary/" not in f["file_path"]]
    unexplained = [
        f"{f['check_id']} {f['resource']} ({f['file_path']}): {f['check_name']}"
        for f in in_tree
        if f["check_id"] not in CHECKOV_EXCEPTIONS
    ]
    assert unexplained == []


def test_checkov_judged_the_files(checkov_results):
    canary = {f["check_id"] for f in checkov_results if "/canary/" in f["file_path"]}
    assert {"CKV_K8S_16", "CKV_K8S_14"} <= canary  # privileged; image tag latest
