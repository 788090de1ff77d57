"""Which resources Pulumi creates before which: the happens-before relation of a plan.

Pulumi's engine executes a registration as soon as it arrives; ordering is the language
host's job ("Pulumi language hosts can only invoke the resource monitor once all of their
dependencies have resolved", pulumi/pulumi pkg/resource/deploy/step_executor.go, the
stepExecutor comment). The Python SDK sends a RegisterResource only after

* every `depends_on` resource's URN has resolved, a local component standing for the
  children it has *at that moment* (sdk/python/lib/pulumi/runtime/rpc.py `_add_dependency`),
* every output it reads as an input has resolved (the plan's property dependencies),
* its parent's URN has resolved (sdk/python/lib/pulumi/runtime/resource.py
  `prepare_resource`: "Wait for our parent to resolve"),

and a URN resolves only when the engine answers that resource's RegisterResource, which
it does once the resource's step has finished (pkg/resource/deploy/source_eval.go, "Now
block waiting for the operation to finish"). The engine's own dependency graph counts the
parent likewise (pkg/resource/graph/dependency_graph.go: "the resource depends on it's
parent existing"). All at pulumi/pulumi 1b5949891b3cefcb9974752b24a5ecef0acc86c8.

So B is created after A exactly when A is reachable from B over `dependencies` and
`parent` links, transitively. The SDK records `dependencies` already expanded (a
component in depends_on becomes its custom children), which is what the offline plan, a
`pulumi preview --json` and CrossGuard's AnalyzeStack carry. Only URNs and links are
used: they are known at preview, when names and IDs may not be.

Walks start only from the resources a control asks about and are memoised per resource,
so a plan costs O(asked x (resources + links)), never a closure over all pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from .props import dig, is_list, text


class CreationOrder:
    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self._resources = {r.urn: r for r in resources}
        self._earlier: dict[str, frozenset[str]] = {}
        self._dependents: dict[str, list[PolicyResource]] | None = None

    def earlier(self, resource: PolicyResource) -> frozenset[str]:
        """The URNs of everything created before `resource`."""
        cached = self._earlier.get(resource.urn)
        if cached is not None:
            return cached
        seen: set[str] = set()
        pending = list(_links(resource))
        while pending:
            urn = pending.pop()
            if urn in seen:
                continue
            seen.add(urn)
            linked = self._resources.get(urn)
            if linked is not None:
                pending.extend(_links(linked))
        seen.discard(resource.urn)  # a cycle is the engine's error, not an order
        found = frozenset(seen)
        self._earlier[resource.urn] = found
        return found

    def before(self, first: PolicyResource, then: PolicyResource) -> bool:
        """`first` is created (and finished) before `then` starts."""
        return first.urn in self.earlier(then)

    def dependents(self, resource: PolicyResource, *types: str) -> list[PolicyResource]:
        """Resources of `types` that name `resource` among their direct dependencies."""
        if self._dependents is None:
            index: dict[str, list[PolicyResource]] = defaultdict(list)
            for candidate in self._resources.values():
                for dependency in candidate.dependencies or ():
                    index[dependency.urn].append(candidate)
            self._dependents = index
        return [r for r in self._dependents.get(resource.urn, ()) if r.resource_type in types]

    def chain_breaks(
        self, group: Iterable[PolicyResource]
    ) -> list[tuple[PolicyResource, PolicyResource]]:
        """Pairs of the group with no order between them; [] when the group is a chain.

        Sorted by how many members come before each, consecutive members of a chain are
        ordered; a missing order between two neighbours is the break to report.
        """
        members = list(group)
        urns = {m.urn for m in members}
        rank = {m.urn: len(self.earlier(m) & urns) for m in members}
        members.sort(key=lambda m: (rank[m.urn], m.urn))
        return [(first, then) for first, then in pairwise(members) if not self.before(first, then)]


def _links(resource: PolicyResource) -> list[str]:
    links = [d.urn for d in resource.dependencies or ()]
    if resource.parent is not None:
        links.append(resource.parent.urn)
    return links


def direct(resource: PolicyResource, *types: str) -> list[PolicyResource]:
    """The resource's direct dependencies of the given types."""
    return [d for d in resource.dependencies or () if d.resource_type in types]


def known_text(props: Any, *path: str | int) -> str:
    """A string property, or "" when absent, not a string or unknown at preview."""
    try:
        return text(dig(props, *path))
    except UnknownValueError:
        return ""


def known_list(props: Any, *path: str | int) -> list[Any]:
    """A list property's items, or [] when absent, not a list or unknown at preview."""
    try:
        value = dig(props, *path)
        return list(value) if is_list(value) else []
    except UnknownValueError:
        return []
