"""Azure built-in role definition GUIDs the identity policies reason about.

Identical in every tenant. Verified against MicrosoftDocs/azure-docs articles/role-based-
access-control/built-in-roles.md; the pack keeps its own copy so a typo elsewhere cannot
silently weaken a check.
"""

from __future__ import annotations

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
AKS_RBAC_READER = "7f6c6a51-bcf8-42ba-9220-52d62157d7db"
KEY_VAULT_READER = "21090545-7ca7-4776-b22c-e363652d74d2"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"
MONITORING_READER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"
SECURITY_READER = "39bc4728-0917-49c7-9d2c-d95423bc2eb4"
ARC_KUBERNETES_VIEWER = "63f0a09d-1495-4db4-a681-037d84835eb4"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
# Data-plane roles on storage and Key Vault keys (the Pulumi state and its secrets key).
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
KEY_VAULT_DATA_ACCESS_ADMINISTRATOR = "8b54135c-b56d-4d72-a534-26097cfdc8d8"
KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

# Roles that can grant roles: holding one is holding every role.
ROLE_ASSIGNERS = frozenset({OWNER, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR})
# Roles without write or data-plane secret access: all a pull-request preview may hold.
READ_ONLY_ROLES = frozenset(
    {
        READER,
        AKS_RBAC_READER,
        KEY_VAULT_READER,
        LOG_ANALYTICS_READER,
        MONITORING_READER,
        SECURITY_READER,
        ARC_KUBERNETES_VIEWER,
        # Data action Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read only.
        STORAGE_BLOB_DATA_READER,
    }
)

ROLE_NAMES = {
    OWNER: "Owner",
    USER_ACCESS_ADMINISTRATOR: "User Access Administrator",
    RBAC_ADMINISTRATOR: "Role Based Access Control Administrator",
    ACR_PULL: "AcrPull",
    READER: "Reader",
    AKS_RBAC_READER: "Azure Kubernetes Service RBAC Reader",
    KEY_VAULT_READER: "Key Vault Reader",
    LOG_ANALYTICS_READER: "Log Analytics Reader",
    MONITORING_READER: "Monitoring Reader",
    SECURITY_READER: "Security Reader",
    ARC_KUBERNETES_VIEWER: "Azure Arc Kubernetes Viewer",
    NETWORK_CONTRIBUTOR: "Network Contributor",
    KEY_VAULT_CRYPTO_USER: "Key Vault Crypto User",
    KEY_VAULT_CONTRIBUTOR: "Key Vault Contributor",
    MANAGED_IDENTITY_OPERATOR: "Managed Identity Operator",
    CONTRIBUTOR: "Contributor",
    STORAGE_BLOB_DATA_OWNER: "Storage Blob Data Owner",
    STORAGE_BLOB_DATA_CONTRIBUTOR: "Storage Blob Data Contributor",
    STORAGE_BLOB_DATA_READER: "Storage Blob Data Reader",
    STORAGE_ACCOUNT_CONTRIBUTOR: "Storage Account Contributor",
    KEY_VAULT_ADMINISTRATOR: "Key Vault Administrator",
    KEY_VAULT_DATA_ACCESS_ADMINISTRATOR: "Key Vault Data Access Administrator",
    KEY_VAULT_CRYPTO_OFFICER: "Key Vault Crypto Officer",
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER: "Key Vault Crypto Service Encryption User",
}


def same_scope(first: str, second: str | None) -> bool:
    """ARM IDs compare case-insensitively (ARM treats them so)."""
    return bool(second) and first.rstrip("/").lower() == str(second).rstrip("/").lower()


def covers(scope: str, target: str | None) -> bool:
    """`scope` is `target` or one of its parents (a role there reaches `target`)."""
    if not target or not scope:
        return False
    parent = scope.rstrip("/").lower()
    child = target.rstrip("/").lower()
    return child == parent or child.startswith(parent + "/")


def role_guid(role_definition_id: str) -> str:
    """`/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/<guid>` -> `<guid>`."""
    return role_definition_id.rstrip("/").rpartition("/")[2].lower()
