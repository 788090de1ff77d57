"""Turning a check function into a CrossGuard policy tied to one catalog control.

A resource check is `check(props, settings) -> iterable of messages`; a stack check is
`check(view, settings) -> iterable of (message, urn or None)`. The catalog entry supplies
the policy's name, description, remediation and the resource types it applies to, so the
catalog is the single place a control is described.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
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

from ..catalog import Control, load_catalog
from ..settings import CONFIG_SCHEMA, PolicySettings, settings_of
from .view import StackView

ResourceCheck = Callable[[Mapping[str, Any], PolicySettings], Iterable[str]]
TypedResourceCheck = Callable[[str, Mapping[str, Any], PolicySettings], Iterable[str]]
StackCheck = Callable[[StackView, PolicySettings], Iterable[tuple[str, str | None]]]
# What a stack check yields: (message, URN of the offending resource or None for the stack).
Findings = Iterator[tuple[str, str | None]]


@dataclass(frozen=True)
class Rule:
    """A policy object together with the control it enforces."""

    control: Control
    policy: Policy

    @property
    def is_stack(self) -> bool:
        return isinstance(self.policy, StackValidationPolicy)

    @property
    def resource_types(self) -> tuple[str, ...]:
        return self.control.target_types


def _metadata(control: Control) -> dict[str, Any]:
    return {
        "name": control.policy,
        "description": f"[{control.id}] {control.title}",
        "enforcement_level": EnforcementLevel(control.enforcement),
        "config_schema": CONFIG_SCHEMA,
        "display_name": control.id,
        "tags": [control.id, control.section, control.references.stage],
        "remediation_steps": control.remediation,
    }


def resource_rule(
    control_id: str, check: ResourceCheck | TypedResourceCheck, *, typed: bool = False
) -> Rule:
    """A ResourceValidationPolicy running `check` on the control's resource types.

    `typed=True` passes the resource type as the first argument, for checks whose reading
    of the properties depends on the kind (Kubernetes workloads).
    """
    control = load_catalog().get(control_id)
    if control.stack_level:
        raise ValueError(f"{control_id} is stack-level in the catalog; use stack_rule")

    applies: dict[str, bool] = {}

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        # Under CrossGuard every resource reaches every policy: filter by type here (the
        # answer per type is remembered: this runs for every resource of a plan).
        resource_type = args.resource_type
        applicable = applies.get(resource_type)
        if applicable is None:
            applicable = applies.setdefault(resource_type, control.applies_to(resource_type))
        if not applicable:
            return
        settings = settings_of(args)
        messages = (
            check(args.resource_type, args.props, settings)  # type: ignore[call-arg]
            if typed
            else check(args.props, settings)  # type: ignore[call-arg]
        )
        for message in messages:
            report_violation(message, None)

    return Rule(control, ResourceValidationPolicy(validate=validate, **_metadata(control)))


def stack_rule(control_id: str, check: StackCheck) -> Rule:
    """A StackValidationPolicy running `check` over all resources of the stack."""
    control = load_catalog().get(control_id)
    if not control.stack_level:
        raise ValueError(f"{control_id} is not stack-level in the catalog; use resource_rule")

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        view = _view_of(args.resources)
        for message, urn in check(view, settings_of(args)):
            report_violation(message, urn)

    return Rule(control, StackValidationPolicy(validate=validate, **_metadata(control)))


_last_view: tuple[Any, StackView] | None = None


def _view_of(resources: Any) -> StackView:
    """One StackView per resource list: every stack policy of a run shares its indexes."""
    global _last_view
    if _last_view is not None and _last_view[0] is resources:
        return _last_view[1]
    view = StackView(resources)
    _last_view = (resources, view)
    return view
