"""Each stack file names its Key Vault secrets provider and carries its encrypted data key.

`pulumi stack init --secrets-provider URL` writes both lines (`secretsprovider`,
`encryptedkey`) into the stack file (pulumi/pulumi pkg/secrets/cloud/manager.go,
EditProjectStack); they are committed so CI decrypts with the same key. Without them the
CLI falls back to a passphrase, which CI does not have.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from components.config import read_stack_document

from ..model import DoctorContext, Item

ORDER = 20
PLACEHOLDER = "azurekeyvault://<vault>.vault.azure.net/keys/<key>"


def check(context: DoctorContext) -> Iterator[Item]:
    for stack in context.stacks:
        document = read_stack_document(stack.path)
        wanted = stack.config.state.secrets_provider if stack.config.state else PLACEHOLDER
        provider = document.get("secretsprovider")
        key = document.get("encryptedkey")
        change = f'pulumi stack change-secrets-provider --stack {stack.name} "{wanted}"'
        if not provider:
            yield Item(
                "missing",
                stack.name,
                f"{stack.path} has no secretsprovider (Pulumi would ask for a passphrase)",
                fix=f'pulumi stack init {stack.name} --secrets-provider "{wanted}" '
                f"(an existing stack: {change}); commit the lines it adds",
            )
        elif not str(provider).startswith("azurekeyvault://"):
            yield Item(
                "missing",
                stack.name,
                f"{stack.path} uses the secrets provider {provider}, which CI cannot open",
                fix=change,
            )
        elif wanted != PLACEHOLDER and str(provider) != wanted:
            yield Item(
                "missing",
                stack.name,
                f"{stack.path} encrypts with {provider}, but CI is granted {wanted} "
                "(platform:state)",
                fix=change,
            )
        elif not _is_base64(key):
            yield Item(
                "missing",
                stack.name,
                f"{stack.path} has secretsprovider but no valid encryptedkey",
                fix=change,
            )
        else:
            yield Item("ok", stack.name, f"secrets provider {provider}")


def _is_base64(value: object) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
