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

Walks start only from the resources a control asks about and stop as soon as they find
what they look for (a direct link answers most questions without a walk), so a plan costs
at most O(asked x (resources + links)), never a closure over all pairs, and nothing is
kept: a plan (untrusted input) that chains 50,000 resources one after another would make
a memoised set of predecessors per resource quadratic in memory. `chain_breaks` ranks a
group by counting, for each member, the members created before it, with one pass over
the graph's strongly connected components and a bit per member (no set per member).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import pairwise
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from .props import dig, is_list, text


class CreationOrder:
    # A group up to this size is ranked by asking `before` for each pair of members; a
    # larger one by one bitset pass over the graph (see chain_breaks).
    PAIRWISE_GROUP = 32

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self._resources = {r.urn: r for r in resources}
        self._earlier: dict[str, frozenset[str]] = {}
        self._dependents: dict[str, list[PolicyResource]] | None = None
        self._positions: dict[str, int] | None = None
        self._after_any: dict[Hashable, dict[str, bool]] = {}

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
        """`first` is created (and finished) before `then` starts: `first.urn in
        earlier(then)`, found by a walk that stops at the first sight of it."""
        target = first.urn
        if target == then.urn:
            return False  # a cycle is the engine's error, not an order (as in earlier())
        cached = self._earlier.get(then.urn)
        if cached is not None:
            return target in cached
        pending = _links(then)
        if target in pending:
            return True
        # Everything created before a resource sits lower in the graph (position), so the
        # walk skips what lies below `first`: it cannot lead there.
        position = self._graph_positions()
        floor = position.get(target)
        if floor is None:
            return False  # nothing links to it
        seen: set[str] = set()
        while pending:
            urn = pending.pop()
            if urn == target:
                return True
            if urn in seen:
                continue
            seen.add(urn)
            if position.get(urn, -1) < floor:
                continue
            linked = self._resources.get(urn)
            if linked is not None:
                pending.extend(_links(linked))
        return False

    def after_any(
        self, then: PolicyResource, key: Hashable, test: Callable[[PolicyResource], bool]
    ) -> bool:
        """Some resource for which `test` holds is created before `then`.

        Answered for every resource on the way from the answers of its links, once per
        `key` (which names `test`): asking it of every resource of a plan costs one pass
        over the resources and links, not one walk each.
        """
        memo = self._after_any.setdefault(key, {})
        pending: list[tuple[str, bool]] = [(then.urn, False)]
        visiting: set[str] = set()
        while pending:
            urn, expanded = pending.pop()
            if urn in memo:
                continue
            resource = self._resources.get(urn)
            links = _links(resource) if resource is not None else []
            if not expanded:
                if urn in visiting:
                    continue  # a cycle: the engine's error, not an order
                visiting.add(urn)
                pending.append((urn, True))
                pending.extend((link, False) for link in links if link not in memo)
                continue
            memo[urn] = any(
                memo.get(link, False) or (link in self._resources and test(self._resources[link]))
                for link in links
            )
        return memo.get(then.urn, False)

    def _graph_positions(self) -> dict[str, int]:
        """URN -> the place of its strongly connected component in an order where what a
        resource links to comes first (Tarjan's order): x created before y implies
        position[x] <= position[y]. Computed once per plan."""
        if self._positions is None:
            position: dict[str, int] = {}

            def visit(component: list[str], _: int) -> None:
                place = len(position)
                for urn in component:
                    position[urn] = place

            self._components(dict.fromkeys(self._resources), visit, every=True)
            self._positions = position
        return self._positions

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
        if not members:
            return []
        starts = {m.urn: m for m in reversed(members)}  # the first object of each URN
        if len(starts) <= self.PAIRWISE_GROUP:
            # len(earlier(m) & members): the other members created before m.
            counts = {
                urn: sum(1 for other in starts.values() if self.before(other, member))
                for urn, member in starts.items()
            }
            members.sort(key=lambda m: (counts[m.urn], m.urn))
            return [(a, b) for a, b in pairwise(members) if not self.before(a, b)]
        bit = {urn: 1 << index for index, urn in enumerate(starts)}
        # How many members are created before each: len(earlier(m) & members), counted
        # from the set of members reachable from m's component (m itself is in it once).
        rank: dict[str, int] = {}

        def count(component: list[str], reach: int) -> None:
            for urn in component:
                if urn in bit:
                    rank[urn] = reach.bit_count() - 1

        self._member_reach(starts, bit, count)
        members.sort(key=lambda m: (rank[m.urn], m.urn))
        pairs = list(pairwise(members))
        wanted: dict[str, list[str]] = defaultdict(list)
        for first, then in pairs:
            wanted[then.urn].append(first.urn)
        ordered: set[tuple[str, str]] = set()

        def check(component: list[str], reach: int) -> None:
            for urn in component:
                for earlier_urn in wanted.get(urn, ()):
                    if earlier_urn != urn and reach & bit[earlier_urn]:
                        ordered.add((earlier_urn, urn))

        self._member_reach(starts, bit, check)
        return [(first, then) for first, then in pairs if (first.urn, then.urn) not in ordered]

    def _member_reach(
        self,
        starts: dict[str, PolicyResource],
        bit: dict[str, int],
        visit: Callable[[list[str], int], None],
    ) -> None:
        self._components(starts, visit, bit=bit)

    def _components(
        self,
        starts: dict[str, PolicyResource | None],
        visit: Callable[[list[str], int], None],
        bit: dict[str, int] | None = None,
        every: bool = False,
    ) -> None:
        """For each strongly connected component reachable from `starts` that holds one
        (`every`: each one), `visit(component URNs, bits of the members reachable from it)`.

        Tarjan's algorithm, iteratively; components come successors first, so a
        component's bits are its members' and its successors' (already known). A node's
        bits are dropped once every link into it has been used, so a long chain holds a
        few bitsets at a time, not one per resource.
        """

        bit = bit or {}

        def successors(urn: str) -> list[str]:
            resource = starts.get(urn) or self._resources.get(urn)
            return _links(resource) if resource is not None else []

        incoming: dict[str, int] = defaultdict(int)  # links into each reachable node
        pending, reached = list(starts), set(starts)
        while pending:
            for target in successors(pending.pop()):
                incoming[target] += 1
                if target not in reached:
                    reached.add(target)
                    pending.append(target)
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        reach: dict[str, int] = {}  # node -> bits of its component, until no longer needed
        for start in starts:
            if start in index:
                continue
            index[start] = low[start] = len(index)
            stack.append(start)
            on_stack.add(start)
            work = [(start, iter(successors(start)))]
            while work:
                node, links = work[-1]
                descended = False
                for target in links:
                    if target not in index:
                        index[target] = low[target] = len(index)
                        stack.append(target)
                        on_stack.add(target)
                        work.append((target, iter(successors(target))))
                        descended = True
                        break
                    if target in on_stack:
                        low[node] = min(low[node], index[target])
                if descended:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] != index[node]:
                    continue
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                inside = set(component)
                bits = 0
                for member in component:
                    bits |= bit.get(member, 0)
                    for target in successors(member):
                        if target not in inside:
                            bits |= reach.get(target, 0)
                for member in component:
                    for target in successors(member):
                        incoming[target] -= 1
                        if incoming[target] == 0 and target not in inside:
                            reach.pop(target, None)
                if every or any(member in bit for member in component):
                    visit(component, bits)
                for member in component:
                    if incoming[member] > 0:
                        reach[member] = bits


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
