"""A stack-level view of the resources: lookups by type and the links between resources.

Links come from the resource graph (a role assignment depends on the identity whose
principal ID it uses, a diagnostic setting on the resource it watches), which is what the
real engine hands a stack policy and what the offline plan records as `dependencies`.
Where a program passes a plain name instead of an output, matching on that name is the
fallback, so both styles of wiring are understood.

Properties are read with `value`: the resource's output when known, else the input the
engine handed the pack for it (analyzed.py). At a first preview the outputs lack path
parameters and hold unknowns (read-only and unset optional properties), while the inputs
still say what the program asked for; after apply the outputs are what Azure holds.

Cost. A stack policy runs once over the whole plan, so it must cost time linear in the
resources and links, whatever the plan's shape (a plan is untrusted input: 50,000 resources
sharing a few names must not cost 50,000 x 50,000). The indexes here are built once per
run and shared by every stack policy:

- `of_type(T)` instead of filtering `resources`;
- `dependents(target, T)` (resources of type T that depend on `target`) instead of
  `for r in of_type(T): if depends_on(r, target)`;
- `keyed(key, T)` groups resources of type T by a key computed once per resource (a name
  input, a parsed resource ID) instead of comparing names in a nested loop;
- `any_referrer`, `referrer_values` and `referrer_map` combine both: "the resources of type
  T linked to `target` by a dependency or by naming it" - with the result per name group
  computed once, so many targets sharing a name cost no more than one. They evaluate in
  the order the nested loop would, so which value or error decides is unchanged.

Key and test functions passed to them must be module-level functions without side effects
(results are memoized by function).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from .analyzed import ANALYZED_INPUTS
from .props import dig, plain, text

_ABSENT = object()

NAME_KEYS = {
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:kubernetes:ConnectedCluster": "clusterName",
    "azure-native:containerregistry:Registry": "registryName",
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:operationalinsights:Workspace": "workspaceName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
}


# A key function for `keyed` and the referrer helpers: the value a resource is known by
# (None: not indexed). A test / values function reads one resource.
Key = Callable[["StackView", PolicyResource], Hashable | None]
Test = Callable[["StackView", PolicyResource], Any]
Types = str | tuple[str, ...]


class StackView:
    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = list(resources)
        self._by_type: dict[str, list[PolicyResource]] = defaultdict(list)
        for resource in self.resources:
            self._by_type[resource.resource_type].append(resource)
        self._dependencies: dict[str, set[str]] = {
            r.urn: {d.urn for d in r.dependencies} for r in self.resources
        }
        self._dependents: dict[str, dict[str, list[PolicyResource]]] | None = None
        self._ranks: dict[tuple[str, ...], dict[int, int]] = {}
        self._keyed: dict[tuple[Any, tuple[str, ...]], dict[Hashable, list[PolicyResource]]] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    def of_type(self, *types: str) -> list[PolicyResource]:
        found: list[PolicyResource] = []
        for resource_type in types:
            found.extend(self._by_type.get(resource_type, ()))
        return found

    def has_prefix(self, prefix: str) -> bool:
        return any(resource_type.startswith(prefix) for resource_type in self._by_type)

    @property
    def is_azure_plan(self) -> bool:
        """The resources include Azure infrastructure (not only Kubernetes manifests)."""
        return self.has_prefix("azure-native:")

    def depends_on(self, resource: PolicyResource, other: PolicyResource) -> bool:
        return other.urn in self._dependencies.get(resource.urn, ())

    def dependency_urns(self, resource: PolicyResource) -> set[str]:
        """The URNs `resource` depends on (as `depends_on` reads them; do not modify)."""
        return self._dependencies.get(resource.urn, set())

    def linked(self, resource: PolicyResource, other: PolicyResource) -> bool:
        return self.depends_on(resource, other) or self.depends_on(other, resource)

    def linked_of(
        self, resource: PolicyResource, candidates: Iterable[PolicyResource]
    ) -> list[PolicyResource]:
        return [c for c in candidates if self.linked(resource, c)]

    # ---- indexes (built on first use, shared by every stack policy of the run)

    def dependents(self, target: PolicyResource, *types: str) -> list[PolicyResource]:
        """Resources of `types` that depend on `target` (`depends_on(r, target)`), in the
        order `of_type(*types)` lists them."""
        if self._dependents is None:
            index: dict[str, dict[str, list[PolicyResource]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for resource in self.resources:
                for urn in self._dependencies.get(resource.urn, ()):
                    index[urn][resource.resource_type].append(resource)
            self._dependents = index
        by_type = self._dependents.get(target.urn)
        if not by_type:
            return []
        # Per type in plan order, types in the order asked: the order of of_type(*types).
        found: list[PolicyResource] = []
        for resource_type in types:
            found.extend(by_type.get(resource_type, ()))
        return found

    def keyed(self, key: Key, *types: str) -> dict[Hashable, list[PolicyResource]]:
        """Resources of `types` grouped by `key(view, resource)`, each group in `of_type`
        order; a resource whose key is None is left out. Built once per key function."""
        memo_key = (key, types)
        index = self._keyed.get(memo_key)
        if index is None:
            _check_shared(key)
            index = defaultdict(list)
            for resource in self.of_type(*types):
                value = key(self, resource)
                if value is not None:
                    index[value].append(resource)
            index = dict(index)
            self._keyed[memo_key] = index
        return index

    def referrers(
        self, target: PolicyResource, types: Types, *, by: Key, names: Iterable[Hashable]
    ) -> list[PolicyResource]:
        """Resources of `types` that depend on `target` or whose `by` key is one of `names`
        (the ways `target` is known), once each, in `of_type` order.

        Its length is the number of matches: where many targets may share a name, use
        `any_referrer`, `referrer_values` or `referrer_map`, which cost one pass per name.
        """
        kinds = _types(types)
        rank = self._rank(kinds)
        index = self.keyed(by, *kinds)
        found = {id(r): r for r in self.dependents(target, *kinds)}
        for name in names:
            for resource in index.get(name, ()):
                found.setdefault(id(resource), resource)
        return sorted(found.values(), key=lambda r: rank[id(r)])

    def any_referrer(
        self,
        target: PolicyResource,
        types: Types,
        test: Test,
        *,
        by: Key,
        names: Iterable[Hashable],
    ) -> bool:
        """`any(test(view, r) for r in referrers(...))`, evaluated in the same order (so an
        error a test raises before the first match is raised), each name group once."""
        kinds = _types(types)
        rank = self._rank(kinds)
        decided: tuple[int, Any] | None = None  # (rank, True or the error raised)
        for name in names:
            first = self._group_first(kinds, by, name, test)
            if first is not None and (decided is None or first[0] < decided[0]):
                decided = first
        for resource in self.dependents(target, *kinds):
            position = rank[id(resource)]
            if decided is not None and position >= decided[0]:
                break
            outcome = _outcome(self, test, resource)
            if outcome is not False:
                decided = (position, outcome)
                break
        if decided is None:
            return False
        if isinstance(decided[1], Exception):
            raise decided[1]
        return True

    def referrer_values(
        self,
        target: PolicyResource,
        types: Types,
        values: Test,
        *,
        by: Key,
        names: Iterable[Hashable],
    ) -> set[Any]:
        """The union of `values(view, r)` (an iterable) over `referrers(...)`; the first error
        in that order is raised, as the loop over them would."""
        merged: dict[Any, tuple[int, Any]] = {}
        error = self._fold(target, _types(types), values, by, names, _union, merged)
        if error is not None:
            raise error
        return set(merged)

    def referrer_map(
        self,
        target: PolicyResource,
        types: Types,
        items: Test,
        *,
        by: Key,
        names: Iterable[Hashable],
    ) -> dict[Any, Any]:
        """`{k: v}` from the (k, v) pairs `items(view, r)` yields over `referrers(...)`, a
        later referrer overwriting an earlier one's key as the loop would; the first error
        in that order is raised."""
        merged: dict[Any, tuple[int, Any]] = {}
        error = self._fold(target, _types(types), items, by, names, _last_wins, merged)
        if error is not None:
            raise error
        return {key: value for key, (_, value) in merged.items()}

    # ---- the machinery behind the referrer helpers

    def _rank(self, types: tuple[str, ...]) -> dict[int, int]:
        """id(resource) -> its place in `of_type(*types)`."""
        rank = self._ranks.get(types)
        if rank is None:
            rank = {id(r): place for place, r in enumerate(self.of_type(*types))}
            self._ranks[types] = rank
        return rank

    def _group_first(
        self, types: tuple[str, ...], by: Key, name: Hashable, test: Test
    ) -> tuple[int, Any] | None:
        """The first member of a name group whose test is true or raises: (rank, outcome)."""
        memo_key = ("first", types, by, name, test)
        if memo_key not in self._memo:
            _check_shared(test)
            rank = self._rank(types)
            first = None
            for resource in self.keyed(by, *types).get(name, ()):
                outcome = _outcome(self, test, resource)
                if outcome is not False:
                    first = (rank[id(resource)], outcome)
                    break
            self._memo[memo_key] = first
        return self._memo[memo_key]

    def _fold(
        self,
        target: PolicyResource,
        types: tuple[str, ...],
        evaluate: Test,
        by: Key,
        names: Iterable[Hashable],
        merge: Callable[[dict[Any, tuple[int, Any]], int, Any], None],
        merged: dict[Any, tuple[int, Any]],
    ) -> Exception | None:
        """Folds `evaluate` over the referrers into `merged`; returns the error of the
        earliest referrer that raised (every later value is then irrelevant)."""
        rank = self._rank(types)
        error: tuple[int, Exception] | None = None
        groups = []
        for name in names:
            group_merged, group_error, members = self._group_fold(types, by, name, evaluate, merge)
            groups.append(members)
            if group_error is not None and (error is None or group_error[0] < error[0]):
                error = group_error
            for key, (position, value) in group_merged.items():
                merge(merged, position, ((key, value),))
        for resource in self.dependents(target, *types):
            if any(id(resource) in members for members in groups):
                continue  # folded with its name group already
            position = rank[id(resource)]
            if error is not None and position > error[0]:
                break
            try:
                produced = list(_pairs(merge, evaluate(self, resource)))
            except Exception as raised:
                error = (position, raised)
                break
            merge(merged, position, produced)
        return error[1] if error is not None else None

    def _group_fold(
        self,
        types: tuple[str, ...],
        by: Key,
        name: Hashable,
        evaluate: Test,
        merge: Callable[[dict[Any, tuple[int, Any]], int, Any], None],
    ) -> tuple[dict[Any, tuple[int, Any]], tuple[int, Exception] | None, set[int]]:
        """A name group folded once: (merged, first error, ids of the group's members)."""
        memo_key = ("fold", types, by, name, evaluate, merge)
        if memo_key not in self._memo:
            _check_shared(evaluate)
            rank = self._rank(types)
            merged: dict[Any, tuple[int, Any]] = {}
            error = None
            group = self.keyed(by, *types).get(name, ())
            for resource in group:
                try:
                    produced = list(_pairs(merge, evaluate(self, resource)))
                except Exception as raised:
                    error = (rank[id(resource)], raised)
                    break
                merge(merged, rank[id(resource)], produced)
            self._memo[memo_key] = (merged, error, {id(r) for r in group})
        return self._memo[memo_key]

    def value(self, resource: PolicyResource, *path: str | int, default: Any = None) -> Any:
        return resource_value(resource, *path, default=default)

    def known_text(self, resource: PolicyResource, *path: str | int) -> str:
        """A string property, or "" when absent or not known before apply."""
        try:
            return text(resource_value(resource, *path))
        except UnknownValueError:
            return ""

    def sources(self, resource: PolicyResource, key: str) -> set[str]:
        """URNs of the resources whose outputs the input `key` was computed from."""
        return {source.urn for source in resource.property_dependencies.get(key) or []}

    def derived_from(self, resource: PolicyResource, key: str, *types: str) -> bool:
        """The input `key` is computed from outputs of resources of `types` only.

        The engine hands stack policies each resource's property dependencies (which
        resources every input was computed from); an input unknown at preview is an output
        of those resources still to be created.
        """
        sources = resource.property_dependencies.get(key) or []
        return bool(sources) and all(s.resource_type in types for s in sources)


def _types(types: Types) -> tuple[str, ...]:
    return (types,) if isinstance(types, str) else tuple(types)


def _check_shared(function: Any) -> None:
    """Memoized by function: a lambda or nested function would be a new key on every call
    (and a closure may read state the memo cannot see)."""
    qualified = getattr(function, "__qualname__", "")
    if "<lambda>" in qualified or "<locals>" in qualified:
        raise TypeError(f"{qualified}: pass a module-level function (results are memoized)")


def _outcome(view: StackView, test: Test, resource: PolicyResource) -> Any:
    """False, True, or the error the test raised."""
    try:
        return bool(test(view, resource))
    except Exception as raised:
        return raised


def _union(merged: dict[Any, tuple[int, Any]], position: int, produced: Any) -> None:
    for key, _ in produced:
        merged.setdefault(key, (position, None))


def _last_wins(merged: dict[Any, tuple[int, Any]], position: int, produced: Any) -> None:
    for key, value in produced:
        held = merged.get(key)
        if held is None or held[0] <= position:
            merged[key] = (position, value)


def _pairs(merge: Any, produced: Any) -> Iterable[tuple[Any, Any]]:
    """A values function yields keys (for the union), an items function (key, value) pairs."""
    if merge is _union:
        return ((value, None) for value in produced)
    return produced


def resource_value(resource: PolicyResource, *path: str | int, default: Any = None) -> Any:
    """`path` in the resource's outputs when known throughout, else in its analyzed inputs.

    Raises UnknownValueError when neither tells (an input computed from an output that is
    unknown at preview).
    """
    inputs = ANALYZED_INPUTS.get(resource.urn)
    try:
        found = dig(resource.props, *path, default=_ABSENT)
        if found is not _ABSENT:
            plain(found)  # raises while anything inside is unknown
            return found
    except UnknownValueError:
        if inputs is None:
            raise
    if inputs is None:
        return default
    return dig(inputs, *path, default=default)


def azure_name(resource: PolicyResource) -> str:
    """The Azure name of a resource: its name parameter, else its `name` output, else (not
    known before apply) its Pulumi name."""
    key = NAME_KEYS.get(resource.resource_type)
    for step in (key, "name"):
        if not step:
            continue
        try:
            name = text(resource_value(resource, step))
        except UnknownValueError:
            continue
        if name:
            return name
    return resource.name


def arm_id_names(arm_id: str) -> list[tuple[str, str]]:
    """`.../providers/Microsoft.X/typeA/nameA/typeB/nameB` -> [(typeA, nameA), (typeB, nameB)].

    Types are lowercased; only the part after the last /providers/ counts.
    """
    _, _, tail = arm_id.rpartition("/providers/")
    parts = [p for p in tail.split("/") if p]
    pairs: list[tuple[str, str]] = []
    for index in range(1, len(parts) - 1, 2):
        pairs.append((parts[index].lower(), parts[index + 1]))
    return pairs
