"""The pack's cost grows linearly with the plan: a guard against a quadratic rule.

No timing (the suite never times anything; speed figures live in `make bench`): the
evaluator runs over a plan of N and of 4N resources (copies of the prod graph, which all
name the same Azure resources: the worst case for rules that link by name; once more with
the dependency links removed, so that every link is made by name) and the test
counts the work done, as Python function calls and resumptions, which is deterministic.
Linear work grows 4x (a little less: set-up is shared); a rule that compares every
resource with every other grows 16x and fails here long before a user notices.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from support import offline_run

from bench.replicate import replicate
from policies.context import PolicyContext
from policies.evaluator import evaluate

COPIES = 2  # of the prod graph (150 resources): N = 300, 4N = 1,200
# Linear growth is 4x; the bound leaves room for noise-free but uneven shapes (a partial
# last copy), while a quadratic term of a few percent at N already exceeds it.
MAX_GROWTH = 4.4


def _calls(run: Callable[[], Any]) -> int:
    """Function calls (Python and built-in) made while `run` runs."""
    count = 0

    def counter(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(counter)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count


def _names_only(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan without its dependency links: every link is then made by name."""
    return [
        {k: v for k, v in r.items() if k not in ("dependencies", "propertyDependencies")}
        for r in resources
    ]


@pytest.mark.parametrize(
    ("preview", "by_name"),
    [(False, False), (True, False), (False, True)],
    ids=["plan", "preview", "names-only"],
)
def test_evaluation_cost_grows_linearly_with_resources(preview: bool, by_name: bool) -> None:
    shipped = offline_run("prod", preview=preview)
    context = PolicyContext.for_stack("prod")
    per_copy = len(shipped.resources)
    small = replicate(shipped.resources, COPIES * per_copy)
    large = replicate(shipped.resources, 4 * COPIES * per_copy)
    if by_name:
        small, large = _names_only(small), _names_only(large)
    evaluate(small, context)  # warm caches (schemas, catalog) outside the counts
    small_calls = _calls(lambda: evaluate(small, context))
    large_calls = _calls(lambda: evaluate(large, context))
    growth = large_calls / small_calls
    assert growth <= MAX_GROWTH, (
        f"4x the resources cost {growth:.2f}x the work ({small_calls:,} -> {large_calls:,} "
        "calls): a policy is not linear (see StackView's cost notes in policies/rules/view.py)"
    )
    assert growth >= 3.0, f"suspiciously flat growth {growth:.2f}x: is the plan evaluated?"


def _chained_credentials(count: int) -> list[dict[str, Any]]:
    """One identity and `count` federated credentials, each created after the previous one
    (the order Microsoft Entra requires): the longest chain a plan can hold."""
    identity = "azure-native:managedidentity:UserAssignedIdentity"
    credential = "azure-native:managedidentity:FederatedIdentityCredential"
    owner = f"urn:pulumi:dev::p::{identity}::id"
    resources: list[dict[str, Any]] = [
        {"urn": owner, "type": identity, "name": "id", "inputs": {"resourceName": "id-1"}}
    ]
    previous: list[str] = []
    for index in range(count):
        urn = f"urn:pulumi:dev::p::{credential}::c{index}"
        resources.append(
            {
                "urn": urn,
                "type": credential,
                "name": f"c{index}",
                "inputs": {
                    "resourceName": "id-1",
                    "federatedIdentityCredentialResourceName": f"credential-{index}",
                    "issuer": "https://token.actions.githubusercontent.com",
                    "subject": f"repo:contoso/platform:environment:e{index}",
                    "audiences": ["api://AzureADTokenExchange"],
                },
                "dependencies": [owner, *previous],
            }
        )
        previous = [urn]
    return resources


def test_a_chain_of_dependent_resources_costs_linear_work() -> None:
    """The creation order of a long chain (hazard controls) is walked, not memoised per
    resource: a chain of 4N credentials costs 4x the work of N, not 16x."""
    context = PolicyContext.for_stack("dev")
    small, large = _chained_credentials(300), _chained_credentials(1200)
    evaluate(small, context)
    growth = _calls(lambda: evaluate(large, context)) / _calls(lambda: evaluate(small, context))
    assert 3.0 <= growth <= MAX_GROWTH, f"4x the chain cost {growth:.2f}x the work"
