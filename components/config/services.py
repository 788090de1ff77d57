"""Shared services of an environment: container registry, Key Vault and monitoring."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import AzureRegion, LocatedValueError, StrictModel


class RegistryConfig(StrictModel):
    # Premium is the only tier with private endpoints, geo-replication and retention.
    sku: Literal["Basic", "Standard", "Premium"] = "Premium"
    # The toggles below weaken the baseline when flipped; each needs a waiver.
    admin_user: bool = False
    anonymous_pull: bool = False
    public_network_access: bool = False
    export_enabled: bool = False
    untagged_retention_days: int = Field(default=7, ge=1, le=365)
    zone_redundancy: bool = False
    geo_replications: list[AzureRegion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _features_the_tier_has(self) -> RegistryConfig:
        if self.sku != "Premium":
            # components/registry.py always publishes the registry through a private
            # endpoint and sets its export and retention policies: private link is a Premium
            # feature ("Azure Container Registry service tiers", MicrosoftDocs/
            # azure-management-docs articles/container-registry/container-registry-skus.md)
            # and so is the export policy ("Disable export of artifacts", data-loss-
            # prevention.md), so Azure would refuse the registry on any other tier.
            raise LocatedValueError(
                ("sku",),
                f"'{self.sku}' lacks what the platform's registry uses (private endpoint, "
                "export and retention policies): only Premium has them",
            )
        if not self.export_enabled and self.public_network_access:
            # "To disable export of artifacts, public access to the registry must also be
            # disabled" (data-loss-prevention.md, "Other requirements to disable exports").
            raise LocatedValueError(
                ("publicNetworkAccess",),
                "a public registry cannot have exports disabled (Azure refuses it): keep "
                "publicNetworkAccess false, or also set exportEnabled true (a waived weakening)",
            )
        return self


class KeyVaultConfig(StrictModel):
    # premium keeps the etcd KMS key in an HSM.
    sku: Literal["standard", "premium"] = "standard"
    soft_delete_retention_days: int = Field(default=90, ge=7, le=90)
    # The toggles below weaken the baseline when flipped; each needs a waiver.
    purge_protection: bool = True
    rbac_authorization: bool = True
    public_network_access: bool = False


class MonitoringConfig(StrictModel):
    retention_days: int = Field(default=90, ge=30, le=730)
    daily_quota_gb: float | None = Field(default=None, gt=0)
    # Entra-only ingestion and query: no shared workspace keys to leak.
    local_auth: bool = False
    # Microsoft Sentinel on the workspace. Unset means: on for production environments.
    sentinel: bool | None = None
