"""`platform:governance`: Defender plans, Azure Policy assignments and enforcement levels."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from .base import Cidr, DnsLabel, StrictModel

_CONTROL_ID = re.compile(r"^[A-Z]{2,4}-[A-Z]{2,4}-\d{2}$")


def _control_id(value: str) -> str:
    if not _CONTROL_ID.match(value):
        raise ValueError(f"'{value}' is not a control ID (expected e.g. AKS-ID-01)")
    return value


ControlId = Annotated[str, AfterValidator(_control_id)]

# Gatekeeper compares external IPs as exact strings, so CIDRs are expanded to addresses;
# wider ranges than this would balloon the constraint and are almost certainly a mistake.
MAX_EXTERNAL_IPS_PER_RANGE = 256

DefenderPlan = Literal[
    "Containers", "KeyVaults", "Arm", "VirtualMachines", "StorageAccounts", "SqlServers",
    "AppServices", "Dns", "OpenSourceRelationalDatabases", "CosmosDbs", "Api", "CloudPosture",
]  # fmt: skip


class ContainersPlanConfig(StrictModel):
    agentless_discovery: bool = True
    registry_vulnerability_assessment: bool = True
    sensor: bool = True


class DefenderConfig(StrictModel):
    # Plans beyond the baseline (Containers, KeyVaults, Arm are always Standard).
    extra_plans: list[DefenderPlan] = Field(default_factory=list)
    containers: ContainersPlanConfig = Field(default_factory=ContainersPlanConfig)


class PolicyAssignmentConfig(StrictModel):
    scope: Literal["resourceGroup", "subscription"] = "resourceGroup"
    # Unset means Default (deny) in production and in every other environment; set
    # DoNotEnforce explicitly to audit only.
    enforcement_mode: Literal["Default", "DoNotEnforce"] = "Default"
    # Unset means restricted in production, baseline elsewhere.
    pod_security_standard: Literal["baseline", "restricted"] | None = None
    excluded_namespaces: list[DnsLabel] = Field(
        default_factory=lambda: [
            "kube-system", "gatekeeper-system", "azure-arc", "flux-system",
            "calico-system", "tigera-operator",
            # Defender's Arc sensor runs privileged in mdc; Azure's own initiatives exclude
            # it and the extension usage namespace, or Deny would block them.
            "mdc", "azure-extensions-usage-system",
        ]
    )  # fmt: skip
    allowed_external_ips: list[Cidr] = Field(default_factory=list)

    @field_validator("allowed_external_ips")
    @classmethod
    def _narrow_ranges(cls, ranges: list[str]) -> list[str]:
        for cidr in ranges:
            size = ipaddress.IPv4Network(cidr).num_addresses
            if size > MAX_EXTERNAL_IPS_PER_RANGE:
                raise ValueError(
                    f"{cidr} holds {size} addresses (expected at most "
                    f"{MAX_EXTERNAL_IPS_PER_RANGE} per range, e.g. a /24 or narrower)"
                )
        return ranges


class GovernanceConfig(StrictModel):
    # Subscription-scoped resources (Defender plans, activity log export) exist once per
    # subscription: exactly one stack that shares the subscription owns them.
    owns_subscription_resources: bool = True
    # Entra ID tenant-wide resources (the diagnostic setting that sends sign-in and audit
    # logs to a workspace) exist once per tenant: exactly one stack of the tenant owns them.
    owns_tenant_resources: bool = True
    defender: DefenderConfig = Field(default_factory=DefenderConfig)
    policy: PolicyAssignmentConfig = Field(default_factory=PolicyAssignmentConfig)
    # Per-control enforcement overrides; production may only tighten (advisory -> mandatory).
    enforcement: dict[ControlId, Literal["mandatory", "advisory"]] = Field(default_factory=dict)
