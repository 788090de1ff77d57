"""Kubernetes objects, from Pulumi or from gitops/: pod security, images, resources, tokens.

A Deployment declared with pulumi-kubernetes and one rendered into gitops/ reach these
checks as the same resource type (`kubernetes:apps/v1:Deployment`) with the same
properties (the object without apiVersion and kind), so one policy covers both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .network import NAMESPACE, SYSTEM_NAMESPACES, declared_namespaces
from .props import dig, is_false, is_map, is_true, items, text
from .view import StackView

POD = "kubernetes:core/v1:Pod"
CRON_JOB = "kubernetes:batch/v1:CronJob"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
ALLOWED_ADDED_CAPABILITIES = {"NET_BIND_SERVICE"}
ALLOWED_SECCOMP = {"RuntimeDefault", "Localhost"}
DEFAULT_REGISTRY = "docker.io"
_LOG_PLUGIN = re.compile(r"^\s*log\b", re.MULTILINE)


# ---- reading workloads


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Any:
    if resource_type == POD:
        return dig(props, "spec")
    if resource_type == CRON_JOB:
        return dig(props, "spec", "jobTemplate", "spec", "template", "spec")
    return dig(props, "spec", "template", "spec")


@dataclass(frozen=True)
class Container:
    label: str  # e.g. "container app" or "initContainer migrate"
    spec: Any
    ephemeral: bool = False

    def security(self, key: str) -> Any:
        return dig(self.spec, "securityContext", key)


def containers(spec: Any) -> list[Container]:
    found: list[Container] = []
    for key, label in (
        ("initContainers", "initContainer"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeralContainer"),
    ):
        for index, container in enumerate(items(dig(spec, key))):
            if is_map(container):
                name = text(dig(container, "name")) or str(index)
                found.append(Container(f"{label} {name}", container, key == "ephemeralContainers"))
    return found


def _workload(check: Any) -> Any:
    """Adapts `check(spec, settings)` to a typed resource check over any workload kind."""

    def run(resource_type: str, props: Mapping[str, Any], settings: PolicySettings) -> Any:
        spec = pod_spec(resource_type, props)
        if spec is None:
            return iter(())
        return check(spec, settings)

    run.__name__ = check.__name__
    return run


# ---- pod security


def no_privileged(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container in containers(spec):
        if is_true(container.security("privileged")):
            yield f"{container.label} is privileged"


def no_host_namespaces(spec: Any, _: PolicySettings) -> Iterator[str]:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if is_true(dig(spec, key)):
            yield f"the pod sets {key}: true"


def no_host_path(spec: Any, _: PolicySettings) -> Iterator[str]:
    for volume in items(dig(spec, "volumes")):
        if dig(volume, "hostPath") is not None:
            yield f"volume {text(dig(volume, 'name')) or '?'} mounts a hostPath"


def run_as_non_root(spec: Any, _: PolicySettings) -> Iterator[str]:
    pod = dig(spec, "securityContext")
    for container in containers(spec):
        non_root = container.security("runAsNonRoot")
        if non_root is None:
            non_root = dig(pod, "runAsNonRoot")
        user = container.security("runAsUser")
        if user is None:
            user = dig(pod, "runAsUser")
        if user == 0:
            yield f"{container.label} runs as UID 0"
        elif not is_true(non_root):
            yield f"{container.label} does not set runAsNonRoot: true"


def no_privilege_escalation(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container in containers(spec):
        if not is_false(container.security("allowPrivilegeEscalation")):
            yield f"{container.label} does not set allowPrivilegeEscalation: false"


def capabilities_dropped(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container in containers(spec):
        capabilities = container.security("capabilities")
        dropped = {text(c).upper() for c in items(dig(capabilities, "drop"))}
        if "ALL" not in dropped:
            yield f"{container.label} does not drop ALL capabilities"
        added = {text(c).upper() for c in items(dig(capabilities, "add"))}
        extra = sorted(added - ALLOWED_ADDED_CAPABILITIES)
        if extra:
            yield f"{container.label} adds capabilities {', '.join(extra)}"


def seccomp_runtime_default(spec: Any, _: PolicySettings) -> Iterator[str]:
    pod_profile = dig(spec, "securityContext", "seccompProfile", "type")
    for container in containers(spec):
        profile = dig(container.spec, "securityContext", "seccompProfile", "type") or pod_profile
        if profile not in ALLOWED_SECCOMP:
            yield f"{container.label} runs with seccomp profile {profile or 'unset (Unconfined)'}"


def read_only_root(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container in containers(spec):
        if not container.ephemeral and not is_true(container.security("readOnlyRootFilesystem")):
            yield f"{container.label} does not set readOnlyRootFilesystem: true"


# ---- images


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str | None
    digest: str | None


def parse_image(reference: str) -> ImageRef:
    """Splits an image reference the way container runtimes do (docker.io is implicit)."""
    name, _, digest = reference.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    tag = name[colon + 1 :] if colon > slash else None
    path = name[:colon] if colon > slash else name
    first, _, rest = path.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return ImageRef(first.lower(), rest, tag, digest or None)
    return ImageRef(DEFAULT_REGISTRY, path, tag, digest or None)


def _images(spec: Any) -> Iterator[tuple[Container, str]]:
    for container in containers(spec):
        yield container, text(dig(container.spec, "image"))


def images_from_platform_registry(spec: Any, settings: PolicySettings) -> Iterator[str]:
    for container, image in _images(spec):
        if not image:
            yield f"{container.label} has no image"
            continue
        registry = parse_image(image).registry
        if not settings.registry_allowed(registry):
            allowed = ", ".join(settings.registry_login_servers) or "an *.azurecr.io registry"
            yield f"{container.label} pulls {image} from {registry} (allowed: {allowed})"


def images_not_latest(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container, image in _images(spec):
        ref = parse_image(image)
        if ref.tag == "latest":
            yield f"{container.label} uses the latest tag ({image})"
        elif ref.tag is None and ref.digest is None:
            yield f"{container.label} has no tag or digest ({image} means latest)"


def images_pinned(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container, image in _images(spec):
        if parse_image(image).digest is None:
            yield f"{container.label} image {image} is not pinned by digest"


def no_pull_secrets(
    resource_type: str, props: Mapping[str, Any], _: PolicySettings
) -> Iterator[str]:
    holder = props if resource_type == SERVICE_ACCOUNT else pod_spec(resource_type, props)
    if items(dig(holder, "imagePullSecrets")):
        yield "imagePullSecrets are set; the kubelet identity pulls from the platform registry"


# ---- resources and tokens


def requests_and_limits(spec: Any, _: PolicySettings) -> Iterator[str]:
    for container in containers(spec):
        if container.ephemeral:
            continue  # ephemeral containers cannot declare resources
        resources = dig(container.spec, "resources")
        missing = [
            f"{kind}.{name}"
            for kind in ("requests", "limits")
            for name in ("cpu", "memory")
            if dig(resources, kind, name) in (None, "")
        ]
        if missing:
            yield f"{container.label} does not set {', '.join(missing)}"


def token_not_automounted(
    resource_type: str, props: Mapping[str, Any], _: PolicySettings
) -> Iterator[str]:
    if resource_type == SERVICE_ACCOUNT:
        if not is_false(dig(props, "automountServiceAccountToken")):
            yield "the service account does not set automountServiceAccountToken: false"
        return
    spec = pod_spec(resource_type, props)
    if spec is None:
        return
    account = text(dig(spec, "serviceAccountName")) or text(dig(spec, "serviceAccount"))
    # A named service account decides for its pods (and must say false itself); the
    # namespace's default account cannot be configured from here, so the pod must.
    if account in ("", "default") and not is_false(dig(spec, "automountServiceAccountToken")):
        yield (
            "the pod runs as the default service account and does not set "
            "automountServiceAccountToken: false"
        )


# ---- namespaces and CoreDNS


def namespace_restricted(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    name = text(dig(props, "metadata", "name"))
    if name in SYSTEM_NAMESPACES:
        return
    level = dig(props, "metadata", "labels", PSA_ENFORCE)
    if level != "restricted":
        shown = level or "(unset)"
        yield f"namespace {name or '?'} has {PSA_ENFORCE}={shown} (expected restricted)"


def coredns_query_logging(view: StackView, _: PolicySettings) -> Findings:
    if not declared_namespaces(view):
        return  # not a cluster baseline: nothing declares namespaces here
    custom = [
        cm
        for cm in view.of_type(CONFIG_MAP)
        if text(dig(cm.props, "metadata", "name")) == "coredns-custom"
        and text(dig(cm.props, "metadata", "namespace")) == "kube-system"
    ]
    if not custom:
        yield "no kube-system/coredns-custom ConfigMap enables CoreDNS query logging", None
        return
    for config_map in custom:
        data = dig(config_map.props, "data")
        entries = [text(data[key]) for key in data] if is_map(data) else []
        if not any(_LOG_PLUGIN.search(entry) for entry in entries):
            yield "coredns-custom does not enable the log plugin", config_map.urn


RULES = [
    resource_rule("KUBE-NS-01", namespace_restricted),
    resource_rule("KUBE-POD-01", _workload(no_privileged), typed=True),
    resource_rule("KUBE-POD-02", _workload(no_host_namespaces), typed=True),
    resource_rule("KUBE-POD-03", _workload(no_host_path), typed=True),
    resource_rule("KUBE-POD-04", _workload(run_as_non_root), typed=True),
    resource_rule("KUBE-POD-05", _workload(no_privilege_escalation), typed=True),
    resource_rule("KUBE-POD-06", _workload(capabilities_dropped), typed=True),
    resource_rule("KUBE-POD-07", _workload(seccomp_runtime_default), typed=True),
    resource_rule("KUBE-POD-08", _workload(read_only_root), typed=True),
    resource_rule("KUBE-IMG-01", _workload(images_from_platform_registry), typed=True),
    resource_rule("KUBE-IMG-02", _workload(images_not_latest), typed=True),
    resource_rule("KUBE-IMG-03", no_pull_secrets, typed=True),
    resource_rule("KUBE-IMG-04", _workload(images_pinned), typed=True),
    resource_rule("KUBE-RES-01", _workload(requests_and_limits), typed=True),
    resource_rule("KUBE-SA-01", token_not_automounted, typed=True),
    stack_rule("KUBE-DNS-01", coredns_query_logging),
]

__all__ = ["NAMESPACE", "RULES", "parse_image", "pod_spec"]
