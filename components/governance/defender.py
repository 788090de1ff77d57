"""Microsoft Defender for Cloud plans of the subscription (declared by its owning stack only).

Defender for Containers scans the registry's images, watches the clusters' runtime and
audits their configuration; Defender for Key Vault flags unusual access to the vault;
Defender for Resource Manager flags suspicious control-plane operations. A plan is a
subscription-wide setting, so exactly one stack per subscription declares it: two stacks
declaring the same plan would overwrite each other on every `pulumi up`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import security

from components.config import PlatformConfig

from . import definitions as d


@dataclass(frozen=True)
class DefenderPlan:
    name: str
    extensions: tuple[tuple[str, bool], ...] = ()


def defender_plans(config: PlatformConfig) -> list[DefenderPlan]:
    """The plans the subscription runs at Standard: the baseline, then the configured extras."""
    containers = config.governance.defender.containers
    plans = [
        DefenderPlan(
            "Containers",
            (
                # Finds every cluster (AKS, and Arc-connected ones) without an agent, so
                # posture findings cover clusters the sensor has not reached yet.
                (d.EXT_AGENTLESS_DISCOVERY, containers.agentless_discovery),
                # Scans every image pushed to the platform registry for known CVEs.
                (
                    d.EXT_REGISTRY_VULNERABILITY_ASSESSMENT,
                    containers.registry_vulnerability_assessment,
                ),
                # Runtime threat detection on the nodes (the Defender sensor DaemonSet).
                (d.EXT_CONTAINER_SENSOR, containers.sensor),
            ),
        ),
        DefenderPlan("KeyVaults"),
        DefenderPlan("Arm"),
    ]
    declared = {plan.name for plan in plans}
    for extra in config.governance.defender.extra_plans:
        if extra not in declared and extra not in d.DEPRECATED_PLANS:
            plans.append(DefenderPlan(extra))
            declared.add(extra)
    return plans


def subscription_scope(config: PlatformConfig) -> str:
    return f"/subscriptions/{config.subscription_id}"


@dataclass(frozen=True)
class DefenderPlansArgs:
    config: PlatformConfig


class DefenderPlans(pulumi.ComponentResource):
    """One `Microsoft.Security/pricings` resource per plan, all at the Standard tier."""

    def __init__(
        self, name: str, args: DefenderPlansArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:governance:DefenderPlans", name, None, opts)
        scope = subscription_scope(args.config)
        self.pricings: dict[str, security.Pricing] = {}
        for plan in defender_plans(args.config):
            self.pricings[plan.name] = security.Pricing(
                f"{name}-{plan.name.lower()}",
                pricing_name=plan.name,
                scope_id=scope,
                # Free is posture only; Standard is what turns on scanning and detection.
                pricing_tier=d.STANDARD_TIER,
                extensions=[
                    security.ExtensionArgs(name=ext, is_enabled="True" if on else "False")
                    for ext, on in plan.extensions
                ]
                or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs(
            {"plans": {plan: pricing.id for plan, pricing in self.pricings.items()}}
        )
