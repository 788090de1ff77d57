"""Resource providers and features a fresh subscription must register before `pulumi up`.

pulumi-azure-native calls the ARM REST API directly and registers nothing: a create in a
namespace the subscription is not registered for fails with MissingSubscriptionRegistration
(pulumi/pulumi-azure-native#3479; learn.microsoft.com/azure/azure-resource-manager/
management/resource-providers-and-types: only portal and template deployments register on
their own). The namespaces are derived from the plan, never typed by hand: the ARM
namespace of every azure-native resource type in it, of every resource inside an ARM
deployment's template, plus what those resources need behind the scenes (SUPPORTING).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..model import DoctorContext, Item

ORDER = 40
# Registered in every subscription (learn.microsoft.com/azure/azure-resource-manager/
# management/azure-services-resource-providers, "registered by default").
REGISTERED_BY_DEFAULT = frozenset({"Microsoft.Authorization", "Microsoft.Resources"})
# Namespaces a resource type needs besides its own.
SUPPORTING: Mapping[str, tuple[str, ...]] = {
    # AKS builds its nodes as VM scale sets, disks and load balancers in the node resource
    # group (learn.microsoft.com/azure/aks/concepts-clusters-workloads#node-resource-group).
    "azure-native:containerservice:ManagedCluster": ("Microsoft.Compute", "Microsoft.Network"),
    # Arc-enabled Kubernetes: `az connectedk8s connect` prerequisites register these three
    # (learn.microsoft.com/azure/azure-arc/kubernetes/quickstart-connect-cluster).
    "azure-native:kubernetes:ConnectedCluster": (
        "Microsoft.KubernetesConfiguration",
        "Microsoft.ExtendedLocation",
    ),
}
# Subscription features (az feature register) a resource setting needs.
# Host encryption on AKS node pools: learn.microsoft.com/azure/aks/enable-host-encryption
# ("register the EncryptionAtHost feature" in Microsoft.Compute).
ENCRYPTION_AT_HOST = ("Microsoft.Compute", "EncryptionAtHost")


def namespace_of(token: str) -> str | None:
    """The ARM namespace of an azure-native type token (None for other providers)."""
    if not token.startswith("azure-native:"):
        return None
    from bootstrap.arm_types import ARM_TYPES

    known = ARM_TYPES.get(token)
    if known is not None:
        return known.arm_type.split("/", 1)[0]
    from policies.sources.arm import NAMESPACES

    module = token.split(":")[1]
    return NAMESPACES.get(module, f"Microsoft.{module[:1].upper()}{module[1:]}")


def needed_namespaces(resources: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """namespace -> the resource types (or template types) that need it."""
    needed: dict[str, set[str]] = defaultdict(set)
    for resource in resources:
        token = str(resource.get("type", ""))
        namespace = namespace_of(token)
        if namespace is None or _tenant_scoped(token):
            continue
        short = token.removeprefix("azure-native:")
        needed[namespace].add(short)
        for extra in SUPPORTING.get(token, ()):
            needed[extra].add(short)
        for arm_type in _template_types(resource.get("inputs") or {}):
            needed[arm_type.split("/", 1)[0]].add(arm_type)
    for namespace in REGISTERED_BY_DEFAULT:
        needed.pop(namespace, None)
    return dict(needed)


def _tenant_scoped(token: str) -> bool:
    """A tenant resource (the Entra ID diagnostic setting) is created in no subscription,
    so no subscription's provider registration applies to it (entra_logs.py covers it)."""
    from bootstrap.arm_types import ARM_TYPES

    known = ARM_TYPES.get(token)
    return known is not None and known.scope == "tenant"


def needed_features(resources: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    features: set[tuple[str, str]] = set()
    for resource in resources:
        inputs = resource.get("inputs") or {}
        pools = [inputs, *(inputs.get("agentPoolProfiles") or [])]
        if any(isinstance(p, Mapping) and p.get("enableEncryptionAtHost") is True for p in pools):
            features.add(ENCRYPTION_AT_HOST)
    return features


def _template_types(inputs: Mapping[str, Any]) -> Iterator[str]:
    properties = inputs.get("properties")
    template = properties.get("template") if isinstance(properties, Mapping) else None
    if not isinstance(template, Mapping):
        return
    for resource in template.get("resources") or []:
        if isinstance(resource, Mapping) and isinstance(resource.get("type"), str):
            yield resource["type"]


def check(context: DoctorContext) -> Iterator[Item]:
    by_subscription: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    features: dict[str, set[tuple[str, str]]] = defaultdict(set)
    users: dict[str, set[str]] = defaultdict(set)
    for stack in context.stacks:
        subscription = stack.config.subscription_id
        resources = context.plan(stack)
        users[subscription].add(stack.name)
        for namespace, types in needed_namespaces(resources).items():
            by_subscription[subscription][namespace] |= types
        features[subscription] |= needed_features(resources)
        state = stack.config.state
        if state is not None:
            # The state account and its key vault, created once by a person.
            state_subscription = state.subscription(subscription)
            users[state_subscription].add(stack.name)
            by_subscription[state_subscription]["Microsoft.Storage"].add("the Pulumi state")
            by_subscription[state_subscription]["Microsoft.KeyVault"].add("the secrets key")
    for subscription in sorted(by_subscription):
        stacks = ",".join(sorted(users[subscription]))
        for namespace in sorted(by_subscription[subscription]):
            used_by = sorted(by_subscription[subscription][namespace])
            more = f", +{len(used_by) - 3} more" if len(used_by) > 3 else ""
            shown = ", ".join(used_by[:3]) + more
            yield Item(
                "check",
                stacks,
                f"resource provider {namespace} registered in subscription {subscription} "
                f"(for {shown})",
                verify=(
                    f"az provider show --namespace {namespace} --subscription {subscription} "
                    "--query registrationState -o tsv"
                ),
                fix=(
                    f"az provider register --namespace {namespace} --subscription "
                    f"{subscription} --wait"
                ),
            )
        for namespace, feature in sorted(features[subscription]):
            yield Item(
                "check",
                stacks,
                f"feature {namespace}/{feature} registered in subscription {subscription} "
                "(host encryption on AKS node pools)",
                verify=(
                    f"az feature show --namespace {namespace} --name {feature} --subscription "
                    f"{subscription} --query properties.state -o tsv"
                ),
                fix=(
                    f"az feature register --namespace {namespace} --name {feature} "
                    f"--subscription {subscription} && az provider register --namespace "
                    f"{namespace} --subscription {subscription}"
                ),
            )
