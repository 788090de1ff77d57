"""Who can do what in a tenant namespace, resolved from each cluster's real build.

Issue 11, finding 1: owners bound to `edit` could mint a token for `flux-applier` (bound to
`admin`) and bind `admin` to anyone. Finding 7: self-service through Flux relied on Flux's
aggregated roles, which the cluster may not have. Rights are resolved only from the roles
in the tree and Kubernetes' own built-in roles (no aggregated extras).
"""

from __future__ import annotations

import functools

import pytest
from gitops_support import GITOPS, STACK_DIR

from bootstrap import stacks
from components import gitops_layout as layout
from components.platform import WORKLOAD_SERVICE_ACCOUNT
from policies.evaluator import policy_resources
from policies.rules.rbac_model import Rbac, allows, escalations_of
from policies.rules.view import StackView
from policies.sources.manifests import load_manifests


def _clusters() -> list[tuple[str, str]]:
    found = []
    for stack in ("dev", "staging", "prod"):
        config = stacks.load(STACK_DIR, stack).config
        for cluster in [*config.clusters, *config.arc_clusters]:
            found.append((stack, cluster.name))
    return found


@functools.cache
def _rbac(stack: str, cluster: str) -> tuple[Rbac, tuple[tuple[str, str], ...]]:
    folder = GITOPS / "clusters" / stack / cluster / layout.TENANTS
    view = StackView(policy_resources(load_manifests(folder)))
    rbac = Rbac(view)
    owners = tuple(
        (obj.props["metadata"]["name"], _owner_group(rbac, obj.props["metadata"]["name"]))
        for obj in view.of_type("kubernetes:core/v1:Namespace")
    )
    return rbac, owners


def _owner_group(rbac: Rbac, namespace: str) -> str:
    (grant,) = [g for g in rbac.grants if g.binding == f"RoleBinding {namespace}/owners"]
    (subject,) = grant.subjects
    return subject.name


def _rules_of(rbac: Rbac, namespace: str, kind: str, name: str) -> tuple:
    rules: list = []
    for grant in rbac.grants:
        if grant.namespace not in ("", namespace):
            continue
        for subject in grant.subjects:
            if subject.kind == kind and subject.name == name:
                assert grant.rules is not None, f"{grant.binding}: {grant.role} is not in the tree"
                rules.extend(grant.rules)
    return tuple(rules)


CLUSTERS = _clusters()


@pytest.mark.parametrize(("stack", "cluster"), CLUSTERS)
def test_no_tenant_identity_can_escalate(stack, cluster):
    rbac, owners = _rbac(stack, cluster)
    assert owners
    for namespace, group in owners:
        identities = [
            ("Group", group),
            ("ServiceAccount", layout.FLUX_TENANT_SERVICE_ACCOUNT),
            ("ServiceAccount", WORKLOAD_SERVICE_ACCOUNT),
        ]
        for kind, name in identities:
            rules = _rules_of(rbac, namespace, kind, name)
            assert escalations_of(rules) == [], f"{namespace}: {kind} {name}"


@pytest.mark.parametrize(("stack", "cluster"), CLUSTERS)
def test_owners_deploy_and_operate_through_flux_and_kubectl(stack, cluster):
    rbac, owners = _rbac(stack, cluster)
    for namespace, group in owners:
        owner = _rules_of(rbac, namespace, "Group", group)
        applier = _rules_of(rbac, namespace, "ServiceAccount", layout.FLUX_TENANT_SERVICE_ACCOUNT)
        for rules in (owner, applier):
            for group_, resource in [
                ("apps", "deployments"),
                ("", "services"),
                ("", "secrets"),
                ("networking.k8s.io", "networkpolicies"),
                ("secrets-store.csi.x-k8s.io", "secretproviderclasses"),
                ("source.toolkit.fluxcd.io", "gitrepositories"),
                ("source.toolkit.fluxcd.io", "helmrepositories"),
                ("kustomize.toolkit.fluxcd.io", "kustomizations"),
                ("helm.toolkit.fluxcd.io", "helmreleases"),
            ]:
                for verb in ("create", "patch", "delete", "list"):
                    assert allows(rules, verb, group_, resource), (namespace, verb, resource)
            # The namespace's limits are the platform's.
            for resource in ("resourcequotas", "limitranges"):
                assert not allows(rules, "delete", "", resource)
        assert allows(owner, "create", "", "pods/exec")
        assert not allows(applier, "create", "", "pods/exec")
