"""Benchmark: `bootstrap check --manifests` over a tree of 10,000 manifest files.

The tree is generated: per application a folder with its Namespace, Deployment, Service,
default-deny and DNS-egress NetworkPolicies (five files, one object each, all passing the
baseline), plus the cluster's CoreDNS logging ConfigMap, written to a scratch directory.
The timed part is one fresh `python -m bootstrap check --manifests DIR` process, start-up
included; its CPU time (user + system) is what the target applies to.

    python bench/check_manifests.py [--files 10000]

Prints one figure line.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.check_plan import measure  # noqa: E402

FILES_PER_APP = 5
NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: {app}
  labels:
    pod-security.kubernetes.io/enforce: restricted
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {app}
  labels:
    app.kubernetes.io/name: {app}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: web
          image: crplatform.azurecr.io/apps/{app}:1.4.2@sha256:{digest}
          ports:
            - containerPort: 8080
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: [ALL]
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {app}
spec:
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - port: 80
      targetPort: 8080
"""
DEFAULT_DENY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: {app}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
"""
DNS_EGRESS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: {app}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
    - ports:
        - {{port: 53, protocol: UDP}}
"""
COREDNS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns-custom
  namespace: kube-system
data:
  log.override: |
    log
"""
# The Namespace last: an application cut short by the file count declares no namespace,
# so nothing about it is incomplete.
TEMPLATES = {
    "deployment.yaml": DEPLOYMENT,
    "service.yaml": SERVICE,
    "default-deny.yaml": DEFAULT_DENY,
    "allow-dns.yaml": DNS_EGRESS,
    "namespace.yaml": NAMESPACE,
}


def write_tree(root: Path, files: int) -> int:
    """`files` manifest files under root (whole applications; the last may be partial)."""
    root.mkdir(parents=True)
    (root / "coredns-custom.yaml").write_text(COREDNS, encoding="utf-8")
    written = 1
    app_index = 0
    while written < files:
        app = f"app-{app_index:05d}"
        folder = root / app
        folder.mkdir()
        digest = hashlib.sha256(app.encode()).hexdigest()
        for name, template in TEMPLATES.items():
            if written == files:
                break
            text = template.format(app=app, digest=digest)
            (folder / name).write_text(text, encoding="utf-8")
            written += 1
        app_index += 1
    return written


def check_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "bootstrap", "check", "--manifests", str(root)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "manifests"
        count = write_tree(root, args.files)
        timing = measure(check_command(root))
    print(
        f"bootstrap check --manifests: {timing.cpu:.2f} s CPU, {timing.wall:.2f} s wall for "
        f"{count} files (one fresh process, start-up included)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
