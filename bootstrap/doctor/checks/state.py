"""The state storage and the secrets key: named in config, and (live) existing.

They must exist before the first `pulumi login` and `pulumi stack init`, so a person creates
them once; the commands are the README's ("Deploying for real", step 2).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import DoctorContext, Item

ORDER = 10
STATE_KEYS = "resourceGroup, storageAccount, container, keyVault, key"


def check(context: DoctorContext) -> Iterator[Item]:
    for stack in context.stacks:
        config = stack.config
        state = config.state
        if state is None:
            yield Item(
                "missing",
                stack.name,
                "platform:state is not set: the program grants the CI identities nothing on "
                "the Pulumi state or its secrets key",
                fix=f"add platform:state ({STATE_KEYS}) to {stack.path}",
            )
            continue
        subscription = state.subscription(config.subscription_id)
        on = f"--subscription {subscription}"
        group = state.resource_group
        yield Item(
            "check",
            stack.name,
            f"resource group {group} for the state (subscription {subscription}) exists",
            verify=f"az group show --name {group} {on}",
            fix=f"az group create --name {group} --location {config.location} {on}",
        )
        # Entra ID only (no shared keys), no public blobs, TLS 1.2: everyone, CI included,
        # reaches the state with a role assignment.
        yield Item(
            "check",
            stack.name,
            f"storage account {state.storage_account} exists, shared keys off",
            verify=(
                f"az storage account show --name {state.storage_account} --resource-group "
                f"{group} {on} --query allowSharedKeyAccess"
            ),
            fix=(
                f"az storage account create --name {state.storage_account} --resource-group "
                f"{group} --sku Standard_ZRS --min-tls-version TLS1_2 "
                f"--allow-blob-public-access false --allow-shared-key-access false {on}"
            ),
        )
        yield Item(
            "check",
            stack.name,
            f"state container {state.container} in {state.storage_account} exists",
            verify=(
                f"az storage container show --name {state.container} --account-name "
                f"{state.storage_account} --auth-mode login {on}"
            ),
            fix=(
                f"az storage container create --name {state.container} --account-name "
                f"{state.storage_account} --auth-mode login {on}"
            ),
        )
        yield Item(
            "check",
            stack.name,
            f"Key Vault {state.key_vault} exists (RBAC authorization, purge protection)",
            verify=f"az keyvault show --name {state.key_vault} {on}",
            fix=(
                f"az keyvault create --name {state.key_vault} --resource-group {group} "
                f"--enable-rbac-authorization true --enable-purge-protection true {on}"
            ),
        )
        me = '"$(az ad signed-in-user show --query id -o tsv)"'
        container_scope = state.container_scope(config.subscription_id)
        yield Item(
            "check",
            stack.name,
            "you (running `pulumi stack init` and the first `pulumi up`) may read and write "
            "the state: Storage Blob Data Contributor on the container",
            verify=f"az role assignment list --assignee {me} --scope {container_scope} -o table",
            fix=(
                f'az role assignment create --role "Storage Blob Data Contributor" '
                f"--assignee {me} --scope {container_scope}"
            ),
        )
        vault_scope = state.vault_id(config.subscription_id)
        yield Item(
            "check",
            stack.name,
            "you may create the key and encrypt with it: Key Vault Crypto Officer on the vault",
            verify=f"az role assignment list --assignee {me} --scope {vault_scope} -o table",
            fix=(
                f'az role assignment create --role "Key Vault Crypto Officer" '
                f"--assignee {me} --scope {vault_scope}"
            ),
        )
        yield Item(
            "check",
            stack.name,
            f"secrets key {state.key} in Key Vault {state.key_vault} exists (RSA)",
            verify=f"az keyvault key show --vault-name {state.key_vault} --name {state.key}",
            fix=(
                f"az keyvault key create --vault-name {state.key_vault} --name {state.key} "
                "--kty RSA --size 3072"
            ),
        )
