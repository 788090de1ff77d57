"""Network: private registry and vault, and segmented namespaces (default deny plus DNS)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import dig, is_map, items, text
from .view import StackView

NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
# Namespaces Kubernetes itself owns; the platform never declares them as tenants.
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
DNS_PORT = 53


def registry_not_public(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if dig(props, "publicNetworkAccess") == "Disabled":
        return
    if dig(props, "networkRuleSet", "defaultAction") == "Deny":
        return
    yield (
        "publicNetworkAccess is not Disabled and networkRuleSet.defaultAction is not Deny: "
        "the registry is reachable from the internet"
    )


def vault_not_public(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    properties = dig(props, "properties")
    if text(dig(properties, "publicNetworkAccess")).lower() == "disabled":
        return
    if dig(properties, "networkAcls", "defaultAction") == "Deny":
        return
    yield (
        "properties.publicNetworkAccess is not Disabled and networkAcls.defaultAction is not "
        "Deny: the vault is reachable from the internet"
    )


# ---- namespaces


def namespace_name(resource: PolicyResource) -> str:
    return text(dig(resource.props, "metadata", "name"))


def declared_namespaces(view: StackView) -> list[PolicyResource]:
    return [ns for ns in view.of_type(NAMESPACE) if namespace_name(ns) not in SYSTEM_NAMESPACES]


def policies_by_namespace(view: StackView) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for policy in view.of_type(NETWORK_POLICY):
        namespace = text(dig(policy.props, "metadata", "namespace")) or "default"
        grouped[namespace].append(policy.props)
    return grouped


def _selects_all_pods(spec: Any) -> bool:
    selector = dig(spec, "podSelector")
    if selector is None:
        return False
    return not dig(selector, "matchLabels") and not dig(selector, "matchExpressions")


def _policy_types(spec: Any) -> set[str]:
    declared = {text(t) for t in items(dig(spec, "policyTypes"))}
    if declared:
        return declared
    # Kubernetes' defaulting: Ingress always, Egress only when egress rules exist.
    return {"Ingress", "Egress"} if dig(spec, "egress") is not None else {"Ingress"}


def denies(spec: Any, direction: str) -> bool:
    """The policy selects every pod and allows nothing in `direction` (Ingress / Egress)."""
    rules = items(dig(spec, direction.lower()))
    return _selects_all_pods(spec) and direction in _policy_types(spec) and not rules


def default_deny(view: StackView, _: PolicySettings) -> Findings:
    grouped = policies_by_namespace(view)
    # A namespace declared many times (one per file of a large tree) is judged once.
    judged: dict[str, list[str]] = {}
    for namespace in declared_namespaces(view):
        name = namespace_name(namespace)
        missing = judged.get(name)
        if missing is None:
            specs = [dig(policy, "spec") for policy in grouped.get(name, [])]
            missing = [d for d in ("Ingress", "Egress") if not any(denies(s, d) for s in specs)]
            judged[name] = missing
        if missing:
            yield (
                (
                    f"namespace {name} has no default-deny NetworkPolicy for "
                    f"{' and '.join(missing).lower()}"
                ),
                namespace.urn,
            )


def _allows_dns(spec: Any) -> bool:
    if "Egress" not in _policy_types(spec):
        return False
    for rule in items(dig(spec, "egress")):
        for port in items(dig(rule, "ports")):
            if not is_map(port):
                continue
            number = dig(port, "port")
            protocol = text(dig(port, "protocol")) or "TCP"
            if str(number) in (str(DNS_PORT), "dns") and protocol == "UDP":
                return True
    return False


def dns_egress(view: StackView, _: PolicySettings) -> Findings:
    grouped = policies_by_namespace(view)
    judged: dict[str, bool] = {}  # per namespace name, as in default_deny
    for namespace in declared_namespaces(view):
        name = namespace_name(namespace)
        if name not in judged:
            judged[name] = any(_allows_dns(dig(policy, "spec")) for policy in grouped.get(name, []))
        if not judged[name]:
            yield (
                f"namespace {name} has no NetworkPolicy allowing DNS egress (UDP 53)",
                (namespace.urn),
            )


RULES = [
    resource_rule("ACR-NET-01", registry_not_public),
    resource_rule("KV-NET-01", vault_not_public),
    stack_rule("KUBE-NET-01", default_deny),
    stack_rule("KUBE-NET-02", dns_egress),
]
