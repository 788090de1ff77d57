"""Kubernetes manifests a team would write, and `bootstrap check --manifests` over them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from bootstrap.cli import main

DIGEST = "sha256:" + "b" * 64


def namespace_yaml(name: str, coredns: bool = True) -> str:
    """A restricted namespace, default-deny with DNS allowed; with `coredns` also the
    cluster's coredns-custom query logging (KUBE-DNS-01), which a team folder never has."""
    text = textwrap.dedent(f"""\
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
          labels:
            pod-security.kubernetes.io/enforce: restricted
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {{name: default-deny, namespace: {name}}}
        spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {{name: allow-dns, namespace: {name}}}
        spec:
          podSelector: {{}}
          policyTypes: [Egress]
          egress:
            - ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]
        """)
    if coredns:
        text += textwrap.dedent("""\
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: coredns-custom, namespace: kube-system}
            data:
              log.override: |
                log
            """)
    return text


def deployment_yaml(image: str, namespace: str = "team-a", name: str = "web") -> str:
    """A Deployment that meets every workload control (given an image the stack allows)."""
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: {name}, namespace: {namespace}}}
        spec:
          selector: {{matchLabels: {{app: {name}}}}}
          template:
            metadata: {{labels: {{app: {name}}}}}
            spec:
              automountServiceAccountToken: false
              securityContext:
                runAsNonRoot: true
                seccompProfile: {{type: RuntimeDefault}}
              containers:
                - name: {name}
                  image: {image}
                  resources:
                    requests: {{cpu: 100m, memory: 64Mi}}
                    limits: {{cpu: 200m, memory: 128Mi}}
                  securityContext:
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                    capabilities: {{drop: [ALL]}}
        """)


def check_manifests(manifests: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """`bootstrap check --manifests` with a JSON report: the exit code and the report."""
    report = tmp_path / "report.json"
    code = main(["check", "--manifests", str(manifests), "--json", str(report), *extra])
    return code, json.loads(report.read_text())
