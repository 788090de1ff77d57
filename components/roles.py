"""Azure built-in role definition GUIDs the platform assigns (identical in every tenant)."""

from __future__ import annotations

ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
# Supply chain (components/supply_chain.py). MicrosoftDocs/azure-docs articles/
# role-based-access-control/built-in-roles (containers and security sections): AcrPush pushes
# and pulls images (signatures and SBOMs are pushed as referrers, the same permission);
# "Key Vault Certificate User" reads certificate content; "Key Vault Crypto User" performs
# cryptographic operations with keys (sign); "Key Vault Secrets User" reads secret contents.
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
KEY_VAULT_CERTIFICATE_USER = "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830"
KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
KEY_VAULT_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
ARC_KUBERNETES_CLUSTER_ADMIN = "8393591c-06b9-48a2-a542-1bd6b377f6a2"
# "List cluster user credentials action": what cluster connect (`az connectedk8s proxy`)
# needs besides a Kubernetes role (MicrosoftDocs/azure-management-docs articles/azure-arc/
# kubernetes/cluster-connect.md; built-in-roles.md).
ARC_CLUSTER_USER = "00493d72-78f6-4148-b6c5-d3ce8e4799dd"
# Lets a connected cluster's managed identity call checkAccess: Azure RBAC on Arc needs it on
# the cluster (articles/azure-arc/kubernetes/azure-rbac.md, "Enable Azure RBAC").
CONNECTED_CLUSTER_CHECK_ACCESS_READER = "65a14201-8f6c-4c28-bec4-12619c5a9aaa"
RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
SECURITY_ADMIN = "fb1c8493-542b-48eb-b624-b4c8fea62acd"
RESOURCE_POLICY_CONTRIBUTOR = "36243c78-bf99-498c-9df9-86d9f8d28608"
MONITORING_CONTRIBUTOR = "749f88d5-cbae-40b8-bcfc-e573ddc772fa"
# The Pulumi state (platform:state). Data actions, per MicrosoftDocs/azure-docs
# articles/role-based-access-control/built-in-roles (storage and security sections):
# Contributor reads, writes and deletes blobs (the deploy job writes checkpoints, history
# and locks); Reader only reads them, which is all a `pulumi preview` does on the azblob
# backend (pulumi/pulumi pkg/backend/diy/backend.go: Preview takes no lock and saves no
# history or checkpoint; meta.yaml is written only when missing, at the first login).
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
# Never granted to automation identities; the policy pack rejects them.
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"

NAMES = {
    ACR_PULL: "AcrPull",
    ACR_PUSH: "AcrPush",
    KEY_VAULT_CERTIFICATE_USER: "Key Vault Certificate User",
    CONTRIBUTOR: "Contributor",
    READER: "Reader",
    NETWORK_CONTRIBUTOR: "Network Contributor",
    MANAGED_IDENTITY_OPERATOR: "Managed Identity Operator",
    KEY_VAULT_CRYPTO_USER: "Key Vault Crypto User",
    KEY_VAULT_CONTRIBUTOR: "Key Vault Contributor",
    KEY_VAULT_SECRETS_USER: "Key Vault Secrets User",
    KEY_VAULT_SECRETS_OFFICER: "Key Vault Secrets Officer",
    AKS_RBAC_CLUSTER_ADMIN: "Azure Kubernetes Service RBAC Cluster Admin",
    ARC_KUBERNETES_CLUSTER_ADMIN: "Azure Arc Kubernetes Cluster Admin",
    ARC_CLUSTER_USER: "Azure Arc Enabled Kubernetes Cluster User Role",
    CONNECTED_CLUSTER_CHECK_ACCESS_READER: "Connected Cluster Managed Identity CheckAccess Reader",
    RBAC_ADMINISTRATOR: "Role Based Access Control Administrator",
    SECURITY_ADMIN: "Security Admin",
    RESOURCE_POLICY_CONTRIBUTOR: "Resource Policy Contributor",
    MONITORING_CONTRIBUTOR: "Monitoring Contributor",
    STORAGE_BLOB_DATA_CONTRIBUTOR: "Storage Blob Data Contributor",
    STORAGE_BLOB_DATA_READER: "Storage Blob Data Reader",
    OWNER: "Owner",
    USER_ACCESS_ADMINISTRATOR: "User Access Administrator",
}


def definition_id(subscription_id: str, role: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    )
