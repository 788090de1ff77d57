"""The CrossGuard pack: built per stack, importable without a server, and served for real.

The live tests start the pack the way the Pulumi CLI does (pack_engine.py: the language
host's command line and environment, the engine's configuration steps), talk to it over the
Analyzer gRPC protocol with the SDK's own stubs, and stop it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pack_engine import running_pack, stack_configuration
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationPolicy,
)
from secure_plan import context, secure_resources
from support import run_python, shipped_raw_config

from bootstrap.engine.runner import engine_config
from components.config import Waiver
from policies.catalog import load_catalog
from policies.context import PolicyContext
from policies.pack import WAIVER_LIST_POLICY, build_policies, describe, initial_config

CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
CLUSTER_URN = (
    "urn:pulumi:prod::aks-platform::azure-native:containerservice:ManagedCluster::weu1-aks"
)


def insecure_cluster() -> dict[str, Any]:
    [cluster] = [r for r in secure_resources() if r["name"] == "dev1-aks"]
    inputs = cluster["inputs"]
    inputs["disableLocalAccounts"] = False
    return inputs


def args_for(props: dict[str, Any], urn: str = CLUSTER_URN) -> ResourceValidationArgs:
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return ResourceValidationArgs(CLUSTER_TYPE, props, urn, "weu1-aks", options, None)


def run_policy(policies: list[Any], name: str, props: dict[str, Any]) -> list[str]:
    [policy] = [p for p in policies if p.name == name]
    reported: list[str] = []
    policy.validate(args_for(props), lambda message, urn=None: reported.append(message))
    return reported


def test_policy_objects_import_without_a_server() -> None:
    code = "import policies.rules, policies.evaluator, policies.pack; print('ok')"
    done = run_python("-c", code)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_one_policy_per_control_plus_the_waiver_list() -> None:
    policies = build_policies(context())
    names = [p.name for p in policies]
    assert len(names) == len(set(names))
    assert set(names) == {c.policy for c in load_catalog()} | {WAIVER_LIST_POLICY}
    levels = describe(policies)
    for control in load_catalog():
        assert levels[control.policy] == control.enforcement
    assert levels[WAIVER_LIST_POLICY] == "advisory"


def test_stack_overrides_set_the_engine_level() -> None:
    loosened = PolicyContext(
        settings=context().settings, enforcement_overrides={"AKS-ID-02": "advisory"}
    )
    levels = describe(build_policies(loosened))
    assert levels["aks-local-accounts-disabled"] == EnforcementLevel.ADVISORY.value


def _with_waiver(expires: dt.date) -> PolicyContext:
    waiver = Waiver(
        control="AKS-ID-02", reason="break-glass access for the migration", expires=expires
    )
    return PolicyContext(settings=context().settings, waivers=(waiver,))


def test_active_waiver_suppresses_the_engine_violation() -> None:
    policies = build_policies(_with_waiver(dt.date.today() + dt.timedelta(days=10)))
    assert run_policy(policies, "aks-local-accounts-disabled", insecure_cluster()) == []
    [listing] = [p for p in policies if p.name == WAIVER_LIST_POLICY]
    assert isinstance(listing, StackValidationPolicy)
    listed: list[str] = []
    listing.validate(None, lambda message, urn=None: listed.append(message))  # type: ignore[arg-type]
    assert len(listed) == 1 and "AKS-ID-02" in listed[0]


def test_expired_waiver_reports_again() -> None:
    policies = build_policies(_with_waiver(dt.date.today() - dt.timedelta(days=1)))
    [message] = run_policy(policies, "aks-local-accounts-disabled", insecure_cluster())
    assert "waiver expired" in message


def test_initial_config_carries_the_stack_settings() -> None:
    policies = build_policies(context())
    config = initial_config(context(), policies)
    assert set(config) == {p.name for p in policies}
    assert config["images-from-platform-registry"]["registryLoginServers"] == list(
        context().settings.registry_login_servers
    )


# ---- the served pack


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The prod pack, started and configured as the Pulumi CLI does (pack_engine.py)."""
    request = stack_configuration("prod", engine_config(shipped_raw_config("prod")))
    with running_pack(request, tmp_path_factory.mktemp("pack") / "stderr") as pack:
        yield pack.stub


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(props, message)
    return message


def test_served_pack_describes_its_policies(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "aks-platform-baseline"
    policies = {p.name: p for p in info.policies}
    assert set(policies) >= {c.policy for c in load_catalog()}
    local = policies["aks-local-accounts-disabled"]
    assert local.enforcementLevel == analyzer_pb2.MANDATORY
    assert "AKS-ID-02" in local.description
    assert info.initialConfig["aks-local-accounts-disabled"].properties["isProduction"] is True


def test_served_pack_blocks_an_insecure_cluster(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    request = analyzer_pb2.AnalyzeRequest(
        type=CLUSTER_TYPE, urn=CLUSTER_URN, name="weu1-aks", properties=_struct(insecure_cluster())
    )
    response = analyzer.Analyze(request)
    violations = {(d.policyName, d.enforcementLevel) for d in response.diagnostics}
    assert violations == {("aks-local-accounts-disabled", analyzer_pb2.MANDATORY)}


def test_served_pack_reports_unknowns_as_not_decidable(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    props = insecure_cluster()
    props["disableLocalAccounts"] = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"  # unknown boolean
    response = analyzer.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type=CLUSTER_TYPE, urn=CLUSTER_URN, name="weu1-aks", properties=_struct(props)
        )
    )
    [diagnostic] = [
        d for d in response.diagnostics if d.policyName == "aks-local-accounts-disabled"
    ]
    assert "during preview" in diagnostic.message
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY


def test_served_pack_runs_stack_policies(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    resource = analyzer_pb2.AnalyzerResource(
        type=CLUSTER_TYPE, urn=CLUSTER_URN, name="weu1-aks", properties=_struct(insecure_cluster())
    )
    response = analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[resource]))
    names = {d.policyName for d in response.diagnostics}
    # A lone cluster lacks its maintenance windows, Flux and diagnostics.
    assert {
        "aks-maintenance-windows",
        "flux-on-every-cluster",
        "diagnostic-settings-to-workspace",
    } <= names
