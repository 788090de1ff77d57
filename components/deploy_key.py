"""The Flux deploy key of a private repository, read from Key Vault at `pulumi up`.

The read is components.key_vault_secret's (only at create or refresh, never in a first
preview, its output a Pulumi secret); this module says what the value must be.
"""

from __future__ import annotations

import base64

import pulumi

from components.key_vault_secret import SecretRead, SecretReader

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


class DeployKeyProvider(SecretReader):
    output = "ssh_private_key"
    value = staticmethod(protected_setting_value)


class DeployKey(SecretRead):
    """`ssh_private_key` is the base64 PEM key, always a Pulumi secret."""

    ssh_private_key: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        vault_name: pulumi.Input[str],
        secret_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(DeployKeyProvider(), name, vault_name, secret_name, opts)
