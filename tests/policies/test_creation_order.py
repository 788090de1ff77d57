"""The happens-before walk the hazard controls use (policies/rules/ordering.py)."""

from __future__ import annotations

import random
from itertools import pairwise
from typing import Any

import pytest

from policies.evaluator import policy_resources
from policies.rules.ordering import CreationOrder

TYPE = "test:index:Thing"


def plan(*entries: tuple[str, tuple[str, ...], str | None]) -> dict[str, Any]:
    """(name, dependencies, parent) entries -> {name: PolicyResource}, and the order."""
    raw = [
        {"urn": f"urn:{name}", "type": TYPE, "name": name, "inputs": {},
         "dependencies": [f"urn:{d}" for d in deps], "parent": f"urn:{parent}" if parent else None}
        for name, deps, parent in entries
    ]  # fmt: skip
    built = policy_resources(raw)
    return {"order": CreationOrder(built), **{r.name: r for r in built}}


def test_dependencies_order_transitively() -> None:
    p = plan(("a", (), None), ("b", ("a",), None), ("c", ("b",), None))
    assert p["order"].before(p["a"], p["c"])
    assert not p["order"].before(p["c"], p["a"])


def test_a_child_comes_after_its_parent_and_the_parents_dependencies() -> None:
    # The SDK registers a child once its parent's URN resolved, which is after the parent
    # (and so after what the parent waited for) finished.
    p = plan(("x", (), None), ("component", ("x",), None), ("child", (), "component"))
    assert p["order"].before(p["component"], p["child"])
    assert p["order"].before(p["x"], p["child"])


def test_siblings_under_one_parent_are_unordered() -> None:
    p = plan(("component", (), None), ("one", (), "component"), ("two", (), "component"))
    assert not p["order"].before(p["one"], p["two"])
    assert not p["order"].before(p["two"], p["one"])


def test_chain_breaks_name_the_unordered_neighbours() -> None:
    p = plan(("a", (), None), ("b", ("a",), None), ("c", ("a",), None), ("d", ("b", "c"), None))
    order = p["order"]
    assert order.chain_breaks([p["a"], p["b"], p["d"]]) == []
    breaks = order.chain_breaks([p["a"], p["b"], p["c"]])
    assert [(x.name, y.name) for x, y in breaks] == [("b", "c")]


def test_a_cycle_ends_the_walk() -> None:
    # A cycle is the engine's error to report; the walk terminates and never lists the
    # resource among its own predecessors.
    p = plan(("a", ("b",), None), ("b", ("a",), None))
    assert p["order"].earlier(p["a"]) == frozenset({"urn:b"})


# ---- the walks that keep nothing answer as the memoised sets did (issue 9: linear cost)


def _reference_breaks(order: CreationOrder, group: list[Any]) -> list[tuple[str, str]]:
    """chain_breaks as it was: ranks from earlier() sets, order from membership."""
    members = list(group)
    urns = {m.urn for m in members}
    rank = {m.urn: len(order.earlier(m) & urns) for m in members}
    members.sort(key=lambda m: (rank[m.urn], m.urn))
    return [(a.name, b.name) for a, b in pairwise(members) if a.urn not in order.earlier(b)]


# Small plans rank groups pair by pair, large groups (over CreationOrder.PAIRWISE_GROUP
# members) by one bitset pass: both are compared with the sets.
@pytest.mark.parametrize(
    ("seed", "size"), [(seed, 14) for seed in range(200)] + [(seed, 70) for seed in range(30)]
)
def test_walks_answer_as_the_predecessor_sets(seed: int, size: int) -> None:
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(1, size))]
    entries = []
    for name in names:
        candidates = [*names, "outside"]  # cycles and links out of the plan too
        deps = tuple(rng.sample(candidates, k=min(len(candidates), rng.randint(0, 3))))
        parent = rng.choice([None, None, *names])
        entries.append((name, deps, parent))
    p = plan(*entries)
    things = [p[name] for name in names]
    fresh = plan(*entries)  # a second order, so the reference's memo cannot help the walk
    for first in things:
        for then in things:
            expected = first.urn in fresh["order"].earlier(fresh[then.name])
            assert p["order"].before(first, then) == expected, (first.name, then.name)
    for _ in range(5):
        group = rng.sample(things, k=rng.randint(len(things) // 2 or 1, len(things)))
        breaks = [(a.name, b.name) for a, b in p["order"].chain_breaks(group)]
        reference = _reference_breaks(fresh["order"], [fresh[t.name] for t in group])
        assert breaks == reference


def test_a_long_chain_keeps_no_set_per_resource() -> None:
    # 3,000 resources each created after the previous one: one group, already a chain.
    names = [f"c{i:04d}" for i in range(3000)]
    p = plan(*((name, (names[i - 1],) if i else (), None) for i, name in enumerate(names)))
    order = p["order"]
    assert order.chain_breaks([p[name] for name in reversed(names)]) == []
    assert order.before(p[names[0]], p[names[-1]])
    assert order._earlier == {}  # nothing memoised per resource


@pytest.mark.parametrize("seed", range(60))
def test_after_any_answers_as_the_predecessor_sets(seed: int) -> None:
    """`after_any` (one memoised pass per test) agrees with a walk per resource, on acyclic
    plans (a cycle is the engine's error: there the answer is not an order)."""
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(1, 40))]
    entries = []
    for index, name in enumerate(names):
        earlier = [*names[:index], "outside"]
        deps = tuple(rng.sample(earlier, k=min(len(earlier), rng.randint(0, 3))))
        parent = rng.choice([None, None, *names[:index]])
        entries.append((name, deps, parent))
    marked = set(rng.sample(names, k=rng.randint(0, min(3, len(names)))))
    p = plan(*entries)
    fresh = plan(*entries)
    for name in rng.sample(names, k=len(names)):  # any order of questions
        before = fresh["order"].earlier(fresh[name])
        expected = any(f"urn:{m}" in before for m in marked)
        assert p["order"].after_any(p[name], "marked", lambda r: r.name in marked) == expected
