"""Webhook URLs of the action group, read from the platform Key Vault at `pulumi up`.

A webhook URL is a credential: Slack, Microsoft Teams and PagerDuty put the token in the
path, where no pattern can tell it from an ordinary path. So config names a Key Vault
secret (detection.actionGroup.webhooks[].keyVaultSecret) and this dynamic resource reads
its value like the Flux deploy key (components.key_vault_secret, same reader and same
rules): only when created or refreshed, never in a first preview, its output a Pulumi
secret. The read depends on the vault's private endpoint (HAZ-KV-01).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.key_vault_secret import SecretRead, SecretReader


def webhook_url(secret_value: str) -> str:
    """The URL from the secret; an action group calls it over HTTPS only."""
    url = secret_value.strip()
    if not url.startswith("https://") or any(c.isspace() for c in url):
        raise ValueError("the Key Vault secret does not hold an https:// webhook URL")
    return url


class WebhookUrlProvider(SecretReader):
    output = "url"
    value = staticmethod(webhook_url)


class WebhookUrl(SecretRead):
    """`url` is the webhook URL, always a Pulumi secret."""

    url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        vault_name: pulumi.Input[str],
        secret_name: str,
        parent: pulumi.Resource,
        vault_access: Sequence[pulumi.Resource] = (),
    ) -> None:
        super().__init__(
            WebhookUrlProvider(),
            name,
            vault_name,
            secret_name,
            pulumi.ResourceOptions(parent=parent, depends_on=list(vault_access) or None),
            placeholder="",
        )
