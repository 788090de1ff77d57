"""components/flux.py under the offline engine: what Pulumi asks Azure to install."""

from __future__ import annotations

import contextvars
import json
from typing import Any

import pytest
from gitops_support import FLUX_CONFIGURATION, FLUX_EXTENSION, STACK_DIR
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await
from support import SHIPPED_STACKS, of_type, offline_run, run_raw_config, shipped_raw_config

from bootstrap import stacks
from bootstrap.engine.mocks import PlatformMocks
from bootstrap.engine.monitor import RecordingMonitor
from components import gitops_layout as layout
from components.common import Placement
from components.flux import ARC, ClusterFlux, ClusterFluxArgs
from components.naming import Naming

SSH_URL = "ssh://git@github.com/contoso/aks-platform.git"


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_flux_extension_is_locked_down(stack):
    extensions = [
        r
        for r in of_type(offline_run(stack), FLUX_EXTENSION)
        if r["inputs"]["extensionType"] == "microsoft.flux"
    ]
    assert extensions
    for extension in extensions:
        inputs = extension["inputs"]
        assert inputs["configurationSettings"]["multiTenancy.enforce"] == "true"
        assert inputs["configurationSettings"]["image-automation-controller.enabled"] == "false"
        assert inputs["autoUpgradeMinorVersion"] is True
        assert inputs["releaseTrain"] == "Stable"
        assert inputs["scope"] == {"cluster": {"releaseNamespace": layout.FLUX_NAMESPACE}}


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_flux_configuration_reconciles_in_order(stack):
    run = offline_run(stack)
    config = stacks.load(STACK_DIR, stack).config
    extension_urns = {r["urn"] for r in of_type(run, FLUX_EXTENSION)}
    for resource in of_type(run, FLUX_CONFIGURATION):
        inputs = resource["inputs"]
        assert inputs["scope"] == "cluster"
        assert inputs["namespace"] == layout.FLUX_NAMESPACE
        assert inputs["sourceKind"] == "GitRepository"
        git = inputs["gitRepository"]
        assert git["url"] == config.repo_url and git["url"].startswith("https://")
        assert git["repositoryRef"] == {"branch": config.gitops.branch}
        assert git["syncIntervalInSeconds"] == config.gitops.sync_interval_seconds
        kustomizations = inputs["kustomizations"]
        cluster = next(
            name for name in config.cluster_names if inputs["clusterName"].endswith(f"-{name}")
        )
        assert set(kustomizations) == set(layout.kustomizations_of(config, cluster))
        assert "dependsOn" not in kustomizations["infrastructure"]
        assert kustomizations["tenants"]["dependsOn"] == ["infrastructure"]
        assert kustomizations["apps"]["dependsOn"] == ["tenants"]
        if layout.CALICO in kustomizations:
            # The backstop follows the baseline but nothing waits for it.
            assert kustomizations[layout.CALICO]["dependsOn"] == ["infrastructure"]
            assert "postBuild" not in kustomizations[layout.CALICO]
        for kustomization in kustomizations.values():
            assert kustomization["prune"] is True
            assert 0 < kustomization["retryIntervalInSeconds"] <= kustomization["timeoutInSeconds"]
        assert "configurationProtectedSettings" not in inputs, "public repository: no secret"
        assert set(resource["dependencies"]) & extension_urns, "installed after the extension"


def _ssh_stack() -> dict[str, Any]:
    raw = json.loads(json.dumps(shipped_raw_config("dev")))
    raw["platform:gitops"].update(
        {"repoUrl": SSH_URL, "auth": "sshKey", "sshKeySecretName": "flux-deploy-key"}
    )
    return raw


def test_private_repository_key_is_a_secret_read_from_key_vault():
    run = run_raw_config("dev", _ssh_stack())
    (configuration,) = of_type(run, FLUX_CONFIGURATION)
    assert configuration["inputs"]["gitRepository"]["url"] == SSH_URL
    assert configuration["inputs"]["configurationProtectedSettings"] == {
        "sshPrivateKey": "[secret]"
    }
    (deploy_key,) = [r for r in run.resources if r["name"].endswith("flux-deploy-key")]
    assert deploy_key["inputs"]["secret_name"] == "flux-deploy-key"
    assert deploy_key["inputs"]["vault_name"].startswith("kv-dev-")
    assert deploy_key["urn"] in configuration["dependencies"]
    assert "PRIVATE KEY" not in json.dumps(run.resources)


def _record(program: Any) -> list[dict[str, Any]]:
    """Runs a few resource declarations under the offline engine's recording mocks."""

    def body() -> list[dict[str, Any]]:
        config = stacks.load(STACK_DIR, "staging").config
        mocks = PlatformMocks(config.subscription_id, config.tenant_id)
        monitor = RecordingMonitor(mocks)
        pulumi_mocks.set_mocks(mocks, project="p", stack="staging", preview=False, monitor=monitor)
        program(Placement(config, Naming.for_config(config), "rg-plat-staging", "/rg"))
        _sync_await(wait_for_rpcs())
        return [entry.as_plan_entry() for entry in monitor.recorded]

    return contextvars.Context().run(body)


def test_component_serves_arc_connected_clusters():
    def program(placement: Placement) -> None:
        ClusterFlux(
            "eks1-flux",
            ClusterFluxArgs(
                placement=placement,
                cluster_name="eks1",
                cluster_resource_name="arc-plat-staging-eks1",
                cluster_rp=ARC[0],
                cluster_type=ARC[1],
                substitutions={layout.AZURE_TENANT_ID_VARIABLE: placement.config.tenant_id},
            ),
        )

    resources = _record(program)
    (extension,) = [r for r in resources if r["type"] == FLUX_EXTENSION]
    (configuration,) = [r for r in resources if r["type"] == FLUX_CONFIGURATION]
    for resource in (extension, configuration):
        assert resource["inputs"]["clusterRp"] == "Microsoft.Kubernetes"
        assert resource["inputs"]["clusterResourceName"] == "connectedClusters"
        assert resource["inputs"]["clusterName"] == "arc-plat-staging-eks1"
    assert extension["inputs"]["identity"] == {"type": "SystemAssigned"}
    paths = {k["path"] for k in configuration["inputs"]["kustomizations"].values()}
    # A connected (EKS) cluster: no Calico backstop.
    expected = (*layout.KUSTOMIZATIONS, *layout.VERIFICATION)
    assert paths == {f"./gitops/clusters/staging/eks1/{k}" for k in expected}


def test_unsupported_cluster_type_is_refused():
    def program(placement: Placement) -> None:
        ClusterFlux(
            "x-flux",
            ClusterFluxArgs(placement, "x", "x", "Microsoft.HybridContainerService", "x"),
        )

    with pytest.raises(ValueError, match="unsupported cluster type"):
        _record(program)


def test_private_repository_without_a_key_is_refused():
    def program(placement: Placement) -> None:
        gitops = placement.config.gitops.model_copy(
            update={"auth": "sshKey", "ssh_key_secret_name": "k", "repo_url": SSH_URL}
        )
        config = placement.config.model_copy(update={"gitops": gitops})
        ClusterFlux(
            "x-flux",
            ClusterFluxArgs(Placement(config, placement.naming, "rg", "/rg"), "stg1", "aks", *ARC),
        )

    with pytest.raises(ValueError, match="needs the deploy key"):
        _record(program)
