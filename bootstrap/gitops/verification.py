"""The image verifier of every cluster: Ratify and the signed-images admission constraint.

Shared files live in infrastructure/verification/base/ (Ratify's chart source and the
constraint template); each environment gets infrastructure/verification/<env>/verifier/
(the HelmRelease) and .../image-policy/ (the signing certificate Ratify trusts, the
Notation trust policy and the constraint, deny or audit by config). Every cluster's Flux
configuration reconciles both (components.gitops_layout VERIFIER, IMAGE_POLICY).
"""

from __future__ import annotations

from collections.abc import Callable

from components import gitops_layout as layout
from components import verification_layout as verification
from components.config import PlatformConfig
from components.naming import Naming

from .model import SYSTEM_NAMESPACES

BASE = "infrastructure/verification/base"
TEMPLATES = "infrastructure/verification"

ENFORCEMENT_NOTES = {
    "deny": ("Unsigned images of the platform registry are refused (enforcementAction deny).",),
    "warn": (
        "Audit mode outside production: unsigned images are admitted with a warning and",
        "reported by Gatekeeper's audit (platform:supplyChain.verification.enforcement).",
    ),
    "dryrun": (
        "Audit mode outside production: unsigned images are admitted and only reported by",
        "Gatekeeper's audit (platform:supplyChain.verification.enforcement).",
    ),
}


def environment_dir(environment: str, kustomization: str) -> str:
    return f"infrastructure/verification/{environment}/{kustomization}"


Render = Callable[..., str]


def shared_files(render: Render) -> dict[str, str]:
    values = {
        "flux_namespace": layout.FLUX_NAMESPACE,
        "kind": verification.CONSTRAINT_KIND,
        "provider": verification.RATIFY_PROVIDER,
    }
    return {
        f"{BASE}/kustomization.yaml": render(f"{TEMPLATES}/base-kustomization.yaml.j2"),
        f"{BASE}/helm-repository.yaml": render(f"{TEMPLATES}/helm-repository.yaml.j2", **values),
        f"{BASE}/constraint-template.yaml": render(
            f"{TEMPLATES}/constraint-template.yaml.j2", **values
        ),
    }


def environment_files(config: PlatformConfig, render: Render) -> dict[str, str]:
    naming = Naming.for_config(config)
    enforcement = config.image_verification_enforcement
    values = {
        "environment": config.environment,
        "flux_namespace": layout.FLUX_NAMESPACE,
        "verifier_namespace": verification.VERIFIER_NAMESPACE,
        "service_account": verification.VERIFIER_SERVICE_ACCOUNT,
        "chart_version": verification.RATIFY_CHART_VERSION,
        "app_version": verification.RATIFY_APP_VERSION,
        "registry": naming.registry_login_server,
        "vault": naming.key_vault,
        "certificate": config.supply_chain.signing.certificate_name,
        "subject": config.signing_subject,
        "trust_store": verification.TRUST_STORE,
        "kind": verification.CONSTRAINT_KIND,
        "constraint_name": verification.CONSTRAINT_NAME,
        "enforcement": enforcement,
        "enforcement_note": ENFORCEMENT_NOTES[enforcement],
        "system_namespaces": SYSTEM_NAMESPACES,
        # Identifiers Flux substitutes at apply time (components.flux).
        "client_id": layout.variable_reference(layout.VERIFIER_CLIENT_ID_VARIABLE),
        "tenant_id": layout.variable_reference(layout.AZURE_TENANT_ID_VARIABLE),
    }
    verifier = environment_dir(config.environment, layout.VERIFIER)
    policy = environment_dir(config.environment, layout.IMAGE_POLICY)
    files = {
        f"{verifier}/kustomization.yaml": render(
            f"{TEMPLATES}/verifier-kustomization.yaml.j2", **values
        ),
        f"{verifier}/helm-release.yaml": render(f"{TEMPLATES}/helm-release.yaml.j2", **values),
        f"{policy}/kustomization.yaml": render(
            f"{TEMPLATES}/policy-kustomization.yaml.j2", **values
        ),
    }
    for name in ("key-management-provider", "verifier", "constraint"):
        files[f"{policy}/{name}.yaml"] = render(f"{TEMPLATES}/{name}.yaml.j2", **values)
    return files
