"""`platform:detection`: who is told when a detection fires, and the accounts always watched.

The detections themselves (what each looks for, its KQL, severity and schedule) are code in
components/detection/catalog.py; this section only says where alerts go:

- `paging`: whether the alert rules notify the action group. Unset means production pages
  and other environments record only (the alerts still fire and stay in Azure Monitor's
  alert list, nobody is notified). Production with paging false is a weakening: the pack
  fails DET-ALR-02 unless a waiver covers it.
- `actionGroup`: the e-mail addresses and webhooks of the action group. A webhook URL
  usually carries a token (Slack, Teams, PagerDuty put it in the path), so it is never
  written here: the stack names a secret of the platform Key Vault that holds the URL, read
  at `pulumi up` (components/detection/webhooks.py).
- `breakGlassAccounts`: object IDs of the tenant's emergency-access accounts; any sign-in by
  one of them is a detection of its own, as Microsoft Entra's guidance asks
  (MicrosoftDocs/entra-docs docs/identity/role-based-access-control/
  security-emergency-access.md, "Monitor sign-in and audit logs").
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from .base import VAULT_OBJECT_NAME, Guid, LocatedValueError, StrictModel, matching

# An address as action groups take it: one @, a dotted domain, no spaces. Azure Monitor
# sends a confirmation to each address; this only refuses what cannot be one.
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
# Receiver names: unique in the group, 1-128 characters (Microsoft.Insights actionGroups
# REST spec, EmailReceiver.name / WebhookReceiver.name).
_RECEIVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
# "You can have up to 10 webhook actions in an action group" (learn.microsoft.com/azure/
# azure-monitor/alerts/action-groups, "Webhook"); 1,000 e-mail actions per group.
MAX_WEBHOOKS = 10
MAX_EMAILS = 1000


EmailAddress = Annotated[
    str, matching(_EMAIL, "an e-mail address (expected e.g. oncall@contoso.com)")
]
ReceiverName = Annotated[
    str,
    matching(
        _RECEIVER_NAME,
        "a receiver name (1-128 letters, digits, '-' or '_', starting with a letter or digit)",
    ),
]


class WebhookConfig(StrictModel):
    name: ReceiverName
    # The platform Key Vault secret whose value is the webhook URL (https://...).
    key_vault_secret: Annotated[
        str,
        matching(
            VAULT_OBJECT_NAME,
            "a Key Vault secret name (1-127 letters, digits and '-'); "
            "the webhook URL itself never belongs in config",
        ),
    ]


class ActionGroupConfig(StrictModel):
    emails: list[EmailAddress] = Field(default_factory=list, max_length=MAX_EMAILS)
    webhooks: list[WebhookConfig] = Field(default_factory=list, max_length=MAX_WEBHOOKS)

    @property
    def has_receivers(self) -> bool:
        return bool(self.emails or self.webhooks)

    @model_validator(mode="after")
    def _unique_names(self) -> ActionGroupConfig:
        seen: set[str] = set()
        for index, webhook in enumerate(self.webhooks):
            if webhook.name in seen:
                raise LocatedValueError(
                    ("webhooks", index, "name"), f"receiver name '{webhook.name}' is used twice"
                )
            seen.add(webhook.name)
        return self


class DetectionConfig(StrictModel):
    # Unset: production pages, other environments record only.
    paging: bool | None = None
    action_group: ActionGroupConfig = Field(default_factory=ActionGroupConfig)
    break_glass_accounts: list[Guid] = Field(default_factory=list, max_length=10)
