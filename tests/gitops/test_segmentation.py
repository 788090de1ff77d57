"""Born segmented: what a tenant namespace and each cluster get, read from the real builds."""

from __future__ import annotations

from typing import Any

import pytest
from gitops_support import GITOPS, STACK_DIR, kustomize

from bootstrap import stacks
from bootstrap.gitops.model import SYSTEM_NAMESPACES
from components import gitops_layout as layout
from components import tenancy
from components.naming import Naming
from components.platform import WORKLOAD_SERVICE_ACCOUNT


def _built(stack: str, cluster: str, kustomization: str) -> list[dict[str, Any]]:
    return kustomize(GITOPS / "clusters" / stack / cluster / kustomization)


def _find(objects: list[dict], kind: str, namespace: str | None, name: str) -> dict:
    for obj in objects:
        meta = obj["metadata"]
        if obj["kind"] == kind and meta.get("namespace") == namespace and meta["name"] == name:
            return obj
    raise AssertionError(f"{kind} {namespace}/{name} not rendered")


def _tenant_cases() -> list[tuple[str, str, str]]:
    cases = []
    for stack in ("dev", "staging", "prod"):
        config = stacks.load(STACK_DIR, stack).config
        names = [c.name for c in config.clusters] + [c.name for c in config.arc_clusters]
        for tenant in config.gitops.tenants:
            for cluster in tenant.clusters or names:
                cases.append((stack, cluster, tenant.name))
    return cases


@pytest.mark.parametrize(("stack", "cluster", "tenant"), _tenant_cases())
def test_tenant_namespace_is_born_segmented(stack, cluster, tenant):
    config = stacks.load(STACK_DIR, stack).config
    declared = next(t for t in config.gitops.tenants if t.name == tenant)
    objects = [
        o
        for o in _built(stack, cluster, layout.TENANTS)
        if o["metadata"].get("namespace", o["metadata"]["name"]) == tenant
    ]

    labels = _find(objects, "Namespace", None, tenant)["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"].startswith("v1.")

    deny = _find(objects, "NetworkPolicy", tenant, "default-deny-all")["spec"]
    assert deny["podSelector"] == {} and sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in deny and "egress" not in deny
    dns = _find(objects, "NetworkPolicy", tenant, "allow-dns-egress")["spec"]
    (rule,) = dns["egress"]
    assert sorted((p["protocol"], p["port"]) for p in rule["ports"]) == [("TCP", 53), ("UDP", 53)]
    (peer,) = rule["to"]
    assert peer["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "kube-system"
    }
    assert peer["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}

    hard = _find(objects, "ResourceQuota", tenant, "tenant-quota")["spec"]["hard"]
    assert hard["requests.cpu"] == declared.quota.cpu
    assert hard["limits.memory"] == declared.quota.memory
    assert hard["pods"] == str(declared.quota.pods)
    (limits,) = _find(objects, "LimitRange", tenant, "container-defaults")["spec"]["limits"]
    assert set(limits["defaultRequest"]) == set(limits["default"]) == {"cpu", "memory"}

    owners = _find(objects, "RoleBinding", tenant, "owners")
    assert owners["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": tenancy.OWNER_ROLE,
    }
    _find(objects, "Role", tenant, tenancy.OWNER_ROLE)
    assert owners["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": declared.owner_group_id}
    ]

    account = layout.FLUX_TENANT_SERVICE_ACCOUNT
    assert (
        _find(objects, "ServiceAccount", tenant, account)["automountServiceAccountToken"] is False
    )
    flux = _find(objects, "RoleBinding", tenant, account)
    assert flux["roleRef"]["kind"] == "Role" and flux["roleRef"]["name"] == tenancy.APPLIER_ROLE
    _find(objects, "Role", tenant, tenancy.APPLIER_ROLE)
    # Everything here is the platform's, and the admission policies find the namespace.
    assert all(o["metadata"]["labels"][tenancy.OWNED_LABEL] == "true" for o in objects)
    assert labels[tenancy.TENANT_LABEL] == tenant
    assert flux["subjects"] == [{"kind": "ServiceAccount", "name": account, "namespace": tenant}]

    workload = [o for o in objects if o["metadata"]["name"] == WORKLOAD_SERVICE_ACCOUNT]
    providers = [o for o in objects if o["kind"] == "SecretProviderClass"]
    if declared.key_vault:
        (service_account,) = workload
        annotations = service_account["metadata"]["annotations"]
        variable = layout.client_id_variable(tenant)
        assert annotations["azure.workload.identity/client-id"] == f"${{{variable}}}"
        assert service_account["automountServiceAccountToken"] is False
        (provider,) = providers
        assert provider["spec"]["parameters"]["clientID"] == f"${{{variable}}}"
        vault = provider["spec"]["parameters"]["keyvaultName"]
        assert vault == Naming.for_config(config).tenant_key_vault(tenant)
    else:
        assert workload == [] and providers == []


def test_hosting_follows_tenant_clusters():
    """staging team-a names stg1 only: the EKS cluster does not get its namespace."""
    on_eks = {
        o["metadata"]["name"]
        for o in _built("staging", "eks1", layout.TENANTS)
        if o["kind"] == "Namespace"
    }
    on_aks = {
        o["metadata"]["name"]
        for o in _built("staging", "stg1", layout.TENANTS)
        if o["kind"] == "Namespace"
    }
    assert on_eks == {"team-b"}
    assert on_aks == {"team-a", "team-b"}


def test_enforce_version_is_pinned_to_the_oldest_host():
    namespaces = {
        o["metadata"]["name"]: o["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"]
        for o in _built("prod", "weu1", layout.TENANTS)
        if o["kind"] == "Namespace"
    }
    # plant-ops also runs on plant1 (Azure Local, 1.32); the others only on 1.33 AKS clusters.
    assert namespaces == {"team-a": "v1.33", "team-b": "v1.33", "plant-ops": "v1.32"}


@pytest.mark.parametrize(
    ("stack", "cluster", "calico"),
    [
        ("dev", "dev1", True),
        ("staging", "stg1", True),
        ("staging", "eks1", False),
        ("prod", "weu1", True),
        ("prod", "plant1", True),
    ],
)
def test_cluster_wide_baseline(stack, cluster, calico):
    objects = _built(stack, cluster, layout.INFRASTRUCTURE)
    coredns = _find(objects, "ConfigMap", "kube-system", "coredns-custom")
    assert coredns["data"]["log.override"].split() == ["log"]
    assert not [o for o in objects if o["apiVersion"].startswith("projectcalico.org/")]
    backstop = GITOPS / "clusters" / stack / cluster / layout.CALICO
    assert backstop.is_dir() == calico, "projectcalico.org/v3 only where Calico runs"
    if calico:
        (policy,) = _built(stack, cluster, layout.CALICO)
        assert policy["kind"] == "GlobalNetworkPolicy"
        spec = policy["spec"]
        assert sorted(spec["types"]) == ["Egress", "Ingress"]
        for namespace in SYSTEM_NAMESPACES:
            assert f"'{namespace}'" in spec["namespaceSelector"]
        assert "not in" in spec["namespaceSelector"]
        assert sorted(rule["protocol"] for rule in spec["egress"]) == ["TCP", "UDP"]
        assert all(rule["destination"]["ports"] == [53] for rule in spec["egress"])
        assert "ingress" not in spec


def test_namespaces_survive_a_prune():
    (namespace,) = [o for o in _built("dev", "dev1", layout.TENANTS) if o["kind"] == "Namespace"]
    assert namespace["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"] == "disabled"


# Kept when the tenant leaves the config (issue 11, finding 3): whatever still runs stays
# segmented and capped until the namespace is deleted. Access (bindings, roles, accounts)
# goes with the config, so removal fails closed on both sides.
SEGMENTATION_KINDS = {"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange"}


@pytest.mark.parametrize(("stack", "cluster", "tenant"), _tenant_cases())
def test_removing_a_tenant_keeps_its_segmentation_and_revokes_its_access(stack, cluster, tenant):
    objects = [
        o
        for o in _built(stack, cluster, layout.TENANTS)
        if o["metadata"].get("namespace", o["metadata"]["name"]) == tenant
    ]
    kept = {
        (o["kind"], o["metadata"]["name"])
        for o in objects
        if (o["metadata"].get("annotations") or {}).get(tenancy.PRUNE_ANNOTATION)
        == tenancy.PRUNE_DISABLED
    }
    assert kept == {
        (o["kind"], o["metadata"]["name"]) for o in objects if o["kind"] in SEGMENTATION_KINDS
    }
    assert {kind for kind, _ in kept} == SEGMENTATION_KINDS
