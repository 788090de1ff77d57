"""Names the verifier's identity is federated to and the renderer installs it as (pure data)."""

from __future__ import annotations

# Ratify's chart creates this service account in the namespace it is installed in; with the
# Azure Policy add-on, Gatekeeper runs in gatekeeper-system, where Ratify must live as its
# external data provider (ratify-project/ratify-web versioned_docs/version-1.4/quickstarts/
# ratify-on-azure.md, "When Azure Policy Addon is enabled on AKS").
VERIFIER_NAMESPACE = "gatekeeper-system"
VERIFIER_SERVICE_ACCOUNT = "ratify-admin"
VERIFIER_SUBJECT = f"system:serviceaccount:{VERIFIER_NAMESPACE}:{VERIFIER_SERVICE_ACCOUNT}"
