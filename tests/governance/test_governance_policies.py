"""The policy pack over the governance resources: the shipped stacks pass, and every way of
dropping or weakening a plan, an assignment, Sentinel or the activity log is caught.

Mutations are applied to the recorded plan of a shipped stack (one engine run per stack),
then the whole pack is evaluated exactly as `bootstrap plan` does.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from gov_support import (
    ACTIVITY_LOG,
    AKS_DEFENDER_PROFILE,
    AKS_POLICY_ADDON,
    ALLOWED_IMAGES,
    ARC_DEFENDER_EXTENSION,
    ARC_POLICY_EXTENSION,
    ASSIGNMENT,
    EXTERNAL_IPS,
    HTTPS_ONLY,
    NO_PRIVILEGED,
    POD_SECURITY,
    PRICING,
    SENTINEL,
    SHIPPED,
    governance_setting,
    run_variant,
    shipped_run,
    shipped_stack,
    validated,
    variant_config,
)

from policies.context import PolicyContext
from policies.evaluator import evaluate

GOVERNANCE_CONTROLS = (
    "GOV-DEF-01", "GOV-DEF-02", "GOV-POL-01", "GOV-POL-02", "GOV-POL-03", "GOV-POL-04",
    "GOV-POL-05", "GOV-POL-06", "GOV-POL-07", "MON-SEN-01", "MON-ACT-01",
)  # fmt: skip
OWNERS = ("staging", "prod")
WITH_ARC = ("staging", "prod")
SENTINEL_REQUIRED = ("prod",)

Resources = list[dict[str, Any]]


@functools.cache
def _context(stack: str) -> PolicyContext:
    loaded = shipped_stack(stack)
    return PolicyContext.from_config(loaded.config, stack_file=loaded.path)


def _failures(resources: Resources, context: PolicyContext) -> dict[str, list[dict[str, Any]]]:
    failed: dict[str, list[dict[str, Any]]] = {}
    for result in evaluate(resources, context):
        if result["status"] == "fail":
            failed.setdefault(result["controls"][0], []).append(result)
    return failed


@functools.cache
def _baseline_failures(stack: str) -> dict[str, list[dict[str, Any]]]:
    return _failures(shipped_run(stack).resources, _context(stack))


# ---- finding the resources a mutation changes


def _assignment(guid: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["type"] == ASSIGNMENT and r["inputs"]["policyDefinitionId"].endswith(guid)


def _plan(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["type"] == PRICING and r["inputs"]["pricingName"] == name


def _of_type(token: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["type"] == token


def _pod_security(resource: dict[str, Any]) -> bool:
    return any(_assignment(guid)(resource) for guid in POD_SECURITY)


# ---- the mutations


def remove(*matches: Callable[[dict[str, Any]], bool]) -> Callable[[Resources], int]:
    def mutate(resources: Resources) -> int:
        kept = [r for r in resources if not any(match(r) for match in matches)]
        removed = len(resources) - len(kept)
        resources[:] = kept
        return removed

    return mutate


def change(
    match: Callable[[dict[str, Any]], bool], edit: Callable[[dict[str, Any]], None]
) -> Callable[[Resources], int]:
    def mutate(resources: Resources) -> int:
        targets = [r for r in resources if match(r)]
        for target in targets:
            edit(target["inputs"])
        return len(targets)

    return mutate


def add_copy(
    match: Callable[[dict[str, Any]], bool], edit: Callable[[dict[str, Any]], None]
) -> Callable[[Resources], int]:
    """Adds an edited copy of each matching resource (a second, different declaration)."""

    def mutate(resources: Resources) -> int:
        copies = [copy.deepcopy(r) for r in resources if match(r)]
        for duplicate in copies:
            duplicate["urn"] += "-copy"
            edit(duplicate["inputs"])
        resources.extend(copies)
        return len(copies)

    return mutate


def _set_param(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(inputs: dict[str, Any]) -> None:
        inputs["parameters"][name] = {"value": value}

    return edit


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(inputs: dict[str, Any]) -> None:
        inputs[key] = value

    return edit


def _extension(name: str, enabled: str | None) -> Callable[[dict[str, Any]], None]:
    def edit(inputs: dict[str, Any]) -> None:
        extensions = [e for e in inputs["extensions"] if e["name"] != name]
        if enabled is not None:
            extensions.append({"name": name, "isEnabled": enabled})
        inputs["extensions"] = extensions

    return edit


def _drop_log_category(category: str) -> Callable[[dict[str, Any]], None]:
    def edit(inputs: dict[str, Any]) -> None:
        inputs["logs"] = [log for log in inputs["logs"] if log["category"] != category]

    return edit


def _restricted_to_baseline(inputs: dict[str, Any]) -> None:
    inputs["policyDefinitionId"] = inputs["policyDefinitionId"].replace(*POD_SECURITY)
    for name in ("allowedCapabilities", "requiredDropCapabilities"):
        inputs["parameters"].pop(name)


@dataclass(frozen=True)
class Mutation:
    name: str
    stacks: tuple[str, ...]
    apply: Callable[[Resources], int]
    caught_by: str


MUTATIONS = [
    # Defender plans (declared by the owning stack only).
    Mutation("remove Containers plan", OWNERS, remove(_plan("Containers")), "GOV-DEF-01"),
    Mutation("remove KeyVaults plan", OWNERS, remove(_plan("KeyVaults")), "GOV-DEF-01"),
    Mutation("remove Arm plan", OWNERS, remove(_plan("Arm")), "GOV-DEF-01"),
    Mutation("remove every plan", OWNERS, remove(_of_type(PRICING)), "GOV-DEF-01"),
    Mutation("Containers on Free", OWNERS,
             change(_plan("Containers"), _set("pricingTier", "Free")), "GOV-DEF-01"),
    Mutation("KeyVaults on Free", OWNERS,
             change(_plan("KeyVaults"), _set("pricingTier", "Free")), "GOV-DEF-01"),
    Mutation("sensor disabled", OWNERS,
             change(_plan("Containers"), _extension("ContainerSensor", "False")), "GOV-DEF-02"),
    Mutation("registry scanning dropped", OWNERS,
             change(_plan("Containers"),
                    _extension("ContainerRegistriesVulnerabilityAssessments", None)),
             "GOV-DEF-02"),
    Mutation("agentless discovery disabled", OWNERS,
             change(_plan("Containers"),
                    _extension("AgentlessDiscoveryForKubernetes", "False")),
             "GOV-DEF-02"),
    Mutation("deprecated plan added", OWNERS,
             add_copy(_plan("KeyVaults"), _set("pricingName", "KubernetesService")),
             "GOV-DEF-02"),
    # Azure Policy assignments (every stack).
    Mutation("remove pod security", SHIPPED, remove(_pod_security), "GOV-POL-01"),
    Mutation("production on baseline", ("prod",),
             change(_assignment(POD_SECURITY[0]), _restricted_to_baseline), "GOV-POL-01"),
    Mutation("remove allowed images", SHIPPED, remove(_assignment(ALLOWED_IMAGES)), "GOV-POL-02"),
    Mutation("allowed images unanchored", SHIPPED,
             change(_assignment(ALLOWED_IMAGES), _set_param("allowedContainerImagesRegex", ".*")),
             "GOV-POL-02"),
    # The pod security initiatives deny privileged containers too, so only removing both
    # leaves privileged containers admitted.
    Mutation("remove no-privileged and pod security", SHIPPED,
             remove(_assignment(NO_PRIVILEGED), _pod_security), "GOV-POL-03"),
    Mutation("remove HTTPS-only ingress", SHIPPED, remove(_assignment(HTTPS_ONLY)), "GOV-POL-04"),
    Mutation("remove external IPs", SHIPPED, remove(_assignment(EXTERNAL_IPS)), "GOV-POL-05"),
    Mutation("allowed images audit only", SHIPPED,
             change(_assignment(ALLOWED_IMAGES), _set_param("effect", "Audit")), "GOV-POL-06"),
    Mutation("pod security effect dropped (defaults to Audit)", SHIPPED,
             change(_pod_security, lambda inputs: inputs["parameters"].pop("effect")),
             "GOV-POL-06"),
    Mutation("no-privileged DoNotEnforce", SHIPPED,
             change(_assignment(NO_PRIVILEGED), _set("enforcementMode", "DoNotEnforce")),
             "GOV-POL-06"),
    Mutation("remove AKS policy add-on audit", SHIPPED,
             remove(_assignment(AKS_POLICY_ADDON)), "GOV-POL-07"),
    Mutation("remove AKS Defender profile audit", SHIPPED,
             remove(_assignment(AKS_DEFENDER_PROFILE)), "GOV-POL-07"),
    Mutation("AKS Defender profile audit disabled", SHIPPED,
             change(_assignment(AKS_DEFENDER_PROFILE), _set_param("effect", "Disabled")),
             "GOV-POL-07"),
    Mutation("remove Arc policy extension audit", WITH_ARC,
             remove(_assignment(ARC_POLICY_EXTENSION)), "GOV-POL-07"),
    Mutation("remove Arc Defender extension audit", WITH_ARC,
             remove(_assignment(ARC_DEFENDER_EXTENSION)), "GOV-POL-07"),
    # Sentinel and the activity log.
    Mutation("remove Sentinel", SENTINEL_REQUIRED, remove(_of_type(SENTINEL)), "MON-SEN-01"),
    Mutation("remove activity log export", OWNERS, remove(_of_type(ACTIVITY_LOG)), "MON-ACT-01"),
    Mutation("activity log without Security", OWNERS,
             change(_of_type(ACTIVITY_LOG), _drop_log_category("Security")), "MON-ACT-01"),
    Mutation("activity log to a storage account only", OWNERS,
             change(_of_type(ACTIVITY_LOG), _set("workspaceId", None)), "MON-ACT-01"),
]  # fmt: skip

CASES = [
    pytest.param(mutation, stack, id=f"{stack}: {mutation.name}")
    for mutation in MUTATIONS
    for stack in mutation.stacks
]


@pytest.mark.parametrize("stack", SHIPPED)
def test_shipped_stacks_pass_every_governance_control(stack: str) -> None:
    failed = _baseline_failures(stack)
    assert not {c: failed[c] for c in GOVERNANCE_CONTROLS if c in failed}


@pytest.mark.parametrize(("mutation", "stack"), CASES)
def test_dropping_or_weakening_governance_is_caught(mutation: Mutation, stack: str) -> None:
    resources = copy.deepcopy(shipped_run(stack).resources)
    assert mutation.apply(resources) > 0, "the mutation must change the plan"
    failed = _failures(resources, _context(stack))
    assert mutation.caught_by in failed, f"{mutation.name} not caught: {sorted(failed)}"
    assert all(r["enforcement"] == "mandatory" for r in failed[mutation.caught_by])


def test_every_governance_control_is_exercised_by_a_mutation() -> None:
    assert {m.caught_by for m in MUTATIONS} == set(GOVERNANCE_CONTROLS)


def test_a_stack_that_does_not_own_its_subscription_needs_no_plans() -> None:
    # dev shares staging's subscription: no plans and no activity log, and no finding.
    run = shipped_run("dev")
    assert not [r for r in run.resources if r["type"] in (PRICING, ACTIVITY_LOG)]
    assert not {"GOV-DEF-01", "MON-ACT-01"} & set(_baseline_failures("dev"))


def test_weakening_through_config_is_caught() -> None:
    """The settings a stack may change still need a waiver: the pack flags the result."""

    def weakened(raw: dict[str, Any]) -> None:
        governance = governance_setting(raw)
        governance["ownsSubscriptionResources"] = True
        governance["defender"] = {"containers": {"sensor": False}}
        governance["policy"] = {"enforcementMode": "DoNotEnforce"}

    raw = variant_config("dev", weakened)
    context = PolicyContext.from_config(validated("dev", raw))
    failed = _failures(run_variant("dev", raw).resources, context)
    assert "GOV-DEF-02" in failed
    assert "GOV-POL-06" in failed


def test_sentinel_switched_off_in_production_is_caught_unless_waived() -> None:
    def sentinel_off(raw: dict[str, Any]) -> None:
        raw["platform:monitoring"]["sentinel"] = False

    raw = variant_config("prod", sentinel_off)
    resources = run_variant("prod", raw).resources
    failed = _failures(resources, PolicyContext.from_config(validated("prod", raw)))
    assert "MON-SEN-01" in failed

    def waived(raw: dict[str, Any]) -> None:
        sentinel_off(raw)
        raw["platform:waivers"] = [
            {"control": "MON-SEN-01", "reason": "SIEM runs in the group SOC tenant",
             "expires": (dt.date.today() + dt.timedelta(days=90)).isoformat()},
        ]  # fmt: skip

    raw = variant_config("prod", waived)
    results = evaluate(resources, PolicyContext.from_config(validated("prod", raw)))
    findings = [
        r
        for r in results
        if r["controls"] == ["MON-SEN-01"] and r["status"] != "pass" and r.get("kind") != "waiver"
    ]
    assert findings and all(r["status"] == "waived" for r in findings)
