"""Azure resource names, derived once from the config (Cloud Adoption Framework abbreviations).

Names are deterministic: the same stack always yields the same names, so the renderer, the
policies and `pulumi up` agree without passing names around. Globally unique names (ACR,
Key Vault) get a short suffix hashed from the subscription and environment.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from components.config import PlatformConfig

WORKLOAD = "plat"
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("0b0e6f0c-3f55-4d8e-9a3c-5b8e6c2f4a11")


@dataclass(frozen=True)
class Naming:
    environment: str
    suffix: str

    @classmethod
    def for_config(cls, config: PlatformConfig) -> Naming:
        digest = hashlib.sha256(f"{config.subscription_id}/{config.environment}".encode())
        return cls(environment=config.environment, suffix=digest.hexdigest()[:6])

    @property
    def resource_group(self) -> str:
        return f"rg-{WORKLOAD}-{self.environment}"

    @property
    def workspace(self) -> str:
        return f"log-{WORKLOAD}-{self.environment}"

    @property
    def registry(self) -> str:
        # Registry names are global, alphanumeric only, 5-50 characters.
        return f"acr{WORKLOAD}{self.environment}{self.suffix}"

    @property
    def registry_login_server(self) -> str:
        return f"{self.registry}.azurecr.io"

    @property
    def key_vault(self) -> str:
        # Vault names are global, 3-24 characters.
        return f"kv-{self.environment}-{self.suffix}"

    def tenant_key_vault(self, tenant: str) -> str:
        """Each Key Vault tenant has a vault of its own: no team can read another's secrets."""
        digest = hashlib.sha256(f"{self.suffix}/{tenant}".encode()).hexdigest()[:8]
        return f"kvt-{self.environment}-{digest}"

    @property
    def hub_vnet(self) -> str:
        return f"vnet-{WORKLOAD}-{self.environment}-hub"

    def cluster(self, cluster: str) -> str:
        return f"aks-{WORKLOAD}-{self.environment}-{cluster}"

    def arc_cluster(self, cluster: str) -> str:
        return f"arc-{WORKLOAD}-{self.environment}-{cluster}"

    def spoke_vnet(self, cluster: str) -> str:
        return f"vnet-{WORKLOAD}-{self.environment}-{cluster}"

    def identity(self, purpose: str) -> str:
        return f"id-{WORKLOAD}-{self.environment}-{purpose}"

    def role_assignment(self, *parts: str) -> str:
        """Role assignment names must be GUIDs; derive them so re-runs never duplicate."""
        return str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, "/".join((self.environment, *parts))))
