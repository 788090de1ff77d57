"""What a tenant's identities may do in its namespace, and what they may never touch.

One source for both sides: the renderer writes these roles and the admission policy into
gitops/ (bootstrap/gitops), and the policy pack checks the rendered tree against the same
data (policies/rules/tenancy.py). Pure data, no Pulumi import.

The model (README "Tenancy: who can do what"):

- The owning Entra group deploys and operates workloads through the Role `tenant-owner`:
  workloads, services, config, secrets, network policies of its own, Flux sources,
  Kustomizations and HelmReleases, exec and port-forward for debugging. Never: impersonate
  anyone, mint service account tokens, or write Roles and RoleBindings. Kubernetes' `edit`
  role grants the first two (`system:aggregate-to-edit` in kubernetes/kubernetes
  plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go: `impersonate` on
  serviceaccounts and `create` on serviceaccounts/token), so it is not used.
- `flux-applier`, the account the Flux controllers impersonate for the team's own
  Kustomizations and HelmReleases (microsoft.flux multi-tenancy), gets `tenant-applier`:
  the owner's workload rights without the interactive ones (exec, attach, port-forward).
  Not `admin`: whoever can create pods or Flux objects in the namespace can act as any of
  its service accounts, so an account richer than the owners would be an escalation path.
- Everything the platform puts into the namespace carries OWNED_LABEL and cannot be
  changed or deleted by anyone but the platform's Flux identity (a
  ValidatingAdmissionPolicy rendered into every cluster's infrastructure).
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- labels and names the renderer writes and the pack and the admission policy read

# On every object the platform renders into a tenant namespace (and the Namespace).
OWNED_LABEL = "platform.gitops/owned"
# On the tenant's Namespace: the admission policies select tenant namespaces by it.
TENANT_LABEL = "platform.gitops/tenant"
# Flux keeps these objects when a tenant is removed from the config: segmentation stays
# until the namespace itself is deleted (fluxcd.io, kustomize-controller: "prune: disabled").
PRUNE_ANNOTATION = "kustomize.toolkit.fluxcd.io/prune"
PRUNE_DISABLED = "disabled"

OWNER_ROLE = "tenant-owner"
APPLIER_ROLE = "tenant-applier"

# The identity the platform's own FluxConfiguration applies gitops/ with. With
# multiTenancy.enforce the microsoft.flux extension "will deploy the fluxConfigurations by
# impersonating the flux-applier service account" of the configuration's namespace
# (learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2, Multi-tenancy),
# here flux-system (components/gitops_layout.py).
PLATFORM_FLUX_IDENTITY = "system:serviceaccount:flux-system:flux-applier"

GUARDRAIL_POLICY = "platform-tenant-guardrails"
TOKEN_SECRET_POLICY = "platform-no-service-account-token-secrets"

READ = ("get", "list", "watch")
WRITE = ("create", "update", "patch", "delete", "deletecollection")
READ_WRITE = READ + WRITE


@dataclass(frozen=True)
class Rule:
    """A Kubernetes RBAC PolicyRule."""

    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]


# What running workloads needs, for people and for Flux alike.
WORKLOAD_RULES: tuple[Rule, ...] = (
    Rule(
        ("",),
        (
            "configmaps",
            "persistentvolumeclaims",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
        ),
        READ_WRITE,
    ),
    Rule(("",), ("pods/eviction",), ("create",)),
    Rule(
        ("",),
        (
            "endpoints",
            "events",
            "limitranges",
            "namespaces",
            "pods/log",
            "pods/status",
            "resourcequotas",
        ),
        READ,
    ),
    Rule(
        ("apps",),
        (
            "daemonsets",
            "deployments",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ),
        READ_WRITE,
    ),
    Rule(("apps",), ("controllerrevisions",), READ),
    Rule(("autoscaling",), ("horizontalpodautoscalers",), READ_WRITE),
    Rule(("batch",), ("cronjobs", "jobs"), READ_WRITE),
    Rule(("policy",), ("poddisruptionbudgets",), READ_WRITE),
    # The team's own allow rules next to the platform's default deny (which the admission
    # policy protects).
    Rule(("networking.k8s.io",), ("ingresses", "networkpolicies"), READ_WRITE),
    Rule(("discovery.k8s.io",), ("endpointslices",), READ),
    # Key Vault secrets mounted by the Secrets Store CSI driver, read with the workload
    # identity (the README's tenant example).
    Rule(("secrets-store.csi.x-k8s.io",), ("secretproviderclasses",), READ_WRITE),
    # Self-service through Flux, granted here rather than through Flux's aggregated
    # flux-edit / flux-view roles, which a microsoft.flux install need not carry.
    Rule(
        ("source.toolkit.fluxcd.io",),
        ("buckets", "gitrepositories", "helmcharts", "helmrepositories", "ocirepositories"),
        READ_WRITE,
    ),
    Rule(("kustomize.toolkit.fluxcd.io",), ("kustomizations",), READ_WRITE),
    Rule(("helm.toolkit.fluxcd.io",), ("helmreleases",), READ_WRITE),
    # Seeing who has access is fine; changing it goes through the stack config.
    Rule(("rbac.authorization.k8s.io",), ("rolebindings", "roles"), READ),
)

# Debugging a running workload: people only, never the reconciler.
INTERACTIVE_RULES: tuple[Rule, ...] = (
    Rule(("",), ("pods/attach", "pods/exec", "pods/portforward"), ("create", "get")),
)

OWNER_RULES: tuple[Rule, ...] = WORKLOAD_RULES + INTERACTIVE_RULES
APPLIER_RULES: tuple[Rule, ...] = WORKLOAD_RULES


@dataclass(frozen=True)
class Protected:
    """A kind the platform places in tenant namespaces; the admission policy guards it."""

    api_group: str
    resource: str


PROTECTED: tuple[Protected, ...] = (
    Protected("networking.k8s.io", "networkpolicies"),
    Protected("", "resourcequotas"),
    Protected("", "limitranges"),
    Protected("", "serviceaccounts"),
    Protected("rbac.authorization.k8s.io", "roles"),
    Protected("rbac.authorization.k8s.io", "rolebindings"),
    Protected("secrets-store.csi.x-k8s.io", "secretproviderclasses"),
)

# CEL of the guardrail policy (admissionregistration.k8s.io/v1, Kubernetes 1.30+). The
# pack compares the rendered policy with these exact expressions, so a weakened copy in
# git is caught before it reaches a cluster.
NOT_THE_PLATFORM = f"request.userInfo.username != '{PLATFORM_FLUX_IDENTITY}'"
# Deleting the namespace deletes its content through the namespace controller; the
# guardrails must not keep a retired namespace from going away.
NAMESPACE_TERMINATING = (
    "namespaceObject == null ? false : has(namespaceObject.metadata.deletionTimestamp)"
)
KEEP_PLATFORM_OBJECTS = (
    f"oldObject == null || !has(oldObject.metadata.labels) || "
    f"!('{OWNED_LABEL}' in oldObject.metadata.labels) || ({NAMESPACE_TERMINATING})"
)
NO_CLAIMED_OWNERSHIP = (
    f"object == null || !has(object.metadata.labels) || "
    f"!('{OWNED_LABEL}' in object.metadata.labels)"
)
# A Secret of this type makes the token controller mint a non-expiring token for the named
# service account: whoever can create Secrets could mint one for any account of the
# namespace (kubernetes.io, Service accounts: "any user with write access to secrets can
# request a token"). Tenants get short-lived tokens through projection instead.
SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token"
NO_TOKEN_SECRETS = (
    f"object == null || !has(object.type) || object.type != '{SERVICE_ACCOUNT_TOKEN_TYPE}'"
)
