"""Kubernetes RBAC of a tree, resolved: who is granted what in which namespace, and through what.

Roles, ClusterRoles (aggregations included) and bindings come from the judged objects;
`admin`, `edit`, `view` and `cluster-admin` from Kubernetes' own definitions
(builtin_roles.py). A binding whose role is neither is unresolved: its rights cannot be
proven harmless, and the tenancy control reports it (fail closed).

Matching follows Kubernetes' RBAC authorizer (kubernetes/kubernetes
pkg/apis/rbac/v1/evaluation_helpers.go): `*` matches every verb, group or resource, and a
rule for `*/sub` matches that subresource of every resource.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from components.tenancy import Rule

from .builtin_roles import AGGREGATION_LABELS, BUILTIN_CLUSTER_ROLES
from .props import dig, is_map, items, plain, text
from .view import StackView

RBAC = "rbac.authorization.k8s.io"
ROLE = f"kubernetes:{RBAC}/v1:Role"
CLUSTER_ROLE = f"kubernetes:{RBAC}/v1:ClusterRole"
ROLE_BINDING = f"kubernetes:{RBAC}/v1:RoleBinding"
CLUSTER_ROLE_BINDING = f"kubernetes:{RBAC}/v1:ClusterRoleBinding"
SERVICE_ACCOUNT_GROUP = "system:serviceaccounts"


@dataclass(frozen=True)
class Subject:
    kind: str  # User, Group or ServiceAccount
    name: str
    namespace: str = ""  # service accounts only

    @property
    def is_person(self) -> bool:
        """Users and groups of people (everyone included), not service accounts."""
        if self.kind == "ServiceAccount":
            return False
        return not (self.kind == "Group" and self.name.startswith(SERVICE_ACCOUNT_GROUP))

    def is_service_account_of(self, namespace: str) -> bool:
        """Stands for service accounts of `namespace` (one, or all of them as a group)."""
        if self.kind == "ServiceAccount":
            return self.namespace == namespace
        return self.kind == "Group" and self.name in (
            SERVICE_ACCOUNT_GROUP,
            f"{SERVICE_ACCOUNT_GROUP}:{namespace}",
        )

    def __str__(self) -> str:
        if self.kind == "ServiceAccount":
            return f"ServiceAccount {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Grant:
    """One binding: its subjects get the role's rules in `namespace` ("" = cluster-wide)."""

    binding: str  # Kind namespace/name, for messages
    urn: str
    namespace: str
    subjects: tuple[Subject, ...]
    rules: tuple[Rule, ...] | None  # None: the role could not be resolved
    role: str  # how the role was found, for messages


def allows(rules: tuple[Rule, ...], verb: str, group: str, resource: str) -> bool:
    return any(_covers(rule, verb, group, resource) for rule in rules)


def _covers(rule: Rule, verb: str, group: str, resource: str) -> bool:
    if "*" not in rule.verbs and verb not in rule.verbs:
        return False
    if "*" not in rule.api_groups and group not in rule.api_groups:
        return False
    if "*" in rule.resources or resource in rule.resources:
        return True
    _, _, subresource = resource.partition("/")
    return bool(subresource) and f"*/{subresource}" in rule.resources


# ---- reading the tree


def rule_of(raw: Any) -> Rule:
    return Rule(
        tuple(text(g) for g in items(dig(raw, "apiGroups"))),
        tuple(text(r) for r in items(dig(raw, "resources"))),
        tuple(text(v) for v in items(dig(raw, "verbs"))),
    )


def _object(view: StackView, resource: Any) -> dict[str, Any]:
    found = plain(view.value(resource, default={}))
    return found if isinstance(found, dict) else {}


def _rules(obj: Mapping[str, Any]) -> tuple[Rule, ...]:
    return tuple(rule_of(raw) for raw in items(dig(obj, "rules")) if is_map(raw))


def _labels(obj: Mapping[str, Any]) -> dict[str, str]:
    labels = dig(obj, "metadata", "labels")
    return {str(k): text(v) for k, v in labels.items()} if is_map(labels) else {}


def _selects(selector: Any, labels: Mapping[str, str]) -> bool:
    wanted = dig(selector, "matchLabels")
    if not is_map(wanted) or not wanted:
        return False
    return all(labels.get(str(key)) == text(value) for key, value in wanted.items())


class Rbac:
    """The RBAC objects of one judged tree (or plan)."""

    def __init__(self, view: StackView) -> None:
        self.roles: dict[tuple[str, str], tuple[Rule, ...]] = {}
        for role in view.of_type(ROLE):
            obj = _object(view, role)
            key = (text(dig(obj, "metadata", "namespace")), text(dig(obj, "metadata", "name")))
            self.roles[key] = _rules(obj)
        self._cluster_roles = {
            text(dig(obj, "metadata", "name")): obj
            for obj in (_object(view, r) for r in view.of_type(CLUSTER_ROLE))
        }
        self.grants = [
            grant
            for kind in (ROLE_BINDING, CLUSTER_ROLE_BINDING)
            for binding in view.of_type(kind)
            if (grant := self._grant(view, binding, kind == ROLE_BINDING)) is not None
        ]

    def cluster_role(self, name: str) -> tuple[tuple[Rule, ...] | None, str]:
        """The rules of a ClusterRole and where they come from; None when unknown."""
        obj = self._cluster_roles.get(name)
        if obj is None:
            if name in BUILTIN_CLUSTER_ROLES:
                return BUILTIN_CLUSTER_ROLES[name], f"ClusterRole {name} (built-in)"
            return None, f"ClusterRole {name}"
        selectors = items(dig(obj, "aggregationRule", "clusterRoleSelectors"))
        if not selectors:
            return _rules(obj), f"ClusterRole {name}"
        rules = list(_rules(obj))
        for selector in selectors:
            for other, other_obj in self._cluster_roles.items():
                if other != name and _selects(selector, _labels(other_obj)):
                    rules.extend(_rules(other_obj))
            for label, parts in AGGREGATION_LABELS.items():
                if _selects(selector, {label: "true"}):
                    rules.extend(parts)
        return tuple(rules), f"ClusterRole {name} (aggregated)"

    def _grant(self, view: StackView, binding: Any, namespaced: bool) -> Grant | None:
        obj = _object(view, binding)
        namespace = text(dig(obj, "metadata", "namespace")) if namespaced else ""
        name = text(dig(obj, "metadata", "name"))
        subjects = tuple(
            Subject(
                text(dig(raw, "kind")),
                text(dig(raw, "name")),
                text(dig(raw, "namespace")) or namespace,
            )
            for raw in items(dig(obj, "subjects"))
            if is_map(raw)
        )
        ref_kind, ref_name = text(dig(obj, "roleRef", "kind")), text(dig(obj, "roleRef", "name"))
        if ref_kind == "Role" and namespaced:
            rules = self.roles.get((namespace, ref_name))
            role = f"Role {namespace}/{ref_name}"
        else:
            rules, role = self.cluster_role(ref_name)
        kind = "RoleBinding" if namespaced else "ClusterRoleBinding"
        shown = f"{kind} {namespace}/{name}" if namespaced else f"{kind} {name}"
        return Grant(shown, binding.urn, namespace, subjects, rules, role)

    def namespaces(self) -> set[str]:
        return {grant.namespace for grant in self.grants if grant.namespace}


# ---- what counts as escalation


@dataclass(frozen=True)
class Capability:
    description: str
    checks: tuple[tuple[str, str, str], ...]  # (verb, group, resource), any of them


WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
ESCALATIONS: tuple[Capability, ...] = (
    Capability(
        "impersonation of service accounts, users or groups",
        tuple(("impersonate", "", r) for r in ("serviceaccounts", "users", "groups")),
    ),
    Capability("creating service account tokens", (("create", "", "serviceaccounts/token"),)),
    Capability(
        "writing Roles or RoleBindings",
        tuple(
            (verb, RBAC, resource)
            for verb in WRITE_VERBS
            for resource in ("roles", "rolebindings", "clusterroles", "clusterrolebindings")
        ),
    ),
    Capability(
        "the escalate or bind verbs on roles",
        tuple(
            (verb, RBAC, resource)
            for verb in ("escalate", "bind")
            for resource in ("roles", "clusterroles")
        ),
    ),
)

# Creating any of these lets a person run code as any service account of the namespace:
# a pod names its account (and may mount its token), a Flux Kustomization or HelmRelease
# names the account the controllers impersonate.
ACTS_AS_SERVICE_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("create", "", "pods"),
    ("create", "", "replicationcontrollers"),
    *(("create", "apps", r) for r in ("daemonsets", "deployments", "replicasets", "statefulsets")),
    *(("create", "batch", r) for r in ("cronjobs", "jobs")),
    ("create", "kustomize.toolkit.fluxcd.io", "kustomizations"),
    ("create", "helm.toolkit.fluxcd.io", "helmreleases"),
    ("impersonate", "", "serviceaccounts"),
    ("create", "", "serviceaccounts/token"),
)


def escalations_of(rules: tuple[Rule, ...]) -> list[str]:
    return [
        capability.description
        for capability in ESCALATIONS
        if any(allows(rules, *check) for check in capability.checks)
    ]


def people_act_as_service_accounts(rbac: Rbac, namespace: str) -> bool:
    """Some person bound in `namespace` (or cluster-wide) can run code as its accounts."""
    for grant in rbac.grants:
        if grant.namespace not in ("", namespace) or not any(s.is_person for s in grant.subjects):
            continue
        # A person's role that cannot be resolved may well create pods: assume it does.
        if grant.rules is None or any(
            allows(grant.rules, *check) for check in ACTS_AS_SERVICE_ACCOUNTS
        ):
            return True
    return False


def reachable_subjects(rbac: Rbac, grant: Grant) -> list[Subject]:
    """The grant's subjects that are people, or service accounts people can act as."""
    return [subject for subject in grant.subjects if _reachable(rbac, grant, subject)]


def _reachable(rbac: Rbac, grant: Grant, subject: Subject) -> bool:
    if subject.is_person:
        return True
    if subject.kind == "ServiceAccount":
        return people_act_as_service_accounts(rbac, subject.namespace)
    return bool(grant.namespace) and (
        subject.is_service_account_of(grant.namespace)
        and people_act_as_service_accounts(rbac, grant.namespace)
    )


def describe(subjects: list[Subject]) -> str:
    return ", ".join(str(s) for s in subjects)


def grants_in(rbac: Rbac, namespaces: set[str]) -> Iterator[Grant]:
    """Bindings in those namespaces, and cluster-wide ones naming their service accounts."""
    for grant in rbac.grants:
        names_ours = any(
            s.kind == "ServiceAccount" and s.namespace in namespaces for s in grant.subjects
        )
        if grant.namespace in namespaces or (not grant.namespace and names_ours):
            yield grant
