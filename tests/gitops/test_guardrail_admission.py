"""A tenant cannot change or delete its guardrails: the rendered admission policies, evaluated.

Issue 11, finding 2: `edit`/`admin` could delete the default deny and the DNS allow, and
the namespace stayed open until the next reconcile. Each cluster's own build (its
infrastructure and tenants Kustomizations) is evaluated as the API server would
(admission.py, CEL by cel-python), for every platform object of every tenant namespace.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from admission import Admission, Request
from gitops_support import GITOPS, kustomize

from components import gitops_layout as layout
from components import tenancy

CLUSTERS = [
    ("dev", "dev1"),
    ("staging", "stg1"),
    ("staging", "eks1"),
    ("prod", "weu1"),
    ("prod", "neu1"),
    ("prod", "plant1"),
]
# Group and plural of every kind the platform renders into a tenant namespace. A new kind
# must be added here, and so to the protected kinds of components/tenancy.py.
RESOURCES = {
    "NetworkPolicy": ("networking.k8s.io", "networkpolicies"),
    "ResourceQuota": ("", "resourcequotas"),
    "LimitRange": ("", "limitranges"),
    "ServiceAccount": ("", "serviceaccounts"),
    "Role": ("rbac.authorization.k8s.io", "roles"),
    "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings"),
    "SecretProviderClass": ("secrets-store.csi.x-k8s.io", "secretproviderclasses"),
}
OWNER = "alice@contoso.example"
OWNER_GROUP = "00000000-0000-0000-0000-00000000d001"


@functools.cache
def _cluster(stack: str, cluster: str) -> tuple[Admission, dict[str, Any], list[dict[str, Any]]]:
    folder = GITOPS / "clusters" / stack / cluster
    infrastructure = kustomize(folder / layout.INFRASTRUCTURE)
    tenants = kustomize(folder / layout.TENANTS)
    namespaces = {o["metadata"]["name"]: o for o in tenants if o["kind"] == "Namespace"}
    owned = [o for o in tenants if o["kind"] != "Namespace"]
    return Admission(infrastructure), namespaces, owned


def _request(obj: dict[str, Any], operation: str, user: str, **change: Any) -> Request:
    group, resource = RESOURCES[obj["kind"]]
    return Request(
        operation=operation,
        group=group,
        resource=resource,
        namespace=obj["metadata"]["namespace"],
        username=user,
        groups=(OWNER_GROUP,),
        old_object=None if operation == "CREATE" else obj,
        object=None if operation == "DELETE" else change.get("new", obj),
    )


def _without_label(obj: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(obj)
    del changed["metadata"]["labels"][tenancy.OWNED_LABEL]
    return changed


@pytest.mark.parametrize(("stack", "cluster"), CLUSTERS)
def test_tenants_cannot_change_or_delete_any_platform_object(stack, cluster):
    admission, namespaces, owned = _cluster(stack, cluster)
    assert owned
    tenant_flux = "system:serviceaccount:{}:" + layout.FLUX_TENANT_SERVICE_ACCOUNT
    for obj in owned:
        namespace = namespaces[obj["metadata"]["namespace"]]
        for user in (OWNER, tenant_flux.format(obj["metadata"]["namespace"])):
            for operation, change in [
                ("DELETE", {}),
                ("UPDATE", {"new": _without_label(obj)}),
                ("UPDATE", {"new": obj}),
            ]:
                request = _request(obj, operation, user, **change)
                assert admission.denials(request, namespace), (obj["kind"], operation, user)


@pytest.mark.parametrize(("stack", "cluster"), CLUSTERS)
def test_the_platform_and_namespace_deletion_may(stack, cluster):
    admission, namespaces, owned = _cluster(stack, cluster)
    for obj in owned:
        namespace = namespaces[obj["metadata"]["namespace"]]
        request = _request(obj, "DELETE", tenancy.PLATFORM_FLUX_IDENTITY)
        assert admission.denials(request, namespace) == []
        assert (
            admission.denials(_request(obj, "UPDATE", tenancy.PLATFORM_FLUX_IDENTITY), namespace)
            == []
        )
        # `kubectl delete namespace`: the namespace controller empties a terminating namespace.
        terminating = copy.deepcopy(namespace)
        terminating["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:00Z"
        controller = "system:serviceaccount:kube-system:namespace-controller"
        assert admission.denials(_request(obj, "DELETE", controller), terminating) == []


def _own_policy(namespace: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-web", "namespace": namespace, "labels": labels or {}},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]},
    }


@pytest.mark.parametrize(("stack", "cluster"), [("dev", "dev1"), ("staging", "eks1")])
def test_tenants_keep_their_own_objects_but_cannot_claim_the_platform_label(stack, cluster):
    admission, namespaces, _ = _cluster(stack, cluster)
    name, namespace = next(iter(namespaces.items()))
    own = _own_policy(name)
    for operation in ("CREATE", "UPDATE", "DELETE"):
        assert admission.denials(_request(own, operation, OWNER), namespace) == []
    claimed = _own_policy(name, {tenancy.OWNED_LABEL: "true"})
    assert admission.denials(_request(claimed, "CREATE", OWNER), namespace)
    relabelled = _request(own, "UPDATE", OWNER, new=claimed)
    assert admission.denials(relabelled, namespace)


def _secret(namespace: str, secret_type: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": secret_type,
        "metadata": {
            "name": "token",
            "namespace": namespace,
            "annotations": {"kubernetes.io/service-account.name": "flux-applier"},
        },
    }


@pytest.mark.parametrize(("stack", "cluster"), [("dev", "dev1"), ("staging", "eks1")])
def test_tenants_cannot_mint_service_account_token_secrets(stack, cluster):
    admission, namespaces, _ = _cluster(stack, cluster)
    name, namespace = next(iter(namespaces.items()))

    def create(secret_type: str, user: str = OWNER) -> list[str]:
        obj = _secret(name, secret_type)
        request = Request("CREATE", "", "secrets", name, user, object=obj, groups=(OWNER_GROUP,))
        return admission.denials(request, namespace)

    assert create(tenancy.SERVICE_ACCOUNT_TOKEN_TYPE)
    assert create("Opaque") == []
    assert create(tenancy.SERVICE_ACCOUNT_TOKEN_TYPE, tenancy.PLATFORM_FLUX_IDENTITY) == []


def test_system_namespaces_are_not_the_policies_business():
    admission, _, _ = _cluster("dev", "dev1")
    kube_system = {"metadata": {"name": "kube-system", "labels": {}}}
    policy = _own_policy("kube-system", {tenancy.OWNED_LABEL: "true"})
    assert admission.denials(_request(policy, "DELETE", OWNER), kube_system) == []
