"""What the rendered image verifier is made of and who it runs as: one source for the
program (the verifier's federated identity), the renderer and the doctor.

Pure data, no Pulumi import. Versions are pinned: Ratify v1.4.0 is chart 1.15.0
(ratify-project/ratify tag v1.4.0, commit f3f6229dee1051e4beb580ec17ad68b7a45f23af,
charts/ratify/Chart.yaml).
"""

from __future__ import annotations

RATIFY_CHART_VERSION = "1.15.0"
RATIFY_APP_VERSION = "v1.4.0"
# Gatekeeper external data provider the chart registers (charts/ratify/templates/provider.yaml).
RATIFY_PROVIDER = "ratify-provider"
# The constraint kind of the platform's signed-images template (rendered into gitops/).
CONSTRAINT_KIND = "PlatformSignedImages"
CONSTRAINT_NAME = "platform-signed-images"
# The Ratify KeyManagementProvider (and trust store) holding the signing certificate.
TRUST_STORE = "platform-signing"
# Images Ratify runs from, imported into the platform registry (bootstrap doctor).
RATIFY_IMAGES = ("ratify-project/ratify", "ratify-project/ratify-crds")
RATIFY_SOURCE_REGISTRY = "ghcr.io"
# Ratify's chart creates this service account in the namespace it is installed in; with the
# Azure Policy add-on, Gatekeeper runs in gatekeeper-system, where Ratify must live as its
# external data provider (ratify-project/ratify-web versioned_docs/version-1.4/quickstarts/
# ratify-on-azure.md, "When Azure Policy Addon is enabled on AKS").
VERIFIER_NAMESPACE = "gatekeeper-system"
VERIFIER_SERVICE_ACCOUNT = "ratify-admin"
VERIFIER_SUBJECT = f"system:serviceaccount:{VERIFIER_NAMESPACE}:{VERIFIER_SERVICE_ACCOUNT}"
