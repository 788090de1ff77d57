"""`platform:state`: where Pulumi keeps this stack's state and which key encrypts its secrets.

The storage account and the key exist before the first `pulumi up` (Pulumi needs them to
start), so the program never creates them: it only grants each CI identity the data-plane
role it needs on them (components/github.py). Name rules are Microsoft's:
- storage account: 3-24 lowercase letters and digits; container: 3-63 lowercase letters,
  digits and single hyphens, starting with a letter or digit
  (learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata);
- Key Vault: 3-24 letters, digits and single hyphens, starting with a letter, ending with a
  letter or digit; key: 1-127 letters, digits and hyphens
  (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#objects-identifiers-and-versioning);
- resource group: 1-90 letters, digits, '_', '-', '.', '(' and ')', not ending in '.'
  (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
"""

from __future__ import annotations

from typing import Annotated

from .base import VAULT_OBJECT_NAME, Guid, StrictModel, matching

StorageAccountName = Annotated[
    str,
    matching(r"^[a-z0-9]{3,24}$", "a valid storage account name (3-24 lowercase letters, digits)"),
]
ContainerName = Annotated[
    str,
    matching(
        r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$",
        "a valid blob container name (3-63 lowercase letters, digits and single hyphens)",
    ),
]
VaultName = Annotated[
    str,
    matching(
        r"^(?=.{3,24}$)[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*$",
        "a valid Key Vault name (3-24 letters, digits and single hyphens, starting with a letter)",
    ),
]
KeyName = Annotated[
    str, matching(VAULT_OBJECT_NAME, "a valid Key Vault key name (1-127 letters, digits, '-')")
]
ResourceGroupName = Annotated[
    str,
    matching(
        r"^[-\w._()]{0,89}[-\w_()]$",
        "a valid resource group name "
        "(1-90 letters, digits, '_', '-', '.', '(', ')'; not ending in '.')",
    ),
]


class StateConfig(StrictModel):
    """The Azure Blob backend and the Key Vault secrets provider of this stack."""

    # The subscription holding the state account and the key vault; unset means
    # platform:subscriptionId (production often keeps its state in its own subscription).
    subscription_id: Guid | None = None
    resource_group: ResourceGroupName
    storage_account: StorageAccountName
    container: ContainerName
    key_vault: VaultName
    key: KeyName

    def subscription(self, default: str) -> str:
        return self.subscription_id or default

    @property
    def backend_url(self) -> str:
        """`pulumi login` URL of the Azure Blob backend (pulumi/pulumi pkg/backend/diy)."""
        return f"azblob://{self.container}?storage_account={self.storage_account}"

    @property
    def secrets_provider(self) -> str:
        """`--secrets-provider` URL (gocloud.dev secrets/azurekeyvault, used by Pulumi)."""
        return f"azurekeyvault://{self.key_vault}.vault.azure.net/keys/{self.key}"

    def _group_id(self, default_subscription: str) -> str:
        subscription = self.subscription(default_subscription)
        return f"/subscriptions/{subscription}/resourceGroups/{self.resource_group}"

    def account_id(self, default_subscription: str) -> str:
        return (
            f"{self._group_id(default_subscription)}/providers/Microsoft.Storage/"
            f"storageAccounts/{self.storage_account}"
        )

    def container_scope(self, default_subscription: str) -> str:
        """ARM ID of the container: the narrowest scope a blob data role can be assigned at."""
        return (
            f"{self.account_id(default_subscription)}/blobServices/default/containers/"
            f"{self.container}"
        )

    def vault_id(self, default_subscription: str) -> str:
        return (
            f"{self._group_id(default_subscription)}/providers/Microsoft.KeyVault/vaults/"
            f"{self.key_vault}"
        )

    def key_scope(self, default_subscription: str) -> str:
        """ARM ID of the key: Key Vault RBAC accepts a single key as the scope."""
        return f"{self.vault_id(default_subscription)}/keys/{self.key}"
