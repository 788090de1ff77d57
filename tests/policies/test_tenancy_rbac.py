"""TEN-RBAC-01 beyond the mutation table: paths it must see, and grants it must leave alone."""

from __future__ import annotations

from typing import Any

import pytest

from policies.evaluator import evaluate
from policies.rules import ALL_RULES

RBAC = "rbac.authorization.k8s.io"
RULES = [rule for rule in ALL_RULES if rule.control.id == "TEN-RBAC-01"]
PEOPLE = {"apiGroup": RBAC, "kind": "Group", "name": "00000000-0000-0000-0000-00000000d001"}


def _resource(kind: str, name: str, body: dict[str, Any], namespace: str = "") -> dict[str, Any]:
    token = f"kubernetes:{RBAC}/v1:{kind}"
    qualified = f"{namespace}/{name}" if namespace else name
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {
        "urn": f"urn:pulumi:t::manifests::{token}::{qualified}",
        "type": token,
        "name": qualified,
        "parent": None,
        "inputs": {"metadata": metadata, **body},
    }


def binding(
    name: str, role: str, subjects: list[dict], ns: str = "team-a", kind: str = "ClusterRole"
):
    body = {"roleRef": {"apiGroup": RBAC, "kind": kind, "name": role}, "subjects": subjects}
    return _resource("RoleBinding", name, body, ns)


def account(name: str, ns: str = "team-a") -> dict[str, str]:
    return {"kind": "ServiceAccount", "name": name, "namespace": ns}


def _failures(*resources: dict[str, Any]) -> list[str]:
    results = evaluate(list(resources), rules=RULES)
    return [r["message"] for r in results if r["status"] == "fail"]


def test_a_service_account_nobody_can_act_as_may_hold_admin():
    # People here only read: they cannot run code as the account.
    assert (
        _failures(
            binding("readers", "view", [PEOPLE]),
            binding("operator", "admin", [account("operator")]),
        )
        == []
    )


def test_the_same_account_is_a_path_once_people_can_create_pods():
    failures = _failures(
        binding("owners", "tenant", [PEOPLE], kind="Role"),
        _resource(
            "Role",
            "tenant",
            {"rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]}]},
            "team-a",
        ),
        binding("operator", "admin", [account("operator")]),
    )
    assert len(failures) == 1 and "ServiceAccount team-a/operator" in failures[0]
    assert "writing Roles or RoleBindings" in failures[0]


def test_system_namespaces_are_not_tenants():
    assert (
        _failures(binding("csi", "admin", [account("csi", "kube-system")], ns="kube-system")) == []
    )


def test_a_cluster_role_binding_to_a_tenant_account_counts():
    crb = _resource(
        "ClusterRoleBinding",
        "team-a-operator",
        {"roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
         "subjects": [account("operator")]},
    )  # fmt: skip
    failures = _failures(binding("owners", "edit", [PEOPLE]), crb)
    assert any("ClusterRoleBinding team-a-operator" in f for f in failures)


@pytest.mark.parametrize(
    ("labels", "caught"),
    [
        ({"rbac.authorization.k8s.io/aggregate-to-edit": "true"}, True),
        ({"rbac.authorization.k8s.io/aggregate-to-view": "true"}, False),
    ],
)
def test_custom_aggregated_roles_carry_what_they_aggregate(labels, caught):
    aggregated = _resource(
        "ClusterRole",
        "team-role",
        {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": labels}]}, "rules": []},
    )
    failures = _failures(aggregated, binding("owners", "team-role", [PEOPLE]))
    assert bool(failures) == caught
