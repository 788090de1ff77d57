"""Tenancy: no path from a tenant's identities to namespace admin, and guardrails it cannot undo.

TEN-RBAC-01 resolves every binding of a tenant namespace (rbac_model.py) and rejects any
that gives a person, or a service account a person can act as, one of the escalation
rights: impersonation, service account token creation, writes to roles or bindings, or
the escalate / bind verbs. Which namespaces are tenants' comes from the reserved list
(components/namespaces.py): every namespace that is not a system namespace.

TEN-ADM-01 checks the admission policies of components/tenancy.py as rendered: present,
bound with Deny, failing closed, covering every protected kind and operation, exempting
nobody but the platform's Flux identity, with the exact validations the platform wrote;
and that each tenant namespace and the platform's objects in it carry the labels those
policies select on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from components import tenancy
from components.namespaces import reserved_owner

from ..settings import PolicySettings
from .base import Findings, stack_rule
from .network import NAMESPACE, NETWORK_POLICY, denies
from .props import dig, is_map, items, plain, text
from .rbac_model import (
    ROLE,
    ROLE_BINDING,
    Rbac,
    describe,
    escalations_of,
    grants_in,
    reachable_subjects,
)
from .view import StackView

ADMISSION = "admissionregistration.k8s.io/v1"
POLICY = f"kubernetes:{ADMISSION}:ValidatingAdmissionPolicy"
POLICY_BINDING = f"kubernetes:{ADMISSION}:ValidatingAdmissionPolicyBinding"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"


def is_tenant_namespace(name: str) -> bool:
    return bool(name) and reserved_owner(name) is None


# ---- TEN-RBAC-01


def no_escalation_path(view: StackView, _: PolicySettings) -> Findings:
    rbac = Rbac(view)
    namespaces = {ns for ns in rbac.namespaces() if is_tenant_namespace(ns)}
    namespaces |= {
        s.namespace
        for grant in rbac.grants
        if not grant.namespace
        for s in grant.subjects
        if s.kind == "ServiceAccount" and is_tenant_namespace(s.namespace)
    }
    for grant in grants_in(rbac, namespaces):
        reachable = reachable_subjects(rbac, grant)
        if not reachable:
            continue
        if grant.rules is None:
            yield (
                f"{grant.binding} binds {grant.role} to {describe(reachable)}, but the role "
                "is neither in the checked tree nor built into Kubernetes: its rights cannot "
                "be shown free of escalation",
                grant.urn,
            )
            continue
        found = escalations_of(grant.rules)
        if found:
            yield (
                f"{grant.binding} gives {describe(reachable)} {'; '.join(found)} "
                f"through {grant.role}: a path to namespace admin",
                grant.urn,
            )


# ---- TEN-ADM-01


@dataclass(frozen=True)
class ExpectedPolicy:
    name: str
    kinds: tuple[tuple[str, str], ...]  # (api group, resource)
    operations: tuple[str, ...]
    validations: tuple[str, ...]
    object_label: str | None  # the objectSelector must require this label


EXPECTED = (
    ExpectedPolicy(
        tenancy.GUARDRAIL_POLICY,
        tuple((kind.api_group, kind.resource) for kind in tenancy.PROTECTED),
        ("CREATE", "UPDATE", "DELETE"),
        (tenancy.KEEP_PLATFORM_OBJECTS, tenancy.NO_CLAIMED_OWNERSHIP),
        tenancy.OWNED_LABEL,
    ),
    ExpectedPolicy(
        tenancy.TOKEN_SECRET_POLICY,
        (("", "secrets"),),
        ("CREATE", "UPDATE"),
        (tenancy.NO_TOKEN_SECRETS,),
        None,
    ),
)


def guardrails_enforced(view: StackView, _: PolicySettings) -> Findings:
    tenants = [
        ns
        for ns in view.of_type(NAMESPACE)
        if is_tenant_namespace(text(dig(_obj(view, ns), "metadata", "name")))
    ]
    if not tenants:
        return  # no tenant namespace here: nothing to guard
    policies = {_name(view, p): (_obj(view, p), p.urn) for p in view.of_type(POLICY)}
    bindings = [_obj(view, b) for b in view.of_type(POLICY_BINDING)]
    for expected in EXPECTED:
        found = policies.get(expected.name)
        if found is None:
            yield (
                f"no ValidatingAdmissionPolicy {expected.name}: tenants could change or "
                "delete what the platform put into their namespaces",
                None,
            )
            continue
        policy, urn = found
        for problem in _policy_problems(policy, expected):
            yield f"ValidatingAdmissionPolicy {expected.name} {problem}", urn
        problem = _binding_problem(bindings, expected.name)
        if problem:
            yield problem, urn
    for namespace in tenants:
        obj = _obj(view, namespace)
        name = text(dig(obj, "metadata", "name"))
        if tenancy.TENANT_LABEL not in _labels(obj):
            yield (
                f"namespace {name} lacks the label {tenancy.TENANT_LABEL}: the admission "
                "policies do not select it",
                namespace.urn,
            )
    yield from _unlabelled_guardrails(view)


def _policy_problems(policy: Mapping[str, Any], expected: ExpectedPolicy) -> Iterator[str]:
    spec = dig(policy, "spec") or {}
    if text(dig(spec, "failurePolicy")) not in ("", "Fail"):
        yield "does not fail closed (failurePolicy must be Fail)"
    constraints = dig(spec, "matchConstraints") or {}
    rules = [r for r in items(dig(constraints, "resourceRules")) if is_map(r)]
    excluded = [r for r in items(dig(constraints, "excludeResourceRules")) if is_map(r)]
    for group, resource in expected.kinds:
        for operation in expected.operations:
            if not any(_rule_covers(r, group, resource, operation) for r in rules):
                yield f"does not cover {operation} of {resource}"
            elif any(_rule_covers(r, group, resource, operation) for r in excluded):
                yield f"excludes {operation} of {resource}"
    if expected.object_label and not _requires_label(
        dig(constraints, "objectSelector"), expected.object_label
    ):
        yield f"does not select objects by the label {expected.object_label}"
    selector = dig(constraints, "namespaceSelector")
    if selector and not _requires_label(selector, tenancy.TENANT_LABEL):
        yield f"selects namespaces by something else than the label {tenancy.TENANT_LABEL}"
    for condition in items(dig(spec, "matchConditions")):
        expression = text(dig(condition, "expression"))
        if expression != tenancy.NOT_THE_PLATFORM:
            yield (
                f"exempts more than the platform's Flux identity (matchCondition {expression!r})"
            )
    validations = {text(dig(v, "expression")) for v in items(dig(spec, "validations"))}
    for wanted in expected.validations:
        if wanted not in validations:
            yield f"lacks the validation {wanted!r}"


def _binding_problem(bindings: list[dict[str, Any]], policy_name: str) -> str | None:
    mine = [b for b in bindings if text(dig(b, "spec", "policyName")) == policy_name]
    if not mine:
        return f"no ValidatingAdmissionPolicyBinding puts {policy_name} into effect"
    for binding in mine:
        actions = {text(a) for a in items(dig(binding, "spec", "validationActions"))}
        if "Deny" in actions and not dig(binding, "spec", "matchResources"):
            return None
    return (
        f"no binding of {policy_name} denies (validationActions must include Deny, "
        "without matchResources narrowing it)"
    )


def _rule_covers(rule: Mapping[str, Any], group: str, resource: str, operation: str) -> bool:
    groups = {text(g) for g in items(dig(rule, "apiGroups"))}
    resources = {text(r) for r in items(dig(rule, "resources"))}
    operations = {text(o) for o in items(dig(rule, "operations"))}
    return (
        (group in groups or "*" in groups)
        and (resource in resources or "*" in resources)
        and (operation in operations or "*" in operations)
    )


def _requires_label(selector: Any, label: str) -> bool:
    """The label selector only matches objects that carry `label`."""
    if is_map(dig(selector, "matchLabels")) and label in dig(selector, "matchLabels"):
        return True
    return any(
        text(dig(e, "key")) == label and text(dig(e, "operator")) in ("Exists", "In")
        for e in items(dig(selector, "matchExpressions"))
    )


def _unlabelled_guardrails(view: StackView) -> Findings:
    """The platform's guardrails in tenant namespaces must carry the owned label."""
    candidates = [
        *(p for p in view.of_type(NETWORK_POLICY) if _is_default_deny(view, p)),
        *view.of_type(RESOURCE_QUOTA, LIMIT_RANGE, ROLE, ROLE_BINDING),
    ]
    for resource in candidates:
        obj = _obj(view, resource)
        namespace = text(dig(obj, "metadata", "namespace"))
        if is_tenant_namespace(namespace) and tenancy.OWNED_LABEL not in _labels(obj):
            kind = resource.resource_type.rpartition(":")[2]
            yield (
                f"{kind} {namespace}/{text(dig(obj, 'metadata', 'name'))} lacks the label "
                f"{tenancy.OWNED_LABEL}: the tenant could change or delete it",
                resource.urn,
            )


def _is_default_deny(view: StackView, policy: Any) -> bool:
    spec = dig(_obj(view, policy), "spec")
    return denies(spec, "Ingress") or denies(spec, "Egress")


def _obj(view: StackView, resource: Any) -> dict[str, Any]:
    found = plain(view.value(resource, default={}))
    return found if isinstance(found, dict) else {}


def _name(view: StackView, resource: Any) -> str:
    return text(dig(_obj(view, resource), "metadata", "name"))


def _labels(obj: Mapping[str, Any]) -> dict[str, Any]:
    labels = dig(obj, "metadata", "labels")
    return dict(labels) if is_map(labels) else {}


RULES = [
    stack_rule("TEN-RBAC-01", no_escalation_path),
    stack_rule("TEN-ADM-01", guardrails_enforced),
]
