"""Namespaces the cluster, Azure or the platform own: never a tenant, one list for everyone.

The config schema refuses them as tenant names (components/config/gitops.py) and the
renderer's Calico backstop leaves the ones with an `open_because` reason alone
(bootstrap/gitops/model.py). A tenant named like one of them would be rendered with PSA
`restricted`, a default deny and its owner group bound to `edit` inside a namespace that
Calico, Azure Policy or an extension runs in; several are also excluded from Azure Policy
by design, so a workload there escapes admission control.

`open_because`: why the backstop must leave the namespace open: components run there on
our clusters and ship their own network policies (or none), and a default deny would cut
them off from DNS, the API server or Azure. Namespaces without a reason are only reserved
and stay under the backstop (a namespace that should not exist is safest closed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReservedNamespace:
    name: str
    owner: str
    source: str  # where the owner documents it
    # Why the Calico backstop must leave it open; empty: it stays under the backstop.
    open_because: str = ""

    @property
    def backstop_exempt(self) -> bool:
        return bool(self.open_because)


# Kubernetes reserves the whole prefix: "Avoid creating namespaces with the prefix kube-,
# since it is reserved for Kubernetes system namespaces" (kubernetes.io, Concepts >
# Working with Kubernetes Objects > Namespaces).
RESERVED_PREFIXES = ("kube-",)

RESERVED_NAMESPACES: tuple[ReservedNamespace, ...] = (
    # Kubernetes' initial namespaces (kubernetes.io, Namespaces: "Initial namespaces").
    ReservedNamespace("default", "Kubernetes", "kubernetes.io: Namespaces, initial namespaces"),
    ReservedNamespace(
        "kube-system",
        "Kubernetes",
        "kubernetes.io: Namespaces",
        "CoreDNS, kube-proxy, the CNI and the metrics server answer every namespace from here",
    ),
    ReservedNamespace(
        "kube-public",
        "Kubernetes",
        "kubernetes.io: Namespaces",
        "read by every client (cluster-info); nothing of a tenant runs here",
    ),
    ReservedNamespace(
        "kube-node-lease",
        "Kubernetes",
        "kubernetes.io: Namespaces",
        "holds only node heartbeat Leases; no pods run here",
    ),
    # AKS add-ons and features.
    ReservedNamespace(
        "aks-command",
        "AKS run command (`az aks command invoke` starts its pod here)",
        "learn.microsoft.com/troubleshoot/azure/azure-kubernetes/connectivity/"
        "resolve-az-aks-command-invoke-failures",
        # Run command is off on our clusters (AKS-CLU: disableRunCommand), but when someone
        # turns it on to debug, a default deny would leave `az aks command invoke` hanging.
        "`az aks command invoke` starts its pod here; it runs kubectl against the API server",
    ),
    ReservedNamespace(
        "app-routing-system",
        "AKS application routing add-on (managed NGINX ingress)",
        "learn.microsoft.com/azure/aks/app-routing",
        "the managed NGINX ingress receives traffic for every tenant and forwards it to them",
    ),
    ReservedNamespace(
        "aks-istio-system",
        "AKS Istio service mesh add-on (control plane)",
        "learn.microsoft.com/azure/aks/istio-about",
    ),
    ReservedNamespace(
        "aks-istio-ingress",
        "AKS Istio service mesh add-on (ingress gateways)",
        "learn.microsoft.com/azure/aks/istio-deploy-ingress",
    ),
    ReservedNamespace(
        "aks-istio-egress",
        "AKS Istio service mesh add-on (egress gateways; the API's default namespace)",
        "learn.microsoft.com/azure/aks/istio-deploy-egress; Azure.ResourceManager."
        "ContainerService IstioEgressGateway.Namespace",
    ),
    ReservedNamespace(
        "dapr-system",
        "AKS / Arc Dapr extension",
        "learn.microsoft.com/azure/aks/dapr",
    ),
    # Azure Policy for Kubernetes: its Gatekeeper, and the namespaces every built-in
    # Kubernetes policy excludes by default ("kube-system", "gatekeeper-system" and
    # "azure-arc" are always excluded by design) - Azure/azure-policy,
    # built-in-policies/policyDefinitions/Kubernetes/ContainerNoPrivilege.json,
    # parameter excludedNamespaces.
    ReservedNamespace(
        "gatekeeper-system",
        "Azure Policy add-on / extension (Gatekeeper)",
        "Azure/azure-policy built-in Kubernetes definitions, excludedNamespaces",
        "Gatekeeper's admission webhook is called by the API server for every request",
    ),
    ReservedNamespace(
        "azure-extensions-usage-system",
        "AKS / Arc cluster extensions (usage reporting)",
        "Azure/azure-policy built-in Kubernetes definitions, excludedNamespaces",
    ),
    # Azure Arc agents: the agents run in azure-arc, their Helm release lives in
    # azure-arc-release (Azure/azure-cli-extensions src/connectedk8s: Arc_Namespace and
    # Release_Install_Namespace in azext_connectedk8s/_constants.py).
    ReservedNamespace(
        "azure-arc",
        "Azure Arc agents",
        "Azure/azure-cli-extensions src/connectedk8s _constants.py Arc_Namespace",
        "the Arc agents talk to Azure and to the API server on the cluster's behalf",
    ),
    ReservedNamespace(
        "azure-arc-release",
        "Azure Arc agents' Helm release",
        "Azure/azure-cli-extensions src/connectedk8s _constants.py Release_Install_Namespace",
        "Helm release state of the Arc agents; upgrades run from here",
    ),
    # Microsoft Defender for Containers: the sensor on Arc-enabled clusters.
    ReservedNamespace(
        "mdc",
        "Microsoft Defender for Containers sensor (Arc extension)",
        "learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-arc-enable; "
        "Azure's own pod-security initiatives exclude it",
        "the Defender sensor sends what it collects to Azure",
    ),
    # Flux (the microsoft.flux extension and this platform's FluxConfigurations).
    ReservedNamespace(
        "flux-system",
        "Flux (microsoft.flux extension; the platform's GitOps configuration)",
        "learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2; "
        "components/gitops_layout.py FLUX_NAMESPACE",
        "the Flux controllers pull from git and registries and reach every namespace's API",
    ),
    # Calico on AKS, installed by the Tigera operator.
    ReservedNamespace(
        "calico-system",
        "Calico (network policy engine)",
        "learn.microsoft.com/azure/aks/use-network-policies; docs.tigera.io operator install",
        "calico-node and Typha enforce the policies themselves; a deny there cuts every pod",
    ),
    ReservedNamespace(
        "calico-apiserver",
        "Calico API server",
        "docs.tigera.io: Calico API server (operator install)",
        "the API server calls it for projectcalico.org/v3, the backstop itself included",
    ),
    ReservedNamespace(
        "tigera-operator",
        "Tigera operator (installs and upgrades Calico)",
        "learn.microsoft.com/azure/aks/use-network-policies; docs.tigera.io operator install",
        "installs and repairs Calico; it must reach the API server while Calico is down",
    ),
)

_BY_NAME = {namespace.name: namespace for namespace in RESERVED_NAMESPACES}


def reserved_owner(name: str) -> str | None:
    """Who owns `name`, when it is reserved; None when a tenant may take it."""
    if name in _BY_NAME:
        return _BY_NAME[name].owner
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"Kubernetes (the {prefix} prefix is reserved)"
    return None


def backstop_exempt() -> tuple[str, ...]:
    """The namespaces the Calico default-deny backstop leaves alone, sorted."""
    return tuple(sorted(n.name for n in RESERVED_NAMESPACES if n.backstop_exempt))
