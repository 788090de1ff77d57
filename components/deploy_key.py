"""The Flux deploy key of a private repository, read from Key Vault at `pulumi up`.

Azure Resource Manager never returns a Key Vault secret's value (the azure-native
`keyvault.getSecret` answers without it), so the key is read from the vault's data plane
by a small dynamic resource:

* it runs only when the resource is created, replaced or refreshed (`pulumi up`,
  `pulumi up --refresh` after a key rotation), never during `pulumi preview` of a new
  stack, so the read-only pull-request identity never touches the vault;
* its output is a Pulumi secret: encrypted in state, "[secret]" in every plan and
  preview, and nothing of it is written to git;
* under the offline engine the mocks answer instead of Azure, so plans stay offline.

The deploying identity needs "Key Vault Secrets User" on the vault and a network path to
its private endpoint (a runner inside the hub network); both are deployment concerns the
README documents.
"""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi.dynamic

# Key Vault DNS suffix of the public Azure cloud.
VAULT_DNS_SUFFIX = "vault.azure.net"
PEM_MARKER = "-----BEGIN"


def protected_setting_value(secret_value: str) -> str:
    """`configurationProtectedSettings.sshPrivateKey` wants the PEM key base64-encoded.

    Operators store either the PEM file itself (`az keyvault secret set --file key`) or,
    as Azure's own Flux policies expect, its base64 form; both arrive here.
    """
    stripped = secret_value.strip()
    if stripped.startswith(PEM_MARKER):
        return base64.b64encode((stripped + "\n").encode()).decode()
    try:
        decoded = base64.b64decode(stripped, validate=True).decode()
    except ValueError:
        decoded = ""
    if not decoded.lstrip().startswith(PEM_MARKER):
        raise ValueError(
            "the Key Vault secret is neither a PEM private key nor a base64-encoded one"
        )
    return stripped


def fetch_secret(vault_name: str, secret_name: str) -> str:
    """Reads one secret from the vault's data plane with the deploying identity."""
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    client = SecretClient(f"https://{vault_name}.{VAULT_DNS_SUFFIX}", DefaultAzureCredential())
    value = client.get_secret(secret_name).value
    if not value:
        raise ValueError(f"Key Vault secret '{secret_name}' in '{vault_name}' is empty")
    return value


class DeployKeyProvider(pulumi.dynamic.ResourceProvider):
    """Reads the secret; replaces itself when the vault or the secret name changes."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(
            id_=f"{props['vault_name']}/{props['secret_name']}", outs=self._read(props)
        )

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        return pulumi.dynamic.ReadResult(id_=id_, outs=self._read(props))

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        changed = [key for key in ("vault_name", "secret_name") if olds.get(key) != news.get(key)]
        return pulumi.dynamic.DiffResult(
            changes=bool(changed), replaces=changed, delete_before_replace=False
        )

    @staticmethod
    def _read(props: dict[str, Any]) -> dict[str, Any]:
        value = fetch_secret(props["vault_name"], props["secret_name"])
        return {
            "vault_name": props["vault_name"],
            "secret_name": props["secret_name"],
            "ssh_private_key": protected_setting_value(value),
        }


class DeployKey(pulumi.dynamic.Resource):
    """`ssh_private_key` is the base64 PEM key, always a Pulumi secret."""

    ssh_private_key: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        vault_name: pulumi.Input[str],
        secret_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["ssh_private_key"])
        super().__init__(
            DeployKeyProvider(),
            name,
            {"vault_name": vault_name, "secret_name": secret_name, "ssh_private_key": None},
            pulumi.ResourceOptions.merge(opts, secret_outputs),
        )
