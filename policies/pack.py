"""The CrossGuard view of the pack: the same policy objects, adjusted for one stack.

`build_policies(context)` returns the list `policies/__main__.py` hands to `PolicyPack`.
Each policy keeps its name and check, and gets the stack's enforcement level (catalog
default or the stack's override) and its waivers: a finding an active waiver covers is not
reported as a violation; an extra advisory policy lists every active waiver, so
`pulumi preview` shows them just as the offline reports do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .context import WAIVER_CONTROL, PolicyContext
from .rules import ALL_RULES, Rule
from .rules.analyzed import ANALYZED_INPUTS
from .settings import CONFIG_SCHEMA

PACK_NAME = "aks-platform-baseline"
WAIVER_LIST_POLICY = "waivers-in-force"


def build_policies(context: PolicyContext, rules: tuple[Rule, ...] = ALL_RULES) -> list[Policy]:
    policies: list[Policy] = [_for_stack(rule, context) for rule in rules]
    policies.append(_waiver_list(context))
    return policies


def initial_config(context: PolicyContext, policies: list[Policy]) -> dict[str, Any]:
    """Every policy receives the stack's settings as its CrossGuard configuration."""
    settings = context.policy_config()
    return {policy.name: dict(settings) for policy in policies}


def _for_stack(rule: Rule, context: PolicyContext) -> Policy:
    control = rule.control
    inner = rule.policy
    level = EnforcementLevel(context.enforcement_of(control))
    settings = context.policy_config()
    metadata = _metadata(inner, level)

    def filtered(report_violation: ReportViolation, default_urn: str | None) -> ReportViolation:
        def report(message: str, urn: str | None = None) -> None:
            waiver = context.waiver_for(control.id, urn or default_urn)
            if waiver is not None and not waiver.is_expired():
                return  # waived: listed by the waivers-in-force policy instead
            if waiver is not None:
                message += f" (waiver expired on {waiver.expires.isoformat()})"
            report_violation(message, urn)

        return report

    if isinstance(inner, StackValidationPolicy):

        def validate_stack(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            if not args.get_config():
                args = StackValidationArgs(args.resources, settings, args.stack_tags)
            inner.validate(args, filtered(report_violation, None))

        return StackValidationPolicy(validate=validate_stack, **metadata)

    def validate_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        # Every resource reaches every resource policy (Analyze) before the stack policies
        # run (AnalyzeStack): remember its inputs for them (rules/analyzed.py).
        ANALYZED_INPUTS.record(args.urn, args.props)
        if not args.get_config():
            args = ResourceValidationArgs(
                args.resource_type,
                args.props,
                args.urn,
                args.name,
                args.opts,
                args.provider,
                settings,
                args.stack_tags,
            )
        inner.validate(args, filtered(report_violation, args.urn))

    return ResourceValidationPolicy(validate=validate_resource, **metadata)


def _metadata(policy: Policy, level: EnforcementLevel) -> dict[str, Any]:
    return {
        "name": policy.name,
        "description": policy.description,
        "enforcement_level": level,
        "config_schema": CONFIG_SCHEMA,
        "display_name": policy.display_name,
        "tags": policy.tags,
        "remediation_steps": policy.remediation_steps,
    }


def _waiver_list(context: PolicyContext) -> Policy:
    def validate(_: StackValidationArgs, report_violation: ReportViolation) -> None:
        for waiver in context.waivers:
            if waiver.is_expired():
                continue  # reported as a mandatory violation by waivers-not-expired
            scope = f" on {waiver.resource}" if waiver.resource else ""
            report_violation(
                f"{waiver.control}{scope} is waived until {waiver.expires.isoformat()}: "
                f"{waiver.reason}",
                None,
            )

    return StackValidationPolicy(
        name=WAIVER_LIST_POLICY,
        description=f"[{WAIVER_CONTROL}] Waivers in force (listed for review, not violations)",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=CONFIG_SCHEMA,
        display_name=WAIVER_CONTROL,
        tags=[WAIVER_CONTROL, "Governance", "plan"],
        remediation_steps="Review each waiver before it expires; fix the finding or renew it.",
    )


def describe(policies: list[Policy]) -> Mapping[str, str]:
    """Policy name -> enforcement level, for tests and `--list` style output."""
    return {p.name: (p.enforcement_level or EnforcementLevel.ADVISORY).value for p in policies}


__all__ = ["PACK_NAME", "build_policies", "describe", "initial_config"]
