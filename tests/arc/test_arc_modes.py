"""Arc onboarding modes and their schema: adopt reads and never writes; program onboards.

Keys and certificates are made at run time (never committed).
"""

# Parameter tables read best one per line.
# ruff: noqa: E501

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from support import run_raw_config, shipped_raw_config, validated_config

from components.config import ConfigError
from policies.context import PolicyContext
from policies.evaluator import evaluate

CONNECTED = "azure-native:kubernetes:ConnectedCluster"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"


def _ssh_key(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


def _staging_with(arc: list[dict[str, Any]]) -> dict[str, Any]:
    raw = copy.deepcopy(shipped_raw_config("staging"))
    raw["platform:arcClusters"] = arc
    return raw


ADOPTED = {
    "name": "k3s1",
    "kind": "connected",
    "onboarding": "adopt",
    "distribution": "k3s",
    "adminGroupObjectIds": ["00000000-0000-0000-0000-00000000c001"],
}


def test_adopted_cluster_is_read_never_declared() -> None:
    raw = _staging_with([ADOPTED])
    run = run_raw_config("staging", raw)
    assert not [r for r in run.resources if r["type"] == CONNECTED], "never created or updated"
    assert not [r for r in run.resources if r["type"].startswith(("tls:", "kubernetes:helm"))]
    name = "arc-plat-staging-k3s1"
    extensions = [
        r for r in run.resources if r["type"] == EXTENSION and r["inputs"]["clusterName"] == name
    ]
    assert {e["inputs"]["extensionType"] for e in extensions} == {
        "microsoft.flux",
        "microsoft.azuredefender.kubernetes",
        "microsoft.policyinsights",
        "microsoft.azuremonitor.containers",
    }
    # Everything on the adopted cluster is scoped by the ID that was read.
    scoped = [
        r
        for r in run.resources
        if str(r["inputs"].get("scope", "")).endswith(f"/connectedClusters/{name}")
    ]
    assert scoped, "role assignments on the adopted cluster"

    config = validated_config("staging", raw)
    context = PolicyContext.from_config(config)
    assert context.settings.adopted_arc_clusters == ((name, "k3s"),)
    results = evaluate(run.resources, context)
    failing = {
        r["controls"][0]
        for r in results
        if r["status"] == "fail" and r["enforcement"] == "mandatory"
    }
    assert failing == set()
    # The pack still sees the adopted cluster: without its Defender extension, ARC-EXT-01 fails.
    stripped = [
        r
        for r in run.resources
        if not (r in extensions and "azuredefender" in r["inputs"]["extensionType"])
    ]
    failing = {r["controls"][0] for r in evaluate(stripped, context) if r["status"] == "fail"}
    assert "ARC-EXT-01" in failing


def test_program_onboarding_on_a_supported_distribution_enables_azure_rbac_with_guard() -> None:
    raw = _staging_with([{**ADOPTED, "onboarding": "program", "kubeContext": "k3s-admin"}])
    run = run_raw_config("staging", raw)
    (connected,) = [r for r in run.resources if r["type"] == CONNECTED]
    assert connected["inputs"]["aadProfile"]["enableAzureRBAC"] is True
    (release,) = [r for r in run.resources if r["type"] == "kubernetes:helm.sh/v3:Release"]
    assert release["inputs"]["values"]["systemDefaultValues"]["guard"] == {
        "enabled": True,
        "authnMode": "arc",
        "skipAuthzCheck": "",
    }
    (provider,) = [r for r in run.resources if r["type"] == "pulumi:providers:kubernetes"]
    assert provider["inputs"]["context"] == "k3s-admin"
    assert "kubeconfig" not in provider["inputs"], "no credentials in the state"


def test_eks_provider_authenticates_with_an_exec_credential() -> None:
    run = run_raw_config("staging", shipped_raw_config("staging"))
    (provider,) = [r for r in run.resources if r["type"] == "pulumi:providers:kubernetes"]
    kubeconfig = json.loads(provider["inputs"]["kubeconfig"])
    (user,) = kubeconfig["users"]
    assert user["user"]["exec"]["command"] == "aws"
    assert user["user"]["exec"]["args"][:4] == ["--region", "eu-west-1", "eks", "get-token"]
    assert "token" not in json.dumps(user["user"]).replace("get-token", "")


def _azure_local(**changes: Any) -> dict[str, Any]:
    local = {
        "customLocationId": "/subscriptions/00000000-0000-0000-0000-00000000b002/resourceGroups/rg/providers/Microsoft.ExtendedLocation/customLocations/cl",
        "logicalNetworkId": "/subscriptions/00000000-0000-0000-0000-00000000b002/resourceGroups/rg/providers/Microsoft.AzureStackHCI/logicalNetworks/ln",
        "controlPlaneIp": "10.40.0.10",
        "sshPublicKey": _ssh_key(3072),
        "sshAuthorizedIpRanges": ["10.40.255.0/24"],
    }
    local.update(changes)
    return {"name": "plant2", "kind": "azureLocal", "azureLocal": local}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({k: v for k, v in ADOPTED.items() if k != "onboarding"}, "needs onboarding: program"),
        ({k: v for k, v in ADOPTED.items() if k != "distribution"}, "needs the distribution"),
        ({**ADOPTED, "onboarding": "program"}, "exactly one way into the cluster"),
        ({**ADOPTED, "kubeContext": "ctx"}, "an adopted cluster is only read"),
        ({**ADOPTED, "distribution": "aks_management"}, "aks_management"),
        (_azure_local(sshPublicKey=None), "sshPublicKey"),
        (_azure_local(controlPlaneIp="10.40.0"), "controlPlaneIp"),
        (_azure_local(sshAuthorizedIpRanges=["0.0.0.0/0"]), "opens node SSH to every address"),
        (_azure_local(sshAuthorizedIpRanges=[]), "sshAuthorizedIpRanges"),
    ],
    ids=["no-mode", "no-distribution", "program-without-access", "adopt-with-context", "management-cluster",
         "no-ssh-key", "bad-endpoint", "ssh-from-anywhere", "no-ssh-ranges"],
)  # fmt: skip
def test_schema_refuses_in_one_line(entry: dict[str, Any], expected: str) -> None:
    if "azureLocal" in entry:
        entry["azureLocal"] = {k: v for k, v in entry["azureLocal"].items() if v is not None}
    with pytest.raises(ConfigError) as error:
        validated_config("staging", _staging_with([entry]))
    message = str(error.value)
    assert "\n" not in message and "arcClusters" in message and expected in message


def test_short_ssh_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="2048 bits"):
        validated_config("staging", _staging_with([_azure_local(sshPublicKey=_ssh_key(2048))]))


def test_eks_section_needs_eks_distribution() -> None:
    (eks1,) = shipped_raw_config("staging")["platform:arcClusters"]
    with pytest.raises(ConfigError, match="distribution eks"):
        validated_config("staging", _staging_with([{**eks1, "distribution": "k3s"}]))
    bad_ca = {
        **eks1,
        "eks": {**eks1["eks"], "certificateAuthority": base64.b64encode(b"x").decode()},
    }
    with pytest.raises(ConfigError, match="certificateAuthority"):
        validated_config("staging", _staging_with([bad_ca]))
