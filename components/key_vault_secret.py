"""A Key Vault secret's value, read from the vault's data plane at `pulumi up`.

Azure Resource Manager never returns a Key Vault secret's value (the azure-native
`keyvault.getSecret` answers without it), so the value is read from the vault's data
plane by a small dynamic resource (the Flux deploy key, components/deploy_key.py; the
action group's webhook URLs, components/detection/webhooks.py):

* it runs only when the resource is created, replaced or refreshed (`pulumi up`,
  `pulumi up --refresh` after a rotation), never during `pulumi preview` of a new stack,
  so the read-only pull-request identity never touches the vault;
* its output is a Pulumi secret: encrypted in state, "[secret]" in every plan and
  preview, and nothing of it is written to git;
* under the offline engine the mocks answer instead of Azure, so plans stay offline.

The deploying identity needs "Key Vault Secrets User" on the vault and a network path to
its private endpoint (a runner inside the hub network); both are deployment concerns the
README documents. The read depends on the vault's private endpoint (HAZ-KV-01).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
import pulumi.dynamic

# Key Vault DNS suffix of the public Azure cloud.
VAULT_DNS_SUFFIX = "vault.azure.net"


def fetch_secret(vault_name: str, secret_name: str) -> str:
    """Reads one secret from the vault's data plane with the deploying identity."""
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    client = SecretClient(f"https://{vault_name}.{VAULT_DNS_SUFFIX}", DefaultAzureCredential())
    value = client.get_secret(secret_name).value
    if not value:
        raise ValueError(f"Key Vault secret '{secret_name}' in '{vault_name}' is empty")
    return value


class SecretReader(pulumi.dynamic.ResourceProvider):
    """Reads the secret into `output` (through `value`); replaces itself when the vault or
    the secret name changes."""

    output: ClassVar[str]

    @staticmethod
    def value(secret_value: str) -> str:
        raise NotImplementedError

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

    def _read(self, props: dict[str, Any]) -> dict[str, Any]:
        value = fetch_secret(props["vault_name"], props["secret_name"])
        return {
            "vault_name": props["vault_name"],
            "secret_name": props["secret_name"],
            self.output: self.value(value),
        }


class SecretRead(pulumi.dynamic.Resource):
    """The dynamic resource: its `reader.output` is the converted value, a Pulumi secret.

    `placeholder` stands for the output until the reader fills it (it keeps the output
    declared).
    """

    def __init__(
        self,
        reader: SecretReader,
        name: str,
        vault_name: pulumi.Input[str],
        secret_name: str,
        opts: pulumi.ResourceOptions | None,
        placeholder: Any = None,
    ) -> None:
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=[reader.output])
        super().__init__(
            reader,
            name,
            {"vault_name": vault_name, "secret_name": secret_name, reader.output: placeholder},
            pulumi.ResourceOptions.merge(opts, secret_outputs),
        )
