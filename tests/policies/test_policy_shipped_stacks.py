"""The shipped stacks under the real Pulumi program (offline engine) and the policy pack.

Zero mandatory violations is the product's promise for dev, staging and prod. A variant of
a shipped stack that weakens a control must be caught, and a waiver must turn exactly that
finding into "waived" - through the whole chain: stack file, program, plan, policies.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from support import (
    SHIPPED_STACKS,
    STACK_DIR,
    offline_run,
    run_raw_config,
    shipped_raw_config,
)

from policies.context import PolicyContext
from policies.evaluator import evaluate, summarize

STACK_TYPE = "pulumi:pulumi:Stack"


def plan_resources(run: Any) -> list[dict[str, Any]]:
    """The run's resources with the stack outputs on the Stack resource (as in a plan file)."""
    resources = copy.deepcopy(run.resources)
    for resource in resources:
        if resource["type"] == STACK_TYPE:
            resource["outputs"] = copy.deepcopy(run.outputs)
    return resources


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stack_has_no_mandatory_violation(stack: str) -> None:
    resources = plan_resources(offline_run(stack))
    results = evaluate(resources, PolicyContext.for_stack(stack, STACK_DIR))
    blocking = [
        f"{r['controls']} {r['urn']}: {r['message']}"
        for r in results
        if r["status"] == "fail" and r["enforcement"] == "mandatory"
    ]
    assert blocking == []
    summary = summarize(resources, results)
    assert summary["unknown"] == 0
    # The Azure baseline really was evaluated, not skipped for lack of resources.
    for control in (
        "AKS-ID-02",
        "AKS-CLU-05",
        "ACR-REG-06",
        "MON-DIA-01",
        "FLX-CLU-01",
        "IAM-ID-04",
    ):
        assert summary["controls"].get(control, {}).get("checked", 0) >= 1, control


def _weakened(stack: str, waive: bool) -> dict[str, Any]:
    raw = copy.deepcopy(shipped_raw_config(stack))
    raw["platform:clusters"][0]["localAccounts"] = True
    if waive:
        expires = (dt.date.today() + dt.timedelta(days=14)).isoformat()
        raw.setdefault("platform:waivers", []).append(
            {
                "control": "AKS-ID-02",
                "reason": "break-glass until Entra groups sync",
                "expires": expires,
            }
        )
    return raw


def _context(stack: str, raw: dict[str, Any]) -> PolicyContext:
    from components.config.loader import validate

    values = {k.partition(":")[2]: v for k, v in raw.items() if k.startswith("platform:")}
    config = validate(values, STACK_DIR / f"Pulumi.{stack}.yaml", stack)
    return PolicyContext.from_config(config)


@pytest.mark.parametrize("waive", [False, True], ids=["unwaived", "waived"])
def test_weakened_shipped_stack(waive: bool) -> None:
    raw = _weakened("dev", waive)
    run = run_raw_config("dev", raw)
    results = evaluate(plan_resources(run), _context("dev", raw))
    findings = [
        r
        for r in results
        if r["controls"] == ["AKS-ID-02"] and r.get("kind") is None and r["status"] != "pass"
    ]
    assert [r["status"] for r in findings] == (["waived"] if waive else ["fail"])
    assert findings[0]["urn"].endswith("::dev1-aks")
    waivers = [r for r in results if r.get("kind") == "waiver"]
    assert len(waivers) == (1 if waive else 0)
