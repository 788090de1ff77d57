"""Every policy of the pack, one module per family, each tied to one catalog control."""

from __future__ import annotations

from ..catalog import load_catalog
from . import (
    aks,
    arc,
    delivery,
    detection,
    flux,
    governance,
    hazards,
    identity,
    keyvault,
    kubernetes,
    network,
    provider_schema,
    registry,
    state_access,
    subscription_governance,
    supply_chain,
    tenancy,
    waivers,
)
from .base import Rule

ALL_RULES: tuple[Rule, ...] = (
    *aks.RULES,
    *identity.RULES,
    *network.RULES,
    *registry.RULES,
    *keyvault.RULES,
    *governance.RULES,
    *subscription_governance.RULES,
    *kubernetes.RULES,
    *flux.RULES,
    *arc.RULES,
    *delivery.RULES,
    *state_access.RULES,
    *waivers.RULES,
    *provider_schema.RULES,
    *hazards.RULES,
    *detection.RULES,
    *supply_chain.RULES,
    *tenancy.RULES,
)


def _check_coverage() -> None:
    """Import-time guard: the catalog and the rules describe exactly the same controls."""
    ruled = [rule.control.id for rule in ALL_RULES]
    duplicates = sorted({c for c in ruled if ruled.count(c) > 1})
    missing = sorted(set(load_catalog().ids) - set(ruled))
    if duplicates or missing:
        raise RuntimeError(f"rules out of sync with catalog: missing {missing}, twice {duplicates}")


_check_coverage()

__all__ = ["ALL_RULES", "Rule"]
