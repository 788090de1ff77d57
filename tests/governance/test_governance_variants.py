"""Governance follows the stack config: each setting changes exactly what it should."""

from __future__ import annotations

from typing import Any

import pytest
from gov_support import (
    ACTIVITY_LOG,
    BASELINE,
    EXTERNAL_IPS,
    NO_PRIVILEGED,
    PRICING,
    RESTRICTED,
    SENTINEL,
    assignments_by_definition,
    governance_setting,
    of_type,
    parameter,
    run_variant,
    variant_config,
)

from components.config import ConfigError

DEV_SUBSCRIPTION = "00000000-0000-0000-0000-00000000b001"


def _tuned_dev(raw: dict[str, Any]) -> None:
    """Every governance knob of a non-production stack turned at once (one engine run)."""
    governance = governance_setting(raw)
    governance["ownsSubscriptionResources"] = True
    governance["defender"] = {
        "extraPlans": ["VirtualMachines", "Containers", "StorageAccounts"],
        "containers": {"sensor": False},
    }
    governance["policy"] = {
        "scope": "subscription",
        "enforcementMode": "DoNotEnforce",
        "podSecurityStandard": "restricted",
        "excludedNamespaces": ["kube-system", "gatekeeper-system", "ingress"],
        "allowedExternalIps": ["203.0.113.8/32", "198.51.100.4/30"],
    }
    raw["platform:monitoring"]["sentinel"] = True


@pytest.fixture(scope="module")
def tuned() -> Any:
    return run_variant("dev", variant_config("dev", _tuned_dev))


def test_enforcement_mode_and_scope_follow_config_outside_production(tuned: Any) -> None:
    assignments = assignments_by_definition(tuned)
    assert assignments
    for assignment in assignments.values():
        assert assignment["enforcementMode"] == "DoNotEnforce"
        assert assignment["scope"] == f"/subscriptions/{DEV_SUBSCRIPTION}"


def test_pod_security_standard_and_exclusions_follow_config(tuned: Any) -> None:
    assignments = assignments_by_definition(tuned)
    assert RESTRICTED in assignments and BASELINE not in assignments
    for guid in (RESTRICTED, NO_PRIVILEGED):
        assert parameter(assignments[guid], "excludedNamespaces") == [
            "kube-system", "gatekeeper-system", "ingress",
        ]  # fmt: skip


def test_external_ip_ranges_become_exact_addresses(tuned: Any) -> None:
    assert parameter(assignments_by_definition(tuned)[EXTERNAL_IPS], "allowedExternalIPs") == [
        "198.51.100.4", "198.51.100.5", "198.51.100.6", "198.51.100.7", "203.0.113.8",
    ]  # fmt: skip


def test_owning_stack_declares_extra_plans_once_and_extension_switches(tuned: Any) -> None:
    pricings = [p["inputs"] for p in of_type(tuned, PRICING)]
    names = [p["pricingName"] for p in pricings]
    assert sorted(names) == ["Arm", "Containers", "KeyVaults", "StorageAccounts", "VirtualMachines"]
    assert all(p["pricingTier"] == "Standard" for p in pricings)
    (containers,) = [p for p in pricings if p["pricingName"] == "Containers"]
    assert {"name": "ContainerSensor", "isEnabled": "False"} in containers["extensions"]
    assert {"name": "AgentlessDiscoveryForKubernetes", "isEnabled": "True"} in containers[
        "extensions"
    ]
    assert len(of_type(tuned, ACTIVITY_LOG)) == 1


def test_sentinel_can_be_switched_on_outside_production(tuned: Any) -> None:
    (sentinel,) = of_type(tuned, SENTINEL)
    assert sentinel["inputs"]["workspaceName"] == "log-plat-dev"


def test_sentinel_off_in_production_removes_onboarding() -> None:
    def sentinel_off(raw: dict[str, Any]) -> None:
        raw["platform:monitoring"]["sentinel"] = False

    # The component obeys; the pack (MON-SEN-01) then demands a waiver, see the policy tests.
    assert of_type(run_variant("prod", variant_config("prod", sentinel_off)), SENTINEL) == []


def test_production_refuses_do_not_enforce() -> None:
    def audit_only(raw: dict[str, Any]) -> None:
        governance_setting(raw)["policy"] = {"enforcementMode": "DoNotEnforce"}

    with pytest.raises(
        ConfigError, match=r"enforcementMode: production enforces.*expected Default"
    ):
        run_variant("prod", variant_config("prod", audit_only))


def test_external_ip_range_too_wide_is_refused() -> None:
    def wide(raw: dict[str, Any]) -> None:
        governance_setting(raw)["policy"] = {"allowedExternalIps": ["10.0.0.0/16"]}

    with pytest.raises(ConfigError, match=r"allowedExternalIps: 10\.0\.0\.0/16 holds 65536"):
        run_variant("dev", variant_config("dev", wide))
