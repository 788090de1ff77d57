"""Malformed stack files are refused with one line: file, line, key path, expectation."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from components.config import ConfigError, PlatformConfig, load_stack_file

BASE: dict[str, Any] = {
    "config": {
        "platform:environment": "dev",
        "platform:location": "westeurope",
        "platform:tenantId": "00000000-0000-0000-0000-00000000a001",
        "platform:subscriptionId": "00000000-0000-0000-0000-00000000b001",
        "platform:github": {"owner": "contoso", "repo": "aks-platform"},
        "platform:clusters": [
            {
                "name": "dev1",
                "network": {"addressSpace": "10.10.0.0/20"},
                "systemPool": {"name": "system", "minCount": 1, "maxCount": 3},
            }
        ],
        "platform:gitops": {
            "tenants": [{"name": "team-a", "ownerGroupId": "00000000-0000-0000-0000-00000000d001"}]
        },
    }
}

Mutation = Callable[[dict[str, Any]], None]


def cluster(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["config"]["platform:clusters"][0]


def second_cluster(space: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        extra = copy.deepcopy(cluster(doc))
        extra["name"] = "dev2"
        extra["network"] = {"addressSpace": space}
        doc["config"]["platform:clusters"].append(extra)

    return mutate


def set_key(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc["config"]
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def drop_key(key: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        del doc["config"][key]

    return mutate


def waiver(**fields: Any) -> Mutation:
    entry = {
        "control": "AKS-ID-02",
        "reason": "migration of legacy tooling",
        "expires": "2027-01-31",
    }
    entry.update(fields)
    return set_key(("platform:waivers",), [entry])


CLUSTER = ("platform:clusters", 0)
NEXT_YEAR_PLUS = (dt.date.today() + dt.timedelta(days=400)).isoformat()

# (case id, mutation, expected key path in the message, expected words)
CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "unknown-top-key",
        set_key(("platform:clsuters",), []),
        "platform:clsuters",
        "did you mean 'clusters'",
    ),
    (
        "unknown-nested-key",
        set_key((*CLUSTER, "netwrok"), {}),
        "platform:clusters[0].netwrok",
        "did you mean 'network'",
    ),
    (
        "wrong-type",
        set_key((*CLUSTER, "systemPool", "minCount"), "three"),
        "platform:clusters[0].systemPool.minCount",
        "valid integer",
    ),
    (
        "bad-cidr",
        set_key((*CLUSTER, "network", "addressSpace"), "10.10.0.0/33"),
        "platform:clusters[0].network.addressSpace",
        "not an IPv4 CIDR",
    ),
    (
        "host-bits",
        set_key((*CLUSTER, "network", "addressSpace"), "10.10.0.1/20"),
        "platform:clusters[0].network.addressSpace",
        "host bits set",
    ),
    (
        "overlapping-clusters",
        second_cluster("10.10.8.0/21"),
        "platform:clusters[1].network.addressSpace",
        "overlaps platform:clusters[0].network",
    ),
    (
        "overlapping-hub",
        set_key(("platform:network",), {"hub": {"addressSpace": "10.10.1.0/24"}}),
        "platform:clusters[0].network.addressSpace",
        "overlaps platform:network.hub.addressSpace",
    ),
    (
        "subnet-outside-space",
        set_key(
            (*CLUSTER, "network", "subnets"), {"nodes": "10.99.0.0/22", "apiServer": "10.10.8.0/28"}
        ),
        "platform:clusters[0].network.subnets.nodes",
        "outside addressSpace",
    ),
    (
        "unknown-region",
        set_key(("platform:location",), "westeurop"),
        "platform:location",
        "did you mean 'westeurope'",
    ),
    (
        "malformed-guid",
        set_key(("platform:tenantId",), "not-a-guid"),
        "platform:tenantId",
        "expected a GUID",
    ),
    (
        "overlapping-pod-range",
        set_key((*CLUSTER, "network", "addressSpace"), "10.244.0.0/20"),
        "platform:clusters[0].network.addressSpace",
        "overlaps platform:network.podCidr",
    ),
    (
        "wildcard-subject",
        set_key(("platform:github", "extraSubjects"), ["repo:contoso/aks-platform:*"]),
        "platform:github.extraSubjects[0]",
        "wildcard",
    ),
    (
        "bad-github-owner",
        set_key(("platform:github", "owner"), "-contoso"),
        "platform:github.owner",
        "not a GitHub owner",
    ),
    (
        "bad-subject-shape",
        set_key(("platform:github", "extraSubjects"), ["contoso/aks-platform"]),
        "platform:github.extraSubjects[0]",
        "not a GitHub OIDC subject",
    ),
    (
        "workload-identity-needs-oidc",
        set_key((*CLUSTER, "oidcIssuer"), False),
        "platform:clusters[0].oidcIssuer",
        "when workloadIdentity is on",
    ),
    (
        "waiver-bad-date",
        waiver(expires="31/01/2027"),
        "platform:waivers[0].expires",
        "expected YYYY-MM-DD",
    ),
    ("waiver-no-reason", waiver(reason="tbd"), "platform:waivers[0].reason", "at least 10"),
    (
        "waiver-too-long",
        waiver(expires=NEXT_YEAR_PLUS),
        "platform:waivers[0].expires",
        "time-boxed",
    ),
    (
        "waiver-bad-control",
        waiver(control="local-accounts"),
        "platform:waivers[0].control",
        "not a control ID",
    ),
    (
        "environment-mismatch",
        set_key(("platform:environment",), "staging"),
        "platform:environment",
        "does not match the stack 'dev'",
    ),
    (
        "missing-subscription",
        drop_key("platform:subscriptionId"),
        "platform:subscriptionId",
        "required key is missing",
    ),
    (
        "tenant-unknown-cluster",
        set_key(("platform:gitops", "tenants", 0, "clusters"), ["nope"]),
        "platform:gitops.tenants[0].clusters[0]",
        "names cluster 'nope'",
    ),
    (
        "dns-ip-outside-range",
        set_key(("platform:network",), {"dnsServiceIp": "10.0.0.10"}),
        "platform:network.dnsServiceIp",
        "must lie inside serviceCidr",
    ),
    (
        "min-above-max",
        set_key((*CLUSTER, "systemPool", "maxCount"), 0),
        "platform:clusters[0].systemPool",
        "greater than or equal to 1",
    ),
    (
        "private-with-ranges",
        set_key((*CLUSTER, "apiServer"), {"authorizedIpRanges": ["203.0.113.0/24"]}),
        "platform:clusters[0].apiServer.authorizedIpRanges",
        "applies only to a public API server",
    ),
    (
        "secret-in-config",
        set_key(("platform:github", "repo"), {"secure": "v1:abc"}),
        "platform:github.repo",
        "string",
    ),
    (
        "ssh-auth-without-secret",
        set_key(("platform:gitops", "auth"), "sshKey"),
        "platform:gitops.sshKeySecretName",
        "is required with auth sshKey",
    ),
    (
        "reserved-tenant",
        set_key(("platform:gitops", "tenants", 0, "name"), "kube-public"),
        "platform:gitops.tenants[0].name",
        "system namespace",
    ),
    (
        "bad-k8s-version",
        set_key((*CLUSTER, "kubernetesVersion"), "1.33.2"),
        "platform:clusters[0].kubernetesVersion",
        "minor version",
    ),
    (
        # The tenant guardrails are admissionregistration.k8s.io/v1 ValidatingAdmissionPolicies,
        # served from Kubernetes 1.30 on (issue 11).
        "k8s-without-admission-policies",
        set_key((*CLUSTER, "kubernetesVersion"), "1.29"),
        "platform:clusters[0].kubernetesVersion",
        "1.30",
    ),
    (
        "geo-replica-primary",
        set_key(("platform:registry",), {"geoReplications": ["westeurope"]}),
        "platform:registry.geoReplications[0]",
        "primary location",
    ),
]


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "Pulumi.dev.yaml"
    with path.open("w", encoding="utf-8") as stream:
        YAML().dump(document, stream)
    return path


def test_base_document_is_valid(tmp_path: Path) -> None:
    config = load_stack_file(write(tmp_path, BASE))
    assert isinstance(config, PlatformConfig)


@pytest.mark.parametrize(("case", "mutate", "key", "words"), CASES, ids=[c[0] for c in CASES])
def test_malformed_config_is_one_clear_line(
    tmp_path: Path, case: str, mutate: Mutation, key: str, words: str | None
) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    path = write(tmp_path, document)
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert re.match(rf"^.*Pulumi\.dev\.yaml:\d+: {re.escape(key)}", message), message
    if words is not None:
        assert words in message, message


def test_duplicate_cluster_names_are_named(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    second_cluster("10.11.0.0/20")(document)
    document["config"]["platform:clusters"][1]["name"] = "dev1"
    with pytest.raises(ConfigError) as caught:
        load_stack_file(write(tmp_path, document))
    assert "platform:clusters[1].name: cluster name 'dev1' is used twice" in str(caught.value)


def test_error_points_at_the_offending_line(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    set_key((*CLUSTER, "network", "addressSpace"), "10.10.0.0/33")(document)
    path = write(tmp_path, document)
    line_of_key = next(
        number
        for number, text in enumerate(path.read_text().splitlines(), start=1)
        if "addressSpace: 10.10.0.0/33" in text
    )
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    assert caught.value.line == line_of_key


@pytest.mark.parametrize(
    ("case", "text", "words"),
    [
        ("empty-file", "", "stack file is empty"),
        ("whitespace-only", "\n  \n", "stack file is empty"),
        ("invalid-yaml", "config:\n  platform:environment: dev\n bad: [\n", "invalid YAML"),
        (
            "duplicate-yaml-key",
            "config:\n  platform:location: westeurope\n  platform:location: northeurope\n",
            "invalid YAML",
        ),
        ("not-a-mapping", "- just\n- a list\n", "expected a mapping"),
        ("config-not-mapping", "config: 3\n", "'config' must be a mapping"),
        (
            "unknown-file-key",
            "confg:\n  platform:environment: dev\n",
            "unknown top-level key 'confg'",
        ),
        ("no-namespace", "config:\n  environment: dev\n", "has no namespace"),
    ],
)
def test_unreadable_files(tmp_path: Path, case: str, text: str, words: str) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="stack file not found"):
        load_stack_file(tmp_path / "Pulumi.dev.yaml")


def test_empty_sections_yield_the_full_baseline(tmp_path: Path) -> None:
    config = load_stack_file(write(tmp_path, BASE))
    aks = config.clusters[0]
    assert aks.api_server.private and not aks.local_accounts and not aks.ssh_access
    assert aks.kms_etcd_encryption and aks.host_encryption and aks.workload_identity
    assert aks.upgrade_channel != "none" and aks.node_os_upgrade_channel in {
        "NodeImage",
        "SecurityPatch",
    }
    assert config.registry.sku == "Premium" and not config.registry.admin_user
    assert not config.registry.public_network_access and not config.registry.anonymous_pull
    assert config.key_vault.purge_protection and config.key_vault.rbac_authorization
    assert not config.monitoring.local_auth
