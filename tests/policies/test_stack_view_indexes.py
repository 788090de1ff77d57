"""StackView's indexes and referrer helpers answer exactly as the nested loops they replace.

The helpers (policies/rules/view.py) compute per name group once and merge with each
target's dependents; a brute-force loop over every candidate, in `of_type` order, is the
reference. Random small plans (fixed seeds) with colliding names, several names per
target, dependencies both ways and tests that pass, fail or raise cover the cases a
shipped plan never shows: the first error in loop order wins, a later referrer's key
overwrites an earlier one's, a match found in one name group before another.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from policies.evaluator import policy_resources
from policies.rules.analyzed import ANALYZED_INPUTS
from policies.rules.view import StackView

TARGET = "test:index:Target"
REFERRER = "test:index:Referrer"
OTHER = "test:index:Other"
NAMES = ("a", "b", "c")


class Raised(Exception):
    pass


def key_of(view: StackView, resource: PolicyResource) -> str | None:
    return resource.props.get("points") or None


def verdict(view: StackView, resource: PolicyResource) -> bool:
    outcome = resource.props.get("outcome")
    if outcome == "raise":
        raise Raised(resource.urn)
    return outcome == "yes"


def values(view: StackView, resource: PolicyResource) -> list[str]:
    if resource.props.get("outcome") == "raise":
        raise Raised(resource.urn)
    return [resource.props.get("value")]


def pairs(view: StackView, resource: PolicyResource) -> list[tuple[str, str]]:
    if resource.props.get("outcome") == "raise":
        raise Raised(resource.urn)
    return [(resource.props.get("value"), resource.urn)]


def _plan(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    entries: list[dict[str, Any]] = []
    for index in range(rng.randint(1, 12)):
        kind = rng.choice((TARGET, REFERRER, REFERRER, OTHER))
        urn = f"urn:pulumi:s::p::{kind}::r{index}"
        inputs = {
            "points": rng.choice((*NAMES, "")),
            "outcome": rng.choice(("yes", "no", "no", "raise")),
            "value": rng.choice(("v1", "v2", "v3")),
        }
        earlier = [e["urn"] for e in entries]
        dependencies = rng.sample(earlier, k=min(len(earlier), rng.randint(0, 3)))
        entries.append({"urn": urn, "type": kind, "inputs": inputs, "dependencies": dependencies})
    rng.shuffle(entries)  # dependencies may point forward as well
    return entries


def _outcome(compute: Any) -> Any:
    try:
        return ("value", compute())
    except Raised as raised:
        return ("raised", str(raised))


def _loop(view: StackView, target: PolicyResource, names: list[str]) -> list[PolicyResource]:
    return [
        r for r in view.of_type(REFERRER) if view.depends_on(r, target) or key_of(view, r) in names
    ]


def _loop_map(view: StackView, found: list[PolicyResource]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for resource in found:
        for key, value in pairs(view, resource):
            merged[key] = value
    return merged


@pytest.mark.parametrize("seed", range(300))
def test_helpers_answer_as_the_loops(seed: int) -> None:
    entries = _plan(seed)
    built = policy_resources(entries)
    ANALYZED_INPUTS.replace({r.urn: r.props for r in built})
    rng = random.Random(seed)
    view = StackView(built)
    for target in view.of_type(TARGET):
        names = rng.sample(NAMES, k=rng.randint(0, 2))
        found = _loop(view, target, names)
        assert view.referrers(target, REFERRER, by=key_of, names=names) == found
        assert view.dependents(target, REFERRER) == [
            r for r in view.of_type(REFERRER) if view.depends_on(r, target)
        ]
        expected_any = _outcome(lambda found=found: any(verdict(view, r) for r in found))
        actual_any = _outcome(
            lambda target=target, names=names: view.any_referrer(
                target, REFERRER, verdict, by=key_of, names=names
            )
        )
        assert actual_any == expected_any
        expected_union = _outcome(lambda found=found: {v for r in found for v in values(view, r)})
        actual_union = _outcome(
            lambda target=target, names=names: view.referrer_values(
                target, REFERRER, values, by=key_of, names=names
            )
        )
        assert actual_union == expected_union
        expected_map = _outcome(lambda found=found: _loop_map(view, found))
        actual_map = _outcome(
            lambda target=target, names=names: view.referrer_map(
                target, REFERRER, pairs, by=key_of, names=names
            )
        )
        assert actual_map == expected_map


def test_a_function_made_per_call_is_refused() -> None:
    """Results are memoized by function: a lambda would be a new key on every call."""
    built = policy_resources([{"urn": "urn:pulumi:s::p::a:b:C::x", "type": TARGET}])
    view = StackView(built)
    with pytest.raises(TypeError, match="module-level"):
        view.keyed(lambda v, r: r.name, TARGET)
