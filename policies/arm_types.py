"""How each azure-native type token maps to its ARM resource type, request and schema.

One table serves the offline engine (realistic resource IDs), the ARM export
(`bootstrap export --format arm`) and the provider-schema check (ARM-SCH-01). It lives in
the pack so the pack stands alone; `bootstrap.arm_types` re-exports it.

Request parameters: pulumi-azure-native turns every path and query parameter of a
resource's PUT operation into an SDK input of the same name (provider/pkg/gen/schema.go,
genMethodParameters; `subscriptionId` comes from the provider configuration), and every
other input is a body property. So the ARM body of a resource is its inputs minus
`request_parameters`. tests/policies/test_provider_schema.py proves, for every type here,
that each input of the installed SDK is either such a parameter or has a place in
Microsoft's ARM schema.

Schema: `schema_file` is the file stem under `schemas/<apiVersion>/` of
Azure/azure-resource-manager-schemas, `schema_pointer` the JSON pointer of the resource's
definition in it. For the few extension resources whose file only describes the
properties object, `envelope` names the other top-level fields the REST spec gives the
resource, each with its definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scope = Literal["resourceGroup", "subscription", "extension", "tenant"]
SUBSCRIPTION_ID = "subscriptionId"
RESOURCE_GROUP = "resourceGroupName"
# The parent of cluster extensions and Flux configurations: an AKS or Arc cluster.
CLUSTER_SCOPE_KEYS = ("clusterRp", "clusterResourceName", "clusterName")


@dataclass(frozen=True)
class ArmType:
    arm_type: str
    # Input keys holding the name of each segment of arm_type after the namespace,
    # e.g. ("virtualNetworkName", "subnetName") for Microsoft.Network/virtualNetworks/subnets.
    name_keys: tuple[str, ...]
    scope: Scope = "resourceGroup"
    # For extension resources: the input holding the ARM ID of the resource they attach to.
    scope_key: str | None = None
    # Other path or query parameters of the PUT operation (the parent of an extension
    # resource, query switches such as syncRemoteAddressSpace).
    extra_parameters: tuple[str, ...] = ()
    schema_file: str | None = None
    schema_pointer: str | None = None
    envelope: tuple[tuple[str, str], ...] = ()

    @property
    def own_name_key(self) -> str:
        return self.name_keys[-1]

    @property
    def request_parameters(self) -> frozenset[str]:
        """The inputs that are URL parameters of the PUT request, never body properties."""
        keys = {*self.name_keys, *self.extra_parameters, SUBSCRIPTION_ID}
        if self.scope == "resourceGroup":
            keys.add(RESOURCE_GROUP)
        if self.scope_key:
            keys.add(self.scope_key)
        return frozenset(keys)


def _rg(arm_type: str, name_keys: tuple[str, ...], schema_file: str, definition: str,
        extra: tuple[str, ...] = ()) -> ArmType:  # fmt: skip
    return ArmType(
        arm_type,
        name_keys,
        extra_parameters=extra,
        schema_file=schema_file,
        schema_pointer=f"resourceDefinitions/{definition}",
    )


_NRP = "Microsoft.Network.NRP"
_AKS = "Microsoft.ContainerService.Aks"
_DNS = "Microsoft.Network.privateDns"
_K8S_CONFIG = "Microsoft.KubernetesConfiguration"

ARM_TYPES: dict[str, ArmType] = {
    "azure-native:resources:ResourceGroup": ArmType(
        "Microsoft.Resources/resourceGroups",
        (RESOURCE_GROUP,),
        "subscription",
        schema_file="Microsoft.Resources",
        schema_pointer="subscription_resourceDefinitions/resourceGroups",
    ),
    "azure-native:network:VirtualNetwork": _rg(
        "Microsoft.Network/virtualNetworks", ("virtualNetworkName",), _NRP, "virtualNetworks"
    ),
    "azure-native:network:Subnet": _rg(
        "Microsoft.Network/virtualNetworks/subnets",
        ("virtualNetworkName", "subnetName"),
        _NRP,
        "virtualNetworks_subnets",
    ),
    "azure-native:network:VirtualNetworkPeering": _rg(
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        ("virtualNetworkName", "virtualNetworkPeeringName"),
        _NRP,
        "virtualNetworks_virtualNetworkPeerings",
        # A query parameter of VirtualNetworkPeerings_CreateOrUpdate (REST spec
        # network/resource-manager/Microsoft.Network/stable/2024-05-01/virtualNetwork.json).
        ("syncRemoteAddressSpace",),
    ),
    "azure-native:network:NetworkSecurityGroup": _rg(
        "Microsoft.Network/networkSecurityGroups",
        ("networkSecurityGroupName",),
        _NRP,
        "networkSecurityGroups",
    ),
    "azure-native:network:PrivateEndpoint": _rg(
        "Microsoft.Network/privateEndpoints", ("privateEndpointName",), _NRP, "privateEndpoints"
    ),
    "azure-native:network:PrivateDnsZoneGroup": _rg(
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        ("privateEndpointName", "privateDnsZoneGroupName"),
        _NRP,
        "privateEndpoints_privateDnsZoneGroups",
    ),
    "azure-native:privatedns:PrivateZone": _rg(
        "Microsoft.Network/privateDnsZones", ("privateZoneName",), _DNS, "privateDnsZones"
    ),
    "azure-native:privatedns:VirtualNetworkLink": _rg(
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        ("privateZoneName", "virtualNetworkLinkName"),
        _DNS,
        "privateDnsZones_virtualNetworkLinks",
    ),
    "azure-native:operationalinsights:Workspace": _rg(
        "Microsoft.OperationalInsights/workspaces",
        ("workspaceName",),
        "Microsoft.OperationalInsights",
        "workspaces",
    ),
    "azure-native:containerregistry:Registry": _rg(
        "Microsoft.ContainerRegistry/registries",
        ("registryName",),
        "Microsoft.ContainerRegistry",
        "registries",
    ),
    "azure-native:containerregistry:Replication": _rg(
        "Microsoft.ContainerRegistry/registries/replications",
        ("registryName", "replicationName"),
        "Microsoft.ContainerRegistry",
        "registries_replications",
    ),
    # ACR tasks and their agent pool (components/supply_chain.py): API 2019-06-01-preview.
    "azure-native:containerregistry:Task": _rg(
        "Microsoft.ContainerRegistry/registries/tasks",
        ("registryName", "taskName"),
        "Microsoft.ContainerRegistry",
        "registries_tasks",
    ),
    "azure-native:containerregistry:AgentPool": _rg(
        "Microsoft.ContainerRegistry/registries/agentPools",
        ("registryName", "agentPoolName"),
        "Microsoft.ContainerRegistry",
        "registries_agentPools",
    ),
    # The Defender for DevOps GitHub connector: API 2024-08-01-preview.
    "azure-native:security:SecurityConnector": _rg(
        "Microsoft.Security/securityConnectors",
        ("securityConnectorName",),
        "Microsoft.Security",
        "securityConnectors",
    ),
    "azure-native:keyvault:Vault": _rg(
        "Microsoft.KeyVault/vaults", ("vaultName",), "Microsoft.KeyVault", "vaults"
    ),
    "azure-native:keyvault:Key": _rg(
        "Microsoft.KeyVault/vaults/keys",
        ("vaultName", "keyName"),
        "Microsoft.KeyVault",
        "vaults_keys",
    ),
    "azure-native:managedidentity:UserAssignedIdentity": _rg(
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        ("resourceName",),
        "Microsoft.ManagedIdentity",
        "userAssignedIdentities",
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": _rg(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        ("resourceName", "federatedIdentityCredentialResourceName"),
        "Microsoft.ManagedIdentity",
        "userAssignedIdentities_federatedIdentityCredentials",
    ),
    "azure-native:authorization:RoleAssignment": ArmType(
        "Microsoft.Authorization/roleAssignments",
        ("roleAssignmentName",),
        "extension",
        "scope",
        schema_file="Microsoft.Authorization",
        schema_pointer="resourceDefinitions/roleAssignments",
    ),
    "azure-native:authorization:PolicyAssignment": ArmType(
        "Microsoft.Authorization/policyAssignments",
        ("policyAssignmentName",),
        "extension",
        "scope",
        schema_file="Microsoft.Authorization",
        schema_pointer="resourceDefinitions/policyAssignments",
    ),
    "azure-native:containerservice:ManagedCluster": _rg(
        "Microsoft.ContainerService/managedClusters", ("resourceName",), _AKS, "managedClusters"
    ),
    "azure-native:containerservice:AgentPool": _rg(
        "Microsoft.ContainerService/managedClusters/agentPools",
        ("resourceName", "agentPoolName"),
        _AKS,
        "managedClusters_agentPools",
    ),
    "azure-native:containerservice:MaintenanceConfiguration": _rg(
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        ("resourceName", "configName"),
        _AKS,
        "managedClusters_maintenanceConfigurations",
    ),
    "azure-native:monitor:DiagnosticSetting": ArmType(
        "Microsoft.Insights/diagnosticSettings",
        ("name",),
        "extension",
        "resourceUri",
        schema_file="Microsoft.Insights",
        schema_pointer="extension_resourceDefinitions/diagnosticSettings",
    ),
    "azure-native:monitor:SubscriptionDiagnosticSetting": ArmType(
        "Microsoft.Insights/diagnosticSettings",
        ("name",),
        "extension",
        schema_file="Microsoft.Insights",
        schema_pointer="subscription_resourceDefinitions/diagnosticSettings",
    ),
    "azure-native:resources:Deployment": _rg(
        "Microsoft.Resources/deployments",
        ("deploymentName",),
        "Microsoft.Resources",
        "deployments",
    ),
    "azure-native:monitor:DataCollectionRule": _rg(
        "Microsoft.Insights/dataCollectionRules",
        ("dataCollectionRuleName",),
        "Microsoft.Insights",
        "dataCollectionRules",
    ),
    "azure-native:monitor:DataCollectionRuleAssociation": ArmType(
        "Microsoft.Insights/dataCollectionRuleAssociations",
        ("associationName",),
        "extension",
        "resourceUri",
        schema_file="Microsoft.Insights",
        schema_pointer="extension_resourceDefinitions/dataCollectionRuleAssociations",
    ),
    # The 2023-05-01 schema file of Microsoft.KubernetesConfiguration describes only the
    # properties objects; the REST spec (kubernetesconfiguration/resource-manager/
    # Microsoft.KubernetesConfiguration/stable/2023-05-01/extensions.json) gives Extension
    # `identity`, `plan` and `properties`, fluxconfiguration.json gives FluxConfiguration
    # `properties` only.
    "azure-native:kubernetesconfiguration:Extension": ArmType(
        "Microsoft.KubernetesConfiguration/extensions",
        ("extensionName",),
        "extension",
        extra_parameters=(RESOURCE_GROUP, *CLUSTER_SCOPE_KEYS),
        schema_file=_K8S_CONFIG,
        schema_pointer="definitions/ExtensionProperties",
        envelope=(("identity", "definitions/Identity"), ("plan", "definitions/Plan")),
    ),
    "azure-native:kubernetesconfiguration:FluxConfiguration": ArmType(
        "Microsoft.KubernetesConfiguration/fluxConfigurations",
        ("fluxConfigurationName",),
        "extension",
        extra_parameters=(RESOURCE_GROUP, *CLUSTER_SCOPE_KEYS),
        schema_file=_K8S_CONFIG,
        schema_pointer="definitions/FluxConfigurationProperties",
    ),
    "azure-native:security:Pricing": ArmType(
        "Microsoft.Security/pricings",
        ("pricingName",),
        "extension",
        "scopeId",
        schema_file="Microsoft.Security",
        schema_pointer="subscription_resourceDefinitions/pricings",
    ),
    # Likewise only the properties object in the 2024-09-01 file; the REST spec
    # (securityinsights/.../stable/2024-09-01/OnboardingStates.json) adds `etag`, which
    # pulumi-azure-native never models as an input (gen/properties.go).
    "azure-native:securityinsights:SentinelOnboardingState": ArmType(
        "Microsoft.SecurityInsights/onboardingStates",
        ("sentinelOnboardingStateName",),
        "extension",
        extra_parameters=(RESOURCE_GROUP, "workspaceName"),
        schema_file="Microsoft.SecurityInsights",
        schema_pointer="definitions/SentinelOnboardingStateProperties",
    ),
    "azure-native:kubernetes:ConnectedCluster": _rg(
        "Microsoft.Kubernetes/connectedClusters",
        ("clusterName",),
        "Microsoft.Kubernetes",
        "connectedClusters",
    ),
    # Detection (components/detection). The Entra ID diagnostic setting is a tenant
    # resource: PUT /providers/microsoft.aadiam/diagnosticSettings/{name} (REST spec
    # azureactivedirectory/resource-manager/Microsoft.Aadiam/stable/2017-04-01).
    "azure-native:aadiam:DiagnosticSetting": ArmType(
        "microsoft.aadiam/diagnosticSettings",
        ("name",),
        "tenant",
        schema_file="microsoft.aadiam",
        schema_pointer="tenant_resourceDefinitions/diagnosticSettings",
    ),
    "azure-native:monitor:ActionGroup": _rg(
        "Microsoft.Insights/actionGroups",
        ("actionGroupName",),
        "Microsoft.Insights",
        "actionGroups",
    ),
    "azure-native:monitor:ScheduledQueryRule": _rg(
        "Microsoft.Insights/scheduledQueryRules",
        ("ruleName",),
        "Microsoft.Insights",
        "scheduledQueryRules",
    ),
    # A workspace extension resource whose schema file describes it as a definition with
    # `kind` beside `properties` (REST spec securityinsights/.../stable/2024-09-01/
    # AlertRules.json: ScheduledAlertRule, kind Scheduled); the envelope takes `kind` from it.
    "azure-native:securityinsights:ScheduledAlertRule": ArmType(
        "Microsoft.SecurityInsights/alertRules",
        ("ruleId",),
        "extension",
        extra_parameters=(RESOURCE_GROUP, "workspaceName"),
        schema_file="Microsoft.SecurityInsights",
        schema_pointer="definitions/ScheduledAlertRuleProperties",
        envelope=(("kind", "definitions/ScheduledAlertRule/properties/kind"),),
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
