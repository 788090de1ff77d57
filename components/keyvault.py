"""The environment's Key Vault: runtime secrets for workloads and the etcd encryption key."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import keyvault, operationalinsights

from components.common import Placement
from components.monitoring import diagnostic_setting
from components.network import KEY_VAULT_ZONE, HubNetwork, private_endpoint

KMS_KEY_NAME = "etcd-kms"


@dataclass(frozen=True)
class KeyVaultArgs:
    placement: Placement
    hub: HubNetwork
    workspace: operationalinsights.Workspace
    # Unset: the platform vault. Tenants with keyVault get vaults of their own.
    vault_name: str | None = None
    # Only the platform vault holds the etcd encryption key.
    holds_kms_key: bool = True


class KeyVault(pulumi.ComponentResource):
    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:keyvault:KeyVault", name, None, opts)
        placement = args.placement
        settings = placement.config.key_vault
        vault_name = args.vault_name or placement.naming.key_vault
        self.vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=vault_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=placement.config.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=settings.sku),
                # Azure RBAC: access is granted per identity and audited like any role
                # assignment, instead of vault-local access policies.
                enable_rbac_authorization=settings.rbac_authorization,
                # A deleted vault (and the etcd key in it) stays recoverable and cannot
                # be purged early, even by an administrator.
                enable_soft_delete=True,
                soft_delete_retention_in_days=settings.soft_delete_retention_days,
                enable_purge_protection=True if settings.purge_protection else None,
                public_network_access="Enabled" if settings.public_network_access else "Disabled",
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action="Deny", bypass="AzureServices"
                ),
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
            ),
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Created before anything inside the vault: see the key below.
        self.private_access = private_endpoint(
            f"{name}-pe",
            placement,
            f"pe-{vault_name}",
            self.vault.id,
            "vault",
            args.hub,
            KEY_VAULT_ZONE,
            self,
        )
        # The key that encrypts Kubernetes secrets in etcd (KMS v2). No expiry date: an
        # expired KMS key makes the API server unable to read secrets; rotate it by adding
        # a version and running `pulumi up`, which hands the new version to the clusters.
        self.kms_key = (
            None
            if not args.holds_kms_key
            else keyvault.Key(
                f"{name}-kms",
                key_name=KMS_KEY_NAME,
                vault_name=self.vault.name,
                resource_group_name=placement.resource_group_name,
                properties=keyvault.KeyPropertiesArgs(
                    kty="RSA-HSM" if settings.sku == "premium" else "RSA",
                    key_size=2048,
                    key_ops=["encrypt", "decrypt", "wrapKey", "unwrapKey"],
                    attributes=keyvault.KeyAttributesArgs(enabled=True, exportable=False),
                ),
                tags=placement.tags,
                # "Creating or updating keys in a private key vault that doesn't have a
                # private endpoint isn't supported" (AKS, "Add Key Management Service etcd
                # encryption", MicrosoftDocs/azure-aks-docs articles/aks/
                # use-kms-etcd-encryption.md): the key waits for the vault's endpoint and
                # its DNS record. Checked in every plan by HAZ-KV-01.
                opts=pulumi.ResourceOptions(parent=self, depends_on=self.private_access.ready),
            )
        )
        diagnostic_setting(name, self.vault.id, "keyvault", args.workspace, self)
        self.register_outputs({"vaultId": self.vault.id})
