"""`platform:arcClusters`: clusters outside AKS brought under the same baseline through Azure Arc.

Two kinds:

- `azureLocal`: AKS on Azure Local, which the platform provisions (Microsoft's aksArc
  reference template, components/arc_local.py).
- `connected`: any CNCF cluster (EKS, k3s, ...) connected to Arc, in one of two onboarding
  modes, chosen per cluster:
  - `program`: the program onboards it, as `az connectedk8s connect` does: it generates the
    agent key pair, creates the connected cluster with the public key and installs the Arc
    agents through pulumi-kubernetes (components/arc_onboarding.py). It needs a way into the
    cluster's API server: an `eks` section (written by `bootstrap discover eks`) or a
    `kubeContext` of the deploying machine's kubeconfig.
  - `adopt`: an operator already ran `az connectedk8s connect`; the program only reads the
    connected cluster and never creates or changes it.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from .base import (
    ArmId,
    AzureRegion,
    Cidr,
    Guid,
    IPv4,
    LocatedValueError,
    StrictModel,
    matching,
)
from .clusters import ClusterName, KubernetesMinor, PoolName

# The distributions `az connectedk8s connect --distribution` accepts (Azure/azure-cli-
# extensions src/connectedk8s, _params.py / _constants.py Distribution_Enum_Values), the ones
# this platform can run. `aks_workload` is an AKS workload cluster on Azure Local;
# `aks_management` names the Azure Local *management* cluster and is never a platform cluster.
ConnectedDistribution = Literal[
    "eks", "gke", "k3s", "kind", "openshift", "rancher_rke", "tkg", "canonical", "generic"
]
# Infrastructure values of the same CLI (Infrastructure_Enum_Values).
Infrastructure = Literal["aws", "gcp", "azure_stack_hci", "vsphere", "generic"]

# Azure RBAC on Arc-enabled Kubernetes: "You can't set up this feature for Red Hat OpenShift,
# or for managed Kubernetes offerings of cloud providers like Elastic Kubernetes Service or
# Google Kubernetes Engine where the user doesn't have access to the API server of the
# cluster" (MicrosoftDocs/azure-management-docs articles/azure-arc/kubernetes/azure-rbac.md).
AZURE_RBAC_UNSUPPORTED: frozenset[str] = frozenset({"eks", "gke", "openshift"})
# AKS on Azure Local: a workload cluster ("aks_workload"), on Azure Stack HCI infrastructure.
AZURE_LOCAL_DISTRIBUTION = "aks_workload"
AZURE_LOCAL_INFRASTRUCTURE = "azure_stack_hci"

# AWS names: EKS cluster names (CreateCluster: 1-100 characters, [0-9A-Za-z][A-Za-z0-9-_]*),
# regions (e.g. eu-west-1, us-gov-west-1) and 12-digit account IDs.
_EKS_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")
_AWS_ACCOUNT = re.compile(r"^[0-9]{12}$")
_EKS_ENDPOINT = re.compile(r"^https://[A-Za-z0-9.-]+\.eks\.amazonaws\.com(\.cn)?$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@/_-]+$")
_KUBE_CONTEXT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,252}$")
# At least 3072-bit RSA for the node SSH key: NIST SP 800-57 Part 1 Rev. 5 (table 2) gives
# RSA-3072 128-bit security, what the CIS-aligned hardening guidance asks of new keys;
# AKS on Azure Local takes an RSA public key (aksArc reference parameter `sshRSAPublicKey`).
MIN_SSH_RSA_BITS = 3072


def _certificate_authority(value: str) -> str:
    """EKS's certificateAuthority.data: the cluster CA (PEM), base64-encoded."""
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not base64 (expected EKS's certificateAuthority.data)") from None
    if len(decoded) < 64:
        raise ValueError(
            "is too short for a CA certificate (expected EKS's certificateAuthority.data)"
        )
    return value


def _role_arn(value: str) -> str:
    if len(value) > 2048 or not _ROLE_ARN.match(value):
        raise ValueError(f"'{value}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    return value


def _ssh_rsa_public_key(value: str) -> str:
    """An OpenSSH `ssh-rsa` public key of at least MIN_SSH_RSA_BITS bits, one line."""
    parts = value.strip().split()
    if len(parts) < 2 or parts[0] != "ssh-rsa" or "\n" in value.strip():
        raise ValueError("expected one OpenSSH public key line starting with ssh-rsa")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key data of the ssh-rsa key is not base64") from None
    fields = []
    offset = 0
    while offset < len(blob) and len(fields) < 3:
        length = int.from_bytes(blob[offset : offset + 4], "big")
        fields.append(blob[offset + 4 : offset + 4 + length])
        offset += 4 + length
    if len(fields) != 3 or fields[0] != b"ssh-rsa":
        raise ValueError("the ssh-rsa key data is malformed")
    bits = int.from_bytes(fields[2], "big").bit_length()
    if bits < MIN_SSH_RSA_BITS:
        raise ValueError(f"the ssh-rsa key has {bits} bits (at least {MIN_SSH_RSA_BITS} expected)")
    return " ".join(parts[:2])


EksName = Annotated[
    str,
    matching(
        _EKS_NAME,
        "an EKS cluster name (1-100 letters, digits, '-' or '_', starting with a letter or digit)",
    ),
]
AwsRegion = Annotated[str, matching(_AWS_REGION, "an AWS region (expected e.g. eu-west-1)")]
AwsAccount = Annotated[str, matching(_AWS_ACCOUNT, "an AWS account ID (expected 12 digits)")]
EksEndpoint = Annotated[
    str,
    matching(
        _EKS_ENDPOINT,
        "an EKS API server endpoint (expected https://<id>.<region>.eks.amazonaws.com)",
    ),
]
CertificateAuthority = Annotated[str, AfterValidator(_certificate_authority)]
KubeContext = Annotated[str, matching(_KUBE_CONTEXT, "a kubeconfig context name")]
RoleArn = Annotated[str, AfterValidator(_role_arn)]
SshRsaPublicKey = Annotated[str, AfterValidator(_ssh_rsa_public_key)]


class EksConnection(StrictModel):
    """How the program reaches an EKS cluster's API server (written by `bootstrap discover eks`).

    The Kubernetes provider authenticates as EKS expects, with an exec credential
    (`aws eks get-token`) run on the deploying machine: no token is stored anywhere.
    """

    cluster_name: EksName
    region: AwsRegion
    account_id: AwsAccount
    endpoint: EksEndpoint
    certificate_authority: CertificateAuthority
    # An IAM role the deploying identity assumes for `aws eks get-token --role-arn`.
    role_arn: RoleArn | None = None


class ArcAgentsChart(StrictModel):
    """The Arc agents' Helm chart, as `az connectedk8s connect` pulls it.

    The CLI asks the Arc data plane for the latest path of the stable train
    (`GetLatestHelmPackagePath`, e.g. mcr.microsoft.com/azurearck8s/batch1/stable/
    azure-arc-k8sagents:<version>) and pulls oci://<base>/v2/<chart> at that version
    (Azure/azure-cli-extensions src/connectedk8s/azext_connectedk8s/_utils.py,
    get_helm_registry, pull_helm_chart). A plan stays offline and deterministic, so the
    version is pinned here and bumped in a reviewed change.
    """

    repository: str = Field(
        default="oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents",
        pattern=r"^oci://mcr\.microsoft\.com/azurearck8s/[a-z0-9/_-]+/azure-arc-k8sagents$",
    )
    version: str = Field(default="1.21.10", pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")


class AzureLocalPoolConfig(StrictModel):
    name: PoolName
    vm_size: str = "Standard_A4_v2"
    count: int = Field(default=2, ge=1, le=64)


class AzureLocalConfig(StrictModel):
    """AKS on Azure Local (formerly Azure Stack HCI), reached through its custom location.

    Follows Microsoft's reference templates (Azure/aksArc deploymentTemplates/aksarc-ARM-
    azlocal/Cluster/CreateWithExistingLnet/azuredeploy.json): the SSH public key and the
    control-plane endpoint IP are always set.
    """

    custom_location_id: ArmId
    logical_network_id: ArmId
    # The API server's address on the logical network (controlPlane.controlPlaneEndpoint.hostIP).
    control_plane_ip: IPv4
    # The nodes' SSH key, managed outside the platform (never generated here): an RSA key of
    # at least 3072 bits. SSH reaches the nodes only from these ranges
    # (clusterVMAccessProfile.authorizedIPRanges, "Restrict SSH access to virtual machines in
    # AKS enabled by Azure Arc", MicrosoftDocs/azure-aks-docs articles/aks/aksarc/
    # restrict-ssh-access.md).
    ssh_public_key: SshRsaPublicKey
    ssh_authorized_ip_ranges: list[Cidr] = Field(min_length=1, max_length=16)
    control_plane_count: Literal[1, 3, 5] = 3
    control_plane_vm_size: str = "Standard_A4_v2"
    pod_cidr: Cidr = "10.244.0.0/16"
    # AKS on Azure Local ships Calico; it is the only engine the platform accepts there.
    network_policy: Literal["calico"] = "calico"
    node_pools: list[AzureLocalPoolConfig] = Field(
        default_factory=lambda: [AzureLocalPoolConfig(name="apps")], min_length=1
    )

    @model_validator(mode="after")
    def _restricted_ssh(self) -> AzureLocalConfig:
        for index, cidr in enumerate(self.ssh_authorized_ip_ranges):
            if cidr.endswith("/0"):
                raise LocatedValueError(
                    ("sshAuthorizedIpRanges", index),
                    f"'{cidr}' opens node SSH to every address (expected the admin network)",
                )
        names = [pool.name for pool in self.node_pools]
        if len(set(names)) != len(names):
            raise LocatedValueError(("nodePools",), "node pool names must be unique")
        return self


class ArcClusterConfig(StrictModel):
    name: ClusterName
    kind: Literal["azureLocal", "connected"]
    location: AzureRegion | None = None
    kubernetes_version: KubernetesMinor = "1.32"
    # connected only: program (the platform onboards it) or adopt (already connected).
    onboarding: Literal["program", "adopt"] | None = None
    # For connected clusters: what runs underneath, as Arc reports it; set on the connected
    # cluster so the built-in Arc policies evaluate it (azureLocal: aks_workload).
    distribution: ConnectedDistribution | None = None
    infrastructure: Infrastructure = "generic"
    # Groups granted Azure Arc Kubernetes Cluster Admin and the Cluster User Role.
    admin_group_object_ids: list[Guid] = Field(default_factory=list)
    azure_local: AzureLocalConfig | None = None
    eks: EksConnection | None = None
    kube_context: KubeContext | None = None
    agents: ArcAgentsChart = Field(default_factory=ArcAgentsChart)

    @model_validator(mode="after")
    def _kind_settings(self) -> ArcClusterConfig:
        if self.kind == "azureLocal":
            if self.azure_local is None:
                raise ValueError(
                    "kind azureLocal needs an azureLocal section (customLocationId, "
                    "logicalNetworkId, controlPlaneIp, sshPublicKey, sshAuthorizedIpRanges)"
                )
            for key, value in (
                ("onboarding", self.onboarding),
                ("distribution", self.distribution),
                ("eks", self.eks),
                ("kubeContext", self.kube_context),
            ):
                if value is not None:
                    raise LocatedValueError(
                        (key,), "applies only to kind connected (Azure creates AKS on Azure Local)"
                    )
            return self
        if self.azure_local is not None:
            raise LocatedValueError(("azureLocal",), "applies only to kind azureLocal")
        if self.onboarding is None:
            raise LocatedValueError(
                ("onboarding",),
                "kind connected needs onboarding: program (the platform generates the agent "
                "key and installs the Arc agents) or adopt (connected with "
                "az connectedk8s connect)",
            )
        if self.distribution is None:
            raise LocatedValueError(
                ("distribution",),
                "kind connected needs the distribution Arc reports (e.g. eks, k3s)",
            )
        if self.onboarding == "adopt" and (self.eks or self.kube_context):
            raise LocatedValueError(
                ("onboarding",),
                "an adopted cluster is only read: eks and kubeContext apply to program",
            )
        if self.onboarding == "program":
            if (self.eks is None) == (self.kube_context is None):
                raise LocatedValueError(
                    ("onboarding",),
                    "onboarding program needs exactly one way into the cluster: eks (from "
                    "bootstrap discover eks) or kubeContext",
                )
            if self.eks is not None and (self.distribution, self.infrastructure) != ("eks", "aws"):
                raise LocatedValueError(
                    ("eks",), "an eks section needs distribution eks and infrastructure aws"
                )
        return self

    @property
    def arc_distribution(self) -> str:
        """The distribution set on the connected cluster."""
        if self.kind == "azureLocal":
            return AZURE_LOCAL_DISTRIBUTION
        assert self.distribution is not None  # the schema requires it for connected
        return self.distribution

    @property
    def arc_infrastructure(self) -> str:
        return AZURE_LOCAL_INFRASTRUCTURE if self.kind == "azureLocal" else self.infrastructure

    @property
    def azure_rbac(self) -> bool:
        """Azure RBAC where Arc supports it; never on distributions it does not."""
        return self.arc_distribution not in AZURE_RBAC_UNSUPPORTED
