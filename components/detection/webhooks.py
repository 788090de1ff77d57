"""Webhook URLs of the action group, read from the platform Key Vault at `pulumi up`.

A webhook URL is a credential: Slack, Microsoft Teams and PagerDuty put the token in the
path, where no pattern can tell it from an ordinary path. So config names a Key Vault
secret (detection.actionGroup.webhooks[].keyVaultSecret) and this dynamic resource reads
its value like the Flux deploy key (components/deploy_key.py, same reader and same rules):
only when created or refreshed, never in a first preview, its output a Pulumi secret. The
read depends on the vault's private endpoint (HAZ-KV-01).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi.dynamic

from components.deploy_key import fetch_secret


def webhook_url(secret_value: str) -> str:
    """The URL from the secret; an action group calls it over HTTPS only."""
    url = secret_value.strip()
    if not url.startswith("https://") or any(c.isspace() for c in url):
        raise ValueError("the Key Vault secret does not hold an https:// webhook URL")
    return url


class WebhookUrlProvider(pulumi.dynamic.ResourceProvider):
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
            "url": webhook_url(value),
        }


class WebhookUrl(pulumi.dynamic.Resource):
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
            # "url" is filled by the provider; the placeholder keeps the output declared.
            {"vault_name": vault_name, "secret_name": secret_name, "url": ""},
            pulumi.ResourceOptions(
                parent=parent,
                depends_on=list(vault_access) or None,
                additional_secret_outputs=["url"],
            ),
        )
