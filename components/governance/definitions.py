"""Azure facts the governance component relies on: built-in policy IDs, plan names, categories.

Every value here was read from its source: built-in policy and initiative GUIDs, their
parameter names and allowed effects from Azure/azure-policy `built-in-policies/**` @
f4a50bac; Defender plan and extension names from the Microsoft.Security pricings 2024-01-01
spec and the "Configure Microsoft Defender for Containers plan" policy (efd4031d); activity-
log categories from the built-in policy "Configure Azure Activity logs to stream to
specified Log Analytics workspace" (2465583e). Built-in IDs are the same in every tenant, so
they are constants, not configuration.
"""

from __future__ import annotations

from typing import Final

# ---- Azure Policy: built-in initiatives (policySetDefinitions) ----

# "Kubernetes cluster pod security restricted standards for Linux-based workloads" v2.5.0
POD_SECURITY_RESTRICTED: Final = "42b8ef37-b724-4e24-bbc8-7a7708edfe00"
# "Kubernetes cluster pod security baseline standards for Linux-based workloads" v1.4.0
POD_SECURITY_BASELINE: Final = "a8640138-9b0a-4a28-b8cb-1666c838647d"

# ---- Azure Policy: built-in definitions (policyDefinitions) ----

# "Kubernetes cluster containers should only use allowed images" v9.3.0 (no default regex)
ALLOWED_IMAGES: Final = "febd0533-8e55-448f-b837-bd0e06f16469"
# "Kubernetes cluster should not allow privileged containers" v9.2.0
NO_PRIVILEGED_CONTAINERS: Final = "95edb821-ddaf-4404-9732-666045e056b4"
# "Kubernetes clusters should be accessible only over HTTPS" v9.0.0 (effects Audit/Deny/Disabled)
HTTPS_INGRESS_ONLY: Final = "1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d"
# "Kubernetes cluster services should only use allowed external IPs" v5.2.0
ALLOWED_EXTERNAL_IPS: Final = "d46c275d-1680-448d-b2ec-e495a3b6cc89"
# "Azure Policy Add-on for Kubernetes service (AKS) should be installed and enabled" (Audit only)
AKS_POLICY_ADDON: Final = "0a15ec92-a229-4763-bb14-0ea34a568f8d"
# "Azure Kubernetes Service clusters should have Defender profile enabled" (Audit only)
AKS_DEFENDER_PROFILE: Final = "a1840de2-8088-4ea8-b153-b4c723e9cb01"
# "Azure Arc enabled Kubernetes clusters should have the Azure Policy extension installed"
ARC_POLICY_EXTENSION: Final = "6b2122c1-8120-4ff5-801b-17625a355590"
# "[Preview]: Azure Arc enabled Kubernetes clusters should have Microsoft Defender for Cloud
# extension installed"
ARC_DEFENDER_EXTENSION: Final = "8dfab9c4-fe7b-49ad-85e4-1e9be085358f"
# "[Preview]: Configure Azure Arc enabled Kubernetes clusters to install Microsoft Defender
# for Cloud extension" v7.3.0-preview (DeployIfNotExists/Disabled). The audit above hard-codes
# `distribution notIn [aks, aks_management, eks, gke]`; this one takes the list as the
# parameter excludedDistributions (same default), so it can evaluate EKS and GKE clusters too.
ARC_DEFENDER_EXTENSION_DINE: Final = "708b60a6-d253-4fe0-9114-4be4c00f012c"
# Only AKS itself stays excluded: AKS runs Defender as its security profile (audited by
# a1840de2), never as an Arc extension.
ARC_DEFENDER_EXCLUDED_DISTRIBUTIONS: Final = ("aks",)

# The capabilities the Kubernetes "restricted" Pod Security Standard allows a container to
# add back after dropping ALL. The restricted initiative's own default allows the much
# longer baseline list, so production passes these two parameters explicitly.
RESTRICTED_ALLOWED_CAPABILITIES: Final = ("NET_BIND_SERVICE",)
RESTRICTED_REQUIRED_DROP_CAPABILITIES: Final = ("ALL",)


def policy_definition_id(guid: str) -> str:
    return f"/providers/Microsoft.Authorization/policyDefinitions/{guid}"


def policy_set_definition_id(guid: str) -> str:
    return f"/providers/Microsoft.Authorization/policySetDefinitions/{guid}"


# ---- Microsoft Defender for Cloud (Microsoft.Security/pricings) ----

# The baseline plans, always Standard. Containers replaces the deprecated ContainerRegistry
# and KubernetesService plans (the API reports them deprecated, replacedBy Containers), so
# those two are never declared.
BASELINE_PLANS: Final = ("Containers", "KeyVaults", "Arm")
DEPRECATED_PLANS: Final = frozenset({"ContainerRegistry", "KubernetesService"})
STANDARD_TIER: Final = "Standard"

# Containers plan extensions (exact API names).
EXT_AGENTLESS_DISCOVERY: Final = "AgentlessDiscoveryForKubernetes"
EXT_REGISTRY_VULNERABILITY_ASSESSMENT: Final = "ContainerRegistriesVulnerabilityAssessments"
EXT_CONTAINER_SENSOR: Final = "ContainerSensor"

# ---- Subscription activity log ----

# Exactly the eight activity-log categories Azure offers for a subscription.
ACTIVITY_LOG_CATEGORIES: Final = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)

# ---- Microsoft Sentinel ----

# The only onboarding-state name the API supports.
SENTINEL_ONBOARDING_STATE: Final = "default"
