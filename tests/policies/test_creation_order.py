"""The happens-before walk the hazard controls use (policies/rules/ordering.py)."""

from __future__ import annotations

from typing import Any

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
