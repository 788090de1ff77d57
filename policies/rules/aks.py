"""AKS cluster hardening: identity, API server exposure, node pools, add-ons and upgrades."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import PENDING, dig, get_ci, is_map, is_true, items, preview_dig, text
from .view import StackView, azure_name

MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
MAINTENANCE_CONFIGURATION = "azure-native:containerservice:MaintenanceConfiguration"
MAINTENANCE_SCHEDULES = ("aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule")
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"
NETWORK_POLICY_ENGINES = {"calico", "azure", "cilium"}
UPGRADE_CHANNELS = {"patch", "stable", "rapid", "node-image"}
NODE_OS_CHANNELS = {"NodeImage", "SecurityPatch"}
MAX_IMAGE_CLEANER_HOURS = 2160


def _pools(resource_type: str, props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(label, pool) for the pools a resource declares: the cluster's inline ones or itself."""
    if resource_type == AGENT_POOL:
        yield "agent pool", props
        return
    for index, pool in enumerate(items(dig(props, "agentPoolProfiles"))):
        name = text(dig(pool, "name")) or str(index)
        yield f"agentPoolProfiles[{index}] ({name})", pool


def _addon(props: Mapping[str, Any], name: str) -> Any:
    return get_ci(dig(props, "addonProfiles"), name)


# ---- identity


def entra_azure_rbac(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    aad = dig(props, "aadProfile")
    if aad is None:
        yield "aadProfile is missing: the cluster has no Entra ID integration"
        return
    if not is_true(dig(aad, "managed")):
        yield "aadProfile.managed is not true"
    if not is_true(dig(aad, "enableAzureRBAC")):
        yield "aadProfile.enableAzureRBAC is not true: Kubernetes authorization is not Azure RBAC"


def local_accounts_disabled(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "disableLocalAccounts")):
        yield "disableLocalAccounts is not true: the static admin kubeconfig can be downloaded"


def kubernetes_rbac(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "enableRBAC")):
        yield "enableRBAC is not true"


def workload_identity(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "oidcIssuerProfile", "enabled")):
        yield "oidcIssuerProfile.enabled is not true"
    if not is_true(dig(props, "securityProfile", "workloadIdentity", "enabled")):
        yield "securityProfile.workloadIdentity.enabled is not true"


# ---- network


def api_server_restricted(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    access = dig(props, "apiServerAccessProfile")
    if is_true(dig(access, "enablePrivateCluster")):
        return
    ranges = [text(r) for r in items(dig(access, "authorizedIPRanges"))]
    if not ranges:
        yield (
            "the API server is public (apiServerAccessProfile.enablePrivateCluster is not "
            "true) and has no authorizedIPRanges"
        )
        return
    for cidr in ranges:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            yield f"authorizedIPRanges entry '{cidr}' is not a CIDR"
            continue
        if network.prefixlen == 0:
            yield f"authorizedIPRanges contains {cidr}: the API server is open to the internet"


def network_policy_engine(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    engine = dig(props, "networkProfile", "networkPolicy")
    if engine not in NETWORK_POLICY_ENGINES:
        shown = f"'{engine}'" if engine else "not set"
        yield (
            f"networkProfile.networkPolicy is {shown} (expected one of "
            f"{', '.join(sorted(NETWORK_POLICY_ENGINES))})"
        )


def no_node_public_ip(kind: str, props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    for label, pool in _pools(kind, props):
        if is_true(dig(pool, "enableNodePublicIP")):
            yield f"{label}: enableNodePublicIP is true"


# ---- cluster


def azure_policy_addon(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(_addon(props, "azurepolicy"), "enabled")):
        yield "addonProfiles.azurepolicy is not enabled"


def defender_profile(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    defender = dig(props, "securityProfile", "defender")
    if not is_true(dig(defender, "securityMonitoring", "enabled")):
        yield "securityProfile.defender.securityMonitoring.enabled is not true"
    workspace = preview_dig(defender, "logAnalyticsWorkspaceResourceId")
    if workspace is PENDING:
        # Set from a workspace's ID that is unknown at a first preview. That it names a Log
        # Analytics workspace is judged when `pulumi up` registers the cluster (inputs
        # known, before the cluster is created): catalog `atApply`.
        return
    workspace = text(workspace)
    if not workspace:
        yield "securityProfile.defender.logAnalyticsWorkspaceResourceId is not set"
    elif "/microsoft.operationalinsights/workspaces/" not in workspace.lower():
        yield f"Defender reports to '{workspace}', which is not a Log Analytics workspace"


def secrets_provider_rotation(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    addon = _addon(props, "azureKeyvaultSecretsProvider")
    if not is_true(dig(addon, "enabled")):
        yield "addonProfiles.azureKeyvaultSecretsProvider is not enabled"
    elif not is_true(dig(addon, "config", "enableSecretRotation")):
        yield "the Key Vault secrets provider does not rotate secrets (enableSecretRotation)"


def auto_upgrade_channels(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    profile = dig(props, "autoUpgradeProfile")
    channel = dig(profile, "upgradeChannel")
    if channel not in UPGRADE_CHANNELS:
        yield (
            f"autoUpgradeProfile.upgradeChannel is {channel or 'not set'} (expected one of "
            f"{', '.join(sorted(UPGRADE_CHANNELS))})"
        )
    node_os = dig(profile, "nodeOSUpgradeChannel")
    if node_os not in NODE_OS_CHANNELS:
        yield (
            f"autoUpgradeProfile.nodeOSUpgradeChannel is {node_os or 'not set'} (expected "
            "NodeImage or SecurityPatch)"
        )


def image_cleaner(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    cleaner = dig(props, "securityProfile", "imageCleaner")
    if not is_true(dig(cleaner, "enabled")):
        yield "securityProfile.imageCleaner.enabled is not true"
        return
    hours = dig(cleaner, "intervalHours")
    if isinstance(hours, int | float) and hours > MAX_IMAGE_CLEANER_HOURS:
        yield f"imageCleaner.intervalHours {hours} exceeds {MAX_IMAGE_CLEANER_HOURS}"


def kms_etcd_encryption(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    kms = dig(props, "securityProfile", "azureKeyVaultKms")
    if not is_true(dig(kms, "enabled")):
        yield "securityProfile.azureKeyVaultKms.enabled is not true: etcd secrets use platform keys"
        return
    # A key ID unknown at preview is set: computed from the key's versioned URI.
    key_id = preview_dig(kms, "keyId", judged_at_apply=False)
    if key_id is not PENDING and not text(key_id):
        yield "securityProfile.azureKeyVaultKms.keyId is not set"


def host_encryption(kind: str, props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    for label, pool in _pools(kind, props):
        if not is_true(dig(pool, "enableEncryptionAtHost")):
            yield f"{label}: enableEncryptionAtHost is not true"


def ssh_disabled(kind: str, props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    for label, pool in _pools(kind, props):
        access = dig(pool, "securityProfile", "sshAccess")
        if access != "Disabled":
            yield f"{label}: securityProfile.sshAccess is {access or 'not set (LocalUser)'}"


def system_pool_tainted(kind: str, props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    for label, pool in _pools(kind, props):
        if dig(pool, "mode") != "System":
            continue
        taints = [text(t) for t in items(dig(pool, "nodeTaints"))]
        if SYSTEM_TAINT not in taints:
            yield f"{label}: system pool lacks the taint {SYSTEM_TAINT}"


def container_insights(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    addon = _addon(props, "omsagent")
    if not is_true(dig(addon, "enabled")):
        yield "addonProfiles.omsagent (Container Insights) is not enabled"
        return
    config = dig(addon, "config")
    key = next(
        (
            k
            for k in (config if is_map(config) else ())
            if k.lower() == "loganalyticsworkspaceresourceid"
        ),
        None,
    )
    # A workspace ID unknown at preview is set: computed from the workspace's ID.
    workspace = preview_dig(config, key, judged_at_apply=False) if key else None
    if workspace is not PENDING and not text(workspace):
        yield "Container Insights has no logAnalyticsWorkspaceResourceID"


def run_command_disabled(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "apiServerAccessProfile", "disableRunCommand")):
        yield "apiServerAccessProfile.disableRunCommand is not true"


def managed_identity_only(kind: str, props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if kind != MANAGED_CLUSTER:
        yield "a password credential for an application or service principal"
        return
    identity_type = text(dig(props, "identity", "type"))
    if identity_type not in ("SystemAssigned", "UserAssigned"):
        yield f"identity.type is {identity_type or 'not set'} (expected a managed identity)"
    profile = dig(props, "servicePrincipalProfile")
    if profile is not None:
        client = text(dig(profile, "clientId"))
        if dig(profile, "secret") is not None or (client and client.lower() != "msi"):
            yield "servicePrincipalProfile uses a service principal with a client secret"


def maintenance_windows(view: StackView, _: PolicySettings) -> Findings:
    for cluster in view.of_type(MANAGED_CLUSTER):
        windows = view.referrer_map(
            cluster,
            MAINTENANCE_CONFIGURATION,
            _window,
            by=_maintained_cluster,
            names=[azure_name(cluster)],
        )
        for schedule in MAINTENANCE_SCHEDULES:
            if schedule not in windows:
                yield f"no maintenance configuration {schedule}", cluster.urn
            elif not is_map(windows[schedule]) or not dig(windows[schedule], "schedule"):
                yield (
                    f"maintenance configuration {schedule} has no maintenanceWindow.schedule",
                    (cluster.urn),
                )


def _maintained_cluster(view: StackView, configuration: PolicyResource) -> str:
    """The cluster a maintenance configuration names (its path parameter resourceName)."""
    return view.known_text(configuration, "resourceName")


def _window(view: StackView, configuration: PolicyResource) -> Iterator[tuple[str, Any]]:
    # configName is a path parameter: the inputs tell it at preview.
    name = text(view.value(configuration, "configName")) or text(view.value(configuration, "name"))
    yield name, view.value(configuration, "maintenanceWindow")


RULES = [
    resource_rule("AKS-ID-01", entra_azure_rbac),
    resource_rule("AKS-ID-02", local_accounts_disabled),
    resource_rule("AKS-ID-03", kubernetes_rbac),
    resource_rule("AKS-ID-04", workload_identity),
    resource_rule("IAM-ID-03", managed_identity_only, typed=True),
    resource_rule("AKS-NET-01", api_server_restricted),
    resource_rule("AKS-NET-02", network_policy_engine),
    resource_rule("AKS-NET-03", no_node_public_ip, typed=True),
    resource_rule("AKS-CLU-01", azure_policy_addon),
    resource_rule("AKS-CLU-02", defender_profile),
    resource_rule("AKS-CLU-03", secrets_provider_rotation),
    resource_rule("AKS-CLU-04", auto_upgrade_channels),
    stack_rule("AKS-CLU-05", maintenance_windows),
    resource_rule("AKS-CLU-06", image_cleaner),
    resource_rule("AKS-CLU-07", kms_etcd_encryption),
    resource_rule("AKS-CLU-08", host_encryption, typed=True),
    resource_rule("AKS-CLU-09", ssh_disabled, typed=True),
    resource_rule("AKS-CLU-10", system_pool_tainted, typed=True),
    resource_rule("AKS-CLU-11", container_insights),
    resource_rule("AKS-CLU-12", run_command_disabled),
]
