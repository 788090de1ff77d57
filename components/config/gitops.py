"""`platform:gitops`: where Flux pulls from, and the tenant namespaces it creates."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from components.namespaces import reserved_owner

from .base import VAULT_OBJECT_NAME, DnsLabel, Guid, LocatedValueError, StrictModel

_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"
_GIT_URL = re.compile(r"^(https://|http://|ssh://)[^\s]+$")


class TenantQuotaConfig(StrictModel):
    cpu: str = Field(default="4", pattern=_QUANTITY)
    memory: str = Field(default="8Gi", pattern=_QUANTITY)
    pods: int = Field(default=50, ge=1, le=5000)


class TenantConfig(StrictModel):
    """A team namespace: born with default deny, PSA restricted, quota and its own RBAC."""

    name: DnsLabel
    owner_group_id: Guid
    # Gets a user-assigned identity federated to the namespace's service account and
    # "Key Vault Secrets User" on the platform vault.
    key_vault: bool = False
    quota: TenantQuotaConfig = Field(default_factory=TenantQuotaConfig)
    # Clusters (AKS or Arc names) that host the namespace; empty means all of them.
    clusters: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        # One list for the schema and the renderer: components/namespaces.py.
        owner = reserved_owner(value)
        if owner is not None:
            raise ValueError(
                f"'{value}' is a system namespace owned by {owner} and cannot be a tenant "
                "(expected a name of your own, e.g. team-a)"
            )
        return value


class GitOpsConfig(StrictModel):
    # Unset means this repository on GitHub (from platform:github), over HTTPS.
    repo_url: str | None = None
    branch: str = Field(default="main", pattern=r"^[A-Za-z0-9._/-]{1,255}$")
    # none: public repository. sshKey: deploy key kept in Key Vault (never in git or state).
    auth: Literal["none", "sshKey"] = "none"
    ssh_key_secret_name: str | None = None
    sync_interval_seconds: int = Field(default=300, ge=60, le=3600)
    tenants: list[TenantConfig] = Field(default_factory=list)

    @field_validator("repo_url")
    @classmethod
    def _git_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        # The value is never quoted back: what lands here by mistake is often a key.
        if not _GIT_URL.match(value):
            raise ValueError(
                "is not a Git URL (expected https://host/owner/repo.git or "
                "ssh://git@host/owner/repo.git)"
            )
        parts = urlsplit(value)
        # The URL is stored in the plan file, the FluxConfiguration and CI logs, so a
        # token or password in it leaks; an SSH user name (git@) is not a credential.
        credentials = parts.password is not None or (
            parts.username is not None and parts.scheme != "ssh"
        )
        if credentials:
            raise ValueError(
                "must not carry credentials (user:token@ is written to the plan, the Flux "
                "configuration and CI logs); use a public repository, or auth: sshKey with "
                "the deploy key in Key Vault"
            )
        return value

    @model_validator(mode="after")
    def _auth_settings(self) -> GitOpsConfig:
        if self.auth == "sshKey":
            if not self.ssh_key_secret_name or not VAULT_OBJECT_NAME.match(
                self.ssh_key_secret_name
            ):
                raise LocatedValueError(
                    ("sshKeySecretName",),
                    "is required with auth sshKey: the Key Vault secret that holds the deploy key",
                )
            if self.repo_url is None or not self.repo_url.startswith("ssh://"):
                raise LocatedValueError(("repoUrl",), "auth sshKey needs an ssh:// repoUrl")
        elif self.ssh_key_secret_name is not None:
            raise LocatedValueError(("sshKeySecretName",), "is used only with auth: sshKey")
        seen: set[str] = set()
        for index, tenant in enumerate(self.tenants):
            if tenant.name in seen:
                raise LocatedValueError(
                    ("tenants", index, "name"), f"tenant '{tenant.name}' is declared twice"
                )
            seen.add(tenant.name)
        return self
