"""The stack schema refuses what Azure would refuse at deploy time (issue 8, finding 4).

Same table style as test_config_validation.py: each case is one line naming the file, the
line, the key path and what is expected. The limits come from Microsoft's documentation,
cited next to each rule in components/config/.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from test_config_validation import BASE, CLUSTER, Mutation, set_key, write

from components.config import ConfigError, load_stack_file

GITHUB = ("platform:github",)


def extra_subjects(*subjects: str) -> Mutation:
    return set_key((*GITHUB, "extraSubjects"), list(subjects))


def many_clusters(count: int, tenant_key_vault: bool) -> Mutation:
    """`count` AKS clusters (distinct /20 spokes) and one Key Vault tenant on all of them."""

    def mutate(doc: dict[str, Any]) -> None:
        template = doc["config"]["platform:clusters"][0]
        clusters = []
        for index in range(count):
            cluster = copy.deepcopy(template)
            cluster["name"] = f"dev{index + 1}"
            cluster["network"] = {"addressSpace": f"10.{100 + index}.0.0/20"}
            clusters.append(cluster)
        doc["config"]["platform:clusters"] = clusters
        doc["config"]["platform:gitops"]["tenants"][0]["keyVault"] = tenant_key_vault

    return mutate


def channels(upgrade: str, node_os: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        cluster = doc["config"]["platform:clusters"][0]
        cluster["upgradeChannel"] = upgrade
        cluster["nodeOsUpgradeChannel"] = node_os

    return mutate


TAG = "repo:contoso/aks-platform:ref:refs/tags/v1"

# (case id, mutation, expected key path in the message, expected words)
CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "cluster-name-shorter-than-a-credential-name",
        set_key((*CLUSTER, "name"), "d1"),
        "platform:clusters[0].name",
        "3-120 characters",
    ),
    (
        "extra-subject-repeats-the-environment-subject",
        extra_subjects("repo:contoso/aks-platform:environment:dev"),
        "platform:github.extraSubjects[0]",
        "already trusted",
    ),
    (
        "extra-subject-twice",
        extra_subjects(TAG, TAG),
        "platform:github.extraSubjects[1]",
        "listed twice",
    ),
    (
        "more-than-20-deploy-credentials",
        extra_subjects(*(f"repo:contoso/aks-platform:ref:refs/tags/v{n}" for n in range(20))),
        "platform:github.extraSubjects",
        "at most 20",
    ),
    (
        "key-vault-tenant-on-more-than-20-clusters",
        many_clusters(21, tenant_key_vault=True),
        "platform:gitops.tenants[0].clusters",
        "at most 20",
    ),
    (
        "registry-below-premium",
        set_key(("platform:registry",), {"sku": "Standard"}),
        "platform:registry.sku",
        "Premium",
    ),
    (
        "export-disabled-on-a-public-registry",
        set_key(("platform:registry",), {"publicNetworkAccess": True}),
        "platform:registry.publicNetworkAccess",
        "exportEnabled",
    ),
    (
        "node-image-upgrades-with-another-node-os-channel",
        channels("node-image", "SecurityPatch"),
        "platform:clusters[0].nodeOsUpgradeChannel",
        "NodeImage",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "key", "words"), CASES, ids=[c[0] for c in CASES])
def test_azure_limit_is_one_clear_line(
    tmp_path: Path, case: str, mutate: Mutation, key: str, words: str
) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    with pytest.raises(ConfigError) as caught:
        load_stack_file(write(tmp_path, document))
    message = str(caught.value)
    assert "\n" not in message
    assert re.match(rf"^.*Pulumi\.dev\.yaml:\d+: {re.escape(key)}:", message), message
    assert words in message, message


@pytest.mark.parametrize(
    "mutate",
    [
        extra_subjects(*(f"repo:contoso/aks-platform:ref:refs/tags/v{n}" for n in range(19))),
        many_clusters(20, tenant_key_vault=True),
        many_clusters(21, tenant_key_vault=False),
        set_key((*CLUSTER, "name"), "dv1"),
        channels("node-image", "NodeImage"),
        set_key(("platform:registry",), {"publicNetworkAccess": True, "exportEnabled": True}),
    ],
    ids=[
        "20-deploy-credentials",
        "tenant-on-20-clusters",
        "21-clusters-without-key-vault-tenant",
        "three-letter-cluster",
        "node-image-with-node-image",
        "public-registry-with-export",
    ],
)
def test_values_at_the_limit_are_accepted(tmp_path: Path, mutate: Mutation) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    load_stack_file(write(tmp_path, document))
