"""A plan of N resources from a real one: copies of its graph, links kept within each copy.

Used by the benchmarks (bench/check_plan.py) and by the test that guards linear cost
(tests/policies/test_linear_cost.py). Each copy renames URNs (and the parent and dependency
links that point at them), so the copies are separate graphs of the same shape; the Azure
names inside the inputs stay as they are, so every copy names the same Azure resources,
the worst case for rules that link resources by name.
"""

from __future__ import annotations

import json
from typing import Any


def replicate(resources: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """`count` resources: copies of the graph whose URNs, parents and dependencies stay linked."""
    result: list[dict[str, Any]] = []
    copy_index = 0
    while len(result) < count:
        suffix = f"-r{copy_index}" if copy_index else ""

        def rename(urn: str | None, suffix: str = suffix) -> str | None:
            return f"{urn}{suffix}" if urn else urn

        for resource in resources:
            if len(result) == count:
                break
            clone = json.loads(json.dumps(resource))
            clone["urn"] = rename(clone["urn"])
            clone["name"] = f"{clone['name']}{suffix}"
            clone["parent"] = rename(clone.get("parent"))
            if clone.get("dependencies"):
                clone["dependencies"] = [rename(d) for d in clone["dependencies"]]
            if isinstance(clone.get("propertyDependencies"), dict):
                clone["propertyDependencies"] = {
                    key: [rename(d) for d in urns or ()]
                    for key, urns in clone["propertyDependencies"].items()
                }
            result.append(clone)
        copy_index += 1
    return result
