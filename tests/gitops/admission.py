"""What the API server's ValidatingAdmissionPolicy plugin would decide, for the tests.

Follows kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy: a
policy applies when a binding names it; its matchConstraints select the request (resource
rules, namespaceSelector on the namespace's labels, objectSelector on the object before or
after the change); every matchCondition must hold; then every validation must hold, else
the request is denied (validationActions Deny). An expression that fails to evaluate
counts as a denial (failurePolicy Fail). CEL is evaluated by cel-python.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import celpy
from celpy import celtypes

ADMISSION = "admissionregistration.k8s.io/v1"


@dataclass(frozen=True)
class Request:
    operation: str  # CREATE, UPDATE or DELETE
    group: str
    resource: str
    namespace: str
    username: str
    object: dict[str, Any] | None = None
    old_object: dict[str, Any] | None = None
    groups: tuple[str, ...] = ()
    version: str = "v1"

    def cel(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "namespace": self.namespace,
            "userInfo": {"username": self.username, "groups": list(self.groups)},
            "resource": {"group": self.group, "version": self.version, "resource": self.resource},
        }


class Admission:
    def __init__(self, objects: Iterable[Mapping[str, Any]]) -> None:
        objects = list(objects)
        self.policies = {
            o["metadata"]["name"]: o
            for o in objects
            if o.get("apiVersion") == ADMISSION and o.get("kind") == "ValidatingAdmissionPolicy"
        }
        self.bindings = [
            o
            for o in objects
            if o.get("apiVersion") == ADMISSION
            and o.get("kind") == "ValidatingAdmissionPolicyBinding"
        ]

    def denials(self, request: Request, namespace: Mapping[str, Any] | None) -> list[str]:
        """Messages of the policies that deny the request; [] when it is admitted."""
        denied = []
        for binding in self.bindings:
            spec = binding["spec"]
            policy = self.policies.get(spec["policyName"])
            if policy is None or "Deny" not in spec.get("validationActions", []):
                continue
            denied.extend(_denials(policy["spec"], request, namespace))
        return denied


def _denials(spec: Mapping[str, Any], request: Request, namespace: Any) -> list[str]:
    constraints = spec.get("matchConstraints") or {}
    if not any(_rule_matches(r, request) for r in constraints.get("resourceRules") or []):
        return []
    if any(_rule_matches(r, request) for r in constraints.get("excludeResourceRules") or []):
        return []
    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    if not _selects(constraints.get("namespaceSelector"), labels):
        return []
    selector = constraints.get("objectSelector")
    candidates = [o for o in (request.object, request.old_object) if o is not None]
    if selector and not any(_selects(selector, _labels(o)) for o in candidates):
        return []
    variables = {
        "object": request.object,
        "oldObject": request.old_object,
        "request": request.cel(),
        "namespaceObject": namespace,
    }
    for condition in spec.get("matchConditions") or []:
        if _evaluate(condition["expression"], variables) is not True:
            return []
    return [
        validation.get("message", validation["expression"])
        for validation in spec.get("validations") or []
        if _evaluate(validation["expression"], variables) is not True
    ]


def _rule_matches(rule: Mapping[str, Any], request: Request) -> bool:
    def has(key: str, value: str) -> bool:
        values = rule.get(key) or []
        return "*" in values or value in values

    return (
        has("apiGroups", request.group)
        and has("apiVersions", request.version)
        and has("operations", request.operation)
        and has("resources", request.resource)
    )


def _labels(obj: Mapping[str, Any]) -> Mapping[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def _selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector; an empty or absent one selects everything."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
    return True


def _evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    try:
        activation = {name: celpy.json_to_cel(value) for name, value in variables.items()}
        result = _program(expression).evaluate(activation)
    except Exception:  # failurePolicy Fail: an error denies
        return None
    # An evaluation error comes back as a value, not an exception: only a boolean counts.
    return bool(result) if isinstance(result, celtypes.BoolType) else None


@functools.cache
def _program(expression: str) -> Any:
    environment = celpy.Environment()
    return environment.program(environment.compile(expression))
