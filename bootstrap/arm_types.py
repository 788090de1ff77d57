"""How each azure-native type token maps to its ARM resource type and resource ID.

Shared by the offline engine (to mint realistic IDs) and the ARM export (to name types).
A type missing here falls back to the generic resource-group shape, which is right for
most top-level resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Scope = Literal["resourceGroup", "subscription", "extension"]


@dataclass(frozen=True)
class ArmType:
    arm_type: str
    # Input keys holding the name of each segment of arm_type after the namespace,
    # e.g. ("virtualNetworkName", "subnetName") for Microsoft.Network/virtualNetworks/subnets.
    name_keys: tuple[str, ...]
    scope: Scope = "resourceGroup"
    # For extension resources: the input holding the ARM ID of the resource they attach to.
    scope_key: str | None = None


ARM_TYPES: dict[str, ArmType] = {
    "azure-native:resources:ResourceGroup": ArmType(
        "Microsoft.Resources/resourceGroups", ("resourceGroupName",), "subscription"
    ),
    "azure-native:network:VirtualNetwork": ArmType(
        "Microsoft.Network/virtualNetworks", ("virtualNetworkName",)
    ),
    "azure-native:network:Subnet": ArmType(
        "Microsoft.Network/virtualNetworks/subnets", ("virtualNetworkName", "subnetName")
    ),
    "azure-native:network:VirtualNetworkPeering": ArmType(
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        ("virtualNetworkName", "virtualNetworkPeeringName"),
    ),
    "azure-native:network:NetworkSecurityGroup": ArmType(
        "Microsoft.Network/networkSecurityGroups", ("networkSecurityGroupName",)
    ),
    "azure-native:network:PrivateEndpoint": ArmType(
        "Microsoft.Network/privateEndpoints", ("privateEndpointName",)
    ),
    "azure-native:network:PrivateDnsZoneGroup": ArmType(
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        ("privateEndpointName", "privateDnsZoneGroupName"),
    ),
    "azure-native:privatedns:PrivateZone": ArmType(
        "Microsoft.Network/privateDnsZones", ("privateZoneName",)
    ),
    "azure-native:privatedns:VirtualNetworkLink": ArmType(
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        ("privateZoneName", "virtualNetworkLinkName"),
    ),
    "azure-native:operationalinsights:Workspace": ArmType(
        "Microsoft.OperationalInsights/workspaces", ("workspaceName",)
    ),
    "azure-native:containerregistry:Registry": ArmType(
        "Microsoft.ContainerRegistry/registries", ("registryName",)
    ),
    "azure-native:containerregistry:Replication": ArmType(
        "Microsoft.ContainerRegistry/registries/replications", ("registryName", "replicationName")
    ),
    "azure-native:keyvault:Vault": ArmType("Microsoft.KeyVault/vaults", ("vaultName",)),
    "azure-native:keyvault:Key": ArmType(
        "Microsoft.KeyVault/vaults/keys", ("vaultName", "keyName")
    ),
    "azure-native:managedidentity:UserAssignedIdentity": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities", ("resourceName",)
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        ("resourceName", "federatedIdentityCredentialResourceName"),
    ),
    "azure-native:authorization:RoleAssignment": ArmType(
        "Microsoft.Authorization/roleAssignments", ("roleAssignmentName",), "extension", "scope"
    ),
    "azure-native:authorization:PolicyAssignment": ArmType(
        "Microsoft.Authorization/policyAssignments", ("policyAssignmentName",), "extension", "scope"
    ),
    "azure-native:containerservice:ManagedCluster": ArmType(
        "Microsoft.ContainerService/managedClusters", ("resourceName",)
    ),
    "azure-native:containerservice:MaintenanceConfiguration": ArmType(
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        ("resourceName", "configName"),
    ),
    "azure-native:monitor:DiagnosticSetting": ArmType(
        "Microsoft.Insights/diagnosticSettings", ("name",), "extension", "resourceUri"
    ),
    "azure-native:monitor:SubscriptionDiagnosticSetting": ArmType(
        "Microsoft.Insights/diagnosticSettings", ("name",), "extension"
    ),
    "azure-native:resources:Deployment": ArmType(
        "Microsoft.Resources/deployments", ("deploymentName",)
    ),
    "azure-native:monitor:DataCollectionRule": ArmType(
        "Microsoft.Insights/dataCollectionRules", ("dataCollectionRuleName",)
    ),
    "azure-native:monitor:DataCollectionRuleAssociation": ArmType(
        "Microsoft.Insights/dataCollectionRuleAssociations",
        ("associationName",),
        "extension",
        "resourceUri",
    ),
    "azure-native:kubernetesconfiguration:Extension": ArmType(
        "Microsoft.KubernetesConfiguration/extensions", ("extensionName",), "extension"
    ),
    "azure-native:kubernetesconfiguration:FluxConfiguration": ArmType(
        "Microsoft.KubernetesConfiguration/fluxConfigurations",
        ("fluxConfigurationName",),
        "extension",
    ),
    "azure-native:security:Pricing": ArmType(
        "Microsoft.Security/pricings", ("pricingName",), "extension", "scopeId"
    ),
    "azure-native:securityinsights:SentinelOnboardingState": ArmType(
        "Microsoft.SecurityInsights/onboardingStates",
        ("sentinelOnboardingStateName",),
        "extension",
    ),
    "azure-native:kubernetes:ConnectedCluster": ArmType(
        "Microsoft.Kubernetes/connectedClusters", ("clusterName",)
    ),
    "azure-native:hybridcontainerservice:ProvisionedClusterInstance": ArmType(
        "Microsoft.HybridContainerService/provisionedClusterInstances",
        ("name",),
        "extension",
        "connectedClusterResourceUri",
    ),
}


def arm_type_of(token: str) -> str | None:
    known = ARM_TYPES.get(token)
    return known.arm_type if known else None


def resource_id(token: str, inputs: dict[str, Any], subscription_id: str) -> str:
    """The ARM ID Azure would assign; deterministic in the inputs."""
    known = ARM_TYPES.get(token) or _generic(token)
    names = [str(inputs.get(key) or _fallback_name(inputs)) for key in known.name_keys]
    segments = known.arm_type.split("/")
    path = segments[0]
    for segment, name in zip(segments[1:], names, strict=False):
        path += f"/{segment}/{name}"
    if known.scope == "subscription":
        return f"/subscriptions/{subscription_id}/providers/{path}".replace(
            "/providers/Microsoft.Resources/resourceGroups", "/resourceGroups"
        )
    if known.scope == "extension":
        scope = _extension_scope(inputs, known, subscription_id)
        return f"{scope}/providers/{path}"
    group = inputs.get("resourceGroupName", "rg")
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{path}"


def _extension_scope(inputs: dict[str, Any], known: ArmType, subscription_id: str) -> str:
    if known.scope_key and inputs.get(known.scope_key):
        return str(inputs[known.scope_key]).rstrip("/")
    if "clusterName" in inputs and "clusterRp" in inputs:
        group = inputs.get("resourceGroupName", "rg")
        return (
            f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/"
            f"{inputs['clusterRp']}/{inputs.get('clusterResourceName')}/{inputs['clusterName']}"
        )
    if "workspaceName" in inputs:
        group = inputs.get("resourceGroupName", "rg")
        return (
            f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/"
            f"Microsoft.OperationalInsights/workspaces/{inputs['workspaceName']}"
        )
    return f"/subscriptions/{subscription_id}"


def _generic(token: str) -> ArmType:
    _, module, kind = token.split(":", 2)
    plural = kind[0].lower() + kind[1:] + "s"
    return ArmType(f"Microsoft.{module.capitalize()}/{plural}", ("name",))


def _fallback_name(inputs: dict[str, Any]) -> str:
    return str(inputs.get("name", "default"))
