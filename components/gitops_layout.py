"""The contract between the Flux configuration Pulumi declares and the rendered gitops/ tree.

Both sides read these names and paths from here: `components.flux` points each cluster's
FluxConfiguration at them, `bootstrap.gitops` renders the folders they name, and the tests
prove every path exists and builds. Pure data, no Pulumi import, so the CLI stays fast.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from components.config import PlatformConfig

# gitops/ lives at the repository root, which is also the root Flux clones.
GITOPS_DIR = "gitops"

# The microsoft.flux extension installs its controllers here; the FluxConfiguration's
# GitRepository and Kustomizations live here too (multi-tenancy: same namespace as the
# configuration, so no object ever needs a cross-namespace reference).
FLUX_NAMESPACE = "flux-system"
FLUX_EXTENSION_NAME = "flux"
FLUX_CONFIGURATION_NAME = "platform"

# Reconciliation order: each Kustomization dependsOn the one before it, so tenants are
# only created once the cluster-wide baseline is in place, and apps once namespaces exist.
INFRASTRUCTURE = "infrastructure"
TENANTS = "tenants"
APPS = "apps"
KUSTOMIZATIONS: tuple[str, ...] = (INFRASTRUCTURE, TENANTS, APPS)
# Only on clusters where Calico enforces policy: the projectcalico.org/v3 backstop. It is
# served by the Calico API server, which a cluster may still lack (on AKS it is an
# opt-in of the Tigera operator); kept out of the chain above, a missing API shows up as
# a failed Kustomization instead of holding back every tenant.
CALICO = "calico"
# Every cluster: Ratify ("verifier") and then what it trusts plus the admission constraint
# that refuses unsigned images from the platform registry ("image-policy"; its CRDs come
# with the verifier, so it waits for it). After infrastructure, beside tenants: like
# Calico, a verifier that cannot start yet (no signing certificate) fails its own
# Kustomizations only; Gatekeeper's audit reports pods admitted before it was ready.
VERIFIER = "verifier"
IMAGE_POLICY = "image-policy"
VERIFICATION: tuple[str, ...] = (VERIFIER, IMAGE_POLICY)

# With multiTenancy.enforce the extension runs the controllers with
# --default-service-account=flux-applier: any Flux Kustomization or HelmRelease in a
# tenant namespace is applied by impersonating this account of that namespace.
FLUX_TENANT_SERVICE_ACCOUNT = "flux-applier"

# postBuild.substitute variables: values only Pulumi knows (IDs of resources it creates),
# handed to Flux at reconcile time so no ID is typed into git.
AZURE_TENANT_ID_VARIABLE = "AZURE_TENANT_ID"
# The client ID of the image verifier's identity (components/supply_chain.py).
VERIFIER_CLIENT_ID_VARIABLE = "IMAGE_VERIFIER_CLIENT_ID"

_VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def cluster_dir(environment: str, cluster: str) -> PurePosixPath:
    """A cluster's entry folder, relative to gitops/: one sub-folder per Kustomization."""
    return PurePosixPath("clusters", environment, cluster)


def kustomizations_of(config: PlatformConfig, cluster: str) -> tuple[str, ...]:
    """The Flux Kustomizations a cluster of this environment reconciles."""
    extra = VERIFICATION + ((CALICO,) if runs_calico(config, cluster) else ())
    return KUSTOMIZATIONS + extra


def runs_calico(config: PlatformConfig, cluster: str) -> bool:
    """AKS with networkPolicy calico, and AKS on Azure Local (always Calico). Connected
    clusters (EKS, ...) may run any engine: they get Kubernetes NetworkPolicies only."""
    for aks in config.clusters:
        if aks.name == cluster:
            return aks.network_policy == "calico"
    for arc in config.arc_clusters:
        if arc.name == cluster:
            return arc.kind == "azureLocal"
    raise ValueError(f"cluster '{cluster}' is not declared")


def kustomization_path(environment: str, cluster: str, kustomization: str) -> str:
    """The path a FluxConfiguration Kustomization reconciles, relative to the repo root."""
    if kustomization not in (*KUSTOMIZATIONS, CALICO, *VERIFICATION):
        raise ValueError(f"unknown kustomization '{kustomization}'")
    return f"./{GITOPS_DIR}/{cluster_dir(environment, cluster) / kustomization}"


def client_id_variable(tenant: str) -> str:
    """`team-a` -> `TENANT_TEAM_A_CLIENT_ID` (Flux variable names allow no dashes)."""
    variable = f"TENANT_{tenant.upper().replace('-', '_')}_CLIENT_ID"
    if not _VARIABLE.match(variable):
        raise ValueError(f"tenant '{tenant}' does not map to a Flux variable name")
    return variable


def variable_reference(variable: str) -> str:
    """How a rendered manifest refers to a postBuild variable."""
    return "${" + variable + "}"
