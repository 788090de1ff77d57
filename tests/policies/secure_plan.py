"""A small plan that satisfies every control: the baseline the mutation tests start from.

Built in Python at test time (no fixture files, no secrets): one resource of every type the
catalog names, wired together with `dependencies` the way the offline engine records them
(a role assignment depends on the identity and the scope it uses, a diagnostic setting on
the resource it watches).
"""

# The plan and the mutation table are data: one entry per line reads best, however wide.
# ruff: noqa: E501

from __future__ import annotations

import copy
from typing import Any

from components import tenancy
from policies.context import PolicyContext
from policies.settings import PolicySettings

STACK = "dev"
PROJECT = "aks-platform"
SUBSCRIPTION_ID = "00000000-0000-0000-0000-0000000000b1"
SUB = f"/subscriptions/{SUBSCRIPTION_ID}"
RG = f"{SUB}/resourceGroups/rg-plat-dev"
REGISTRY = "acrplatdev123abc"
LOGIN_SERVER = f"{REGISTRY}.azurecr.io"
WORKSPACE_ID = f"{RG}/providers/Microsoft.OperationalInsights/workspaces/log-plat-dev"
CLUSTER = "aks-plat-dev-dev1"
ARC = "arc-plat-dev-edge1"
EKS = "arc-plat-dev-eks1"
CLUSTER_ADMIN = "8393591c-06b9-48a2-a542-1bd6b377f6a2"
CLUSTER_USER = "00493d72-78f6-4148-b6c5-d3ce8e4799dd"
CHECK_ACCESS_READER = "65a14201-8f6c-4c28-bec4-12619c5a9aaa"
# Microsoft's extension names (components/arc.py).
ARC_EXTENSION_NAMES = {
    "microsoft.azuredefender.kubernetes": "microsoft.azuredefender.kubernetes",
    "microsoft.policyinsights": "azurepolicy",
    "microsoft.azuremonitor.containers": "azuremonitor-containers",
}
ROLE = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
AUDIENCE = ["api://AzureADTokenExchange"]
STATE_RG = "/subscriptions/00000000-0000-0000-0000-0000000000e1/resourceGroups/rg-pulumi-state"
STATE_CONTAINER = f"{STATE_RG}/providers/Microsoft.Storage/storageAccounts/stpulumi/blobServices/default/containers/pulumi"
STATE_KEY = f"{STATE_RG}/providers/Microsoft.KeyVault/vaults/kv-pulumi-state/keys/pulumi-secrets"
BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
POLICY_SETS = "/providers/Microsoft.Authorization/policySetDefinitions"
POLICIES = "/providers/Microsoft.Authorization/policyDefinitions"
ADMIN_GROUP = "00000000-0000-0000-0000-0000000000c1"
BREAK_GLASS = "00000000-0000-0000-0000-0000000000e1"


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{resource_type}::{name}"


def settings(**overrides: Any) -> PolicySettings:
    base = {
        "environment": STACK,
        "registry_login_servers": (LOGIN_SERVER,),
        "kubernetes_versions": ("1.33",),
        "state_container_scope": STATE_CONTAINER,
        "secrets_key_scope": STATE_KEY,
        "break_glass_accounts": (BREAK_GLASS,),
    }
    return PolicySettings(**{**base, **overrides})


def context(**overrides: Any) -> PolicyContext:
    return PolicyContext(settings=settings(**overrides), stack=STACK)


def production_context() -> PolicyContext:
    return context(
        environment="prod",
        is_production=True,
        pod_security_standard="restricted",
        sentinel_required=True,
        github_environment="prod",
    )


class PlanBuilder:
    def __init__(self) -> None:
        self.resources: list[dict[str, Any]] = []

    def add(self, resource_type: str, name: str, inputs: dict[str, Any],
            depends: tuple[str, ...] = ()) -> str:  # fmt: skip
        entry: dict[str, Any] = {
            "urn": urn(resource_type, name),
            "type": resource_type,
            "name": name,
            "parent": None,
            "inputs": inputs,
        }
        if depends:
            entry["dependencies"] = list(depends)
        self.resources.append(entry)
        return entry["urn"]


def _agent_public_key() -> str:
    """A well-formed agent public key made at run time (the offline engine's stand-in)."""
    from bootstrap.engine.mocks import tls_private_key_outputs
    from components.arc_onboarding import agent_public_key_certificate

    outputs = tls_private_key_outputs("secure-plan/eks1", {"rsaBits": 4096})
    return agent_public_key_certificate(outputs["publicKeyPem"])


def secure_resources() -> list[dict[str, Any]]:
    return copy.deepcopy(_SECURE)


def _pool(name: str, mode: str) -> dict[str, Any]:
    pool: dict[str, Any] = {
        "name": name,
        "mode": mode,
        "count": 3,
        "vmSize": "Standard_D4ds_v5",
        "enableEncryptionAtHost": True,
        "enableNodePublicIP": False,
        "securityProfile": {"sshAccess": "Disabled"},
    }
    if mode == "System":
        pool["nodeTaints"] = ["CriticalAddonsOnly=true:NoSchedule"]
    return pool


def _container(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"{LOGIN_SERVER}/team-a/{name}:1.4.2@sha256:{'a' * 64}",
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "500m", "memory": "256Mi"},
        },
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }


def _pod_spec() -> dict[str, Any]:
    return {
        "serviceAccountName": "team-a-app",
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [_container("web")],
        "initContainers": [_container("migrate")],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }


def _build() -> list[dict[str, Any]]:
    plan = PlanBuilder()
    add = plan.add
    stack = add("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}", {})
    plan.resources[-1]["outputs"] = {"clusterNames": [CLUSTER], "registry": LOGIN_SERVER}
    workspace = add("azure-native:operationalinsights:Workspace", "workspace", {
        "workspaceName": "log-plat-dev", "resourceGroupName": "rg-plat-dev",
        "location": "westeurope", "sku": {"name": "PerGB2018"}, "retentionInDays": 90,
        "features": {"disableLocalAuth": True},
    })  # fmt: skip
    sentinel = add("azure-native:securityinsights:SentinelOnboardingState", "sentinel", {
        "workspaceName": "log-plat-dev", "resourceGroupName": "rg-plat-dev",
        "sentinelOnboardingStateName": "default",
    }, (workspace,))  # fmt: skip
    registry = add("azure-native:containerregistry:Registry", "registry", {
        "registryName": REGISTRY, "resourceGroupName": "rg-plat-dev", "location": "westeurope",
        "sku": {"name": "Premium"}, "adminUserEnabled": False, "anonymousPullEnabled": False,
        "publicNetworkAccess": "Disabled", "networkRuleSet": {"defaultAction": "Deny"},
        "policies": {"exportPolicy": {"status": "disabled"},
                     "retentionPolicy": {"status": "enabled", "days": 7}},
    })  # fmt: skip
    vault = add("azure-native:keyvault:Vault", "vault", {
        "vaultName": "kv-dev-123abc", "resourceGroupName": "rg-plat-dev",
        "location": "westeurope",
        "properties": {
            "tenantId": "00000000-0000-0000-0000-0000000000a1", "sku": {"family": "A", "name": "standard"},
            "enableRbacAuthorization": True, "enablePurgeProtection": True,
            "enableSoftDelete": True, "softDeleteRetentionInDays": 90,
            "publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
        },
    })  # fmt: skip
    # The hub: two subnets created one after another (HAZ-NET-01), the vault's private
    # endpoint and its DNS zone group before the KMS key (HAZ-KV-01).
    hub = add("azure-native:network:VirtualNetwork", "hub-vnet", {
        "virtualNetworkName": "vnet-plat-dev-hub", "resourceGroupName": "rg-plat-dev",
        "addressSpace": {"addressPrefixes": ["10.10.255.0/24"]},
    })  # fmt: skip
    endpoints_subnet = add("azure-native:network:Subnet", "hub-endpoints", {
        "subnetName": "snet-private-endpoints", "virtualNetworkName": "vnet-plat-dev-hub",
        "resourceGroupName": "rg-plat-dev", "addressPrefix": "10.10.255.0/25",
    }, (hub,))  # fmt: skip
    add("azure-native:network:Subnet", "hub-tools", {
        "subnetName": "snet-tools", "virtualNetworkName": "vnet-plat-dev-hub",
        "resourceGroupName": "rg-plat-dev", "addressPrefix": "10.10.255.128/25",
    }, (hub, endpoints_subnet))  # fmt: skip
    vault_endpoint = add("azure-native:network:PrivateEndpoint", "vault-pe", {
        "privateEndpointName": "pe-kv-dev-123abc", "resourceGroupName": "rg-plat-dev",
        "subnet": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet-plat-dev-hub/subnets/snet-private-endpoints"},
        "privateLinkServiceConnections": [{"name": "pe-kv-dev-123abc", "groupIds": ["vault"],
            "privateLinkServiceId": f"{RG}/providers/Microsoft.KeyVault/vaults/kv-dev-123abc"}],
    }, (vault, endpoints_subnet))  # fmt: skip
    vault_dns = add("azure-native:network:PrivateDnsZoneGroup", "vault-pe-dns", {
        "privateDnsZoneGroupName": "default", "privateEndpointName": "pe-kv-dev-123abc",
        "resourceGroupName": "rg-plat-dev",
    }, (vault_endpoint,))  # fmt: skip
    add("azure-native:keyvault:Key", "kms-key", {
        "vaultName": "kv-dev-123abc", "keyName": "etcd-kms", "resourceGroupName": "rg-plat-dev",
        "properties": {"kty": "RSA", "keySize": 2048, "rotationPolicy": {
            "attributes": {"expiryTime": "P1Y"},
            "lifetimeActions": [{"action": {"type": "rotate"}, "trigger": {"timeBeforeExpiry": "P30D"}}],
        }},
    }, (vault, vault_endpoint, vault_dns))  # fmt: skip
    # The Flux deploy key, read from the private vault's data plane (components.deploy_key).
    add("pulumi-python:dynamic:Resource", "flux-deploy-key", {
        "vault_name": "kv-dev-123abc", "secret_name": "flux-deploy-key", "ssh_private_key": "[secret]",
    }, (vault, vault_endpoint, vault_dns))  # fmt: skip
    kubelet_id = "11111111-2222-3333-4444-555555555555"
    # The control-plane identity holds Network Contributor before the cluster (HAZ-AKS-01).
    control_plane = add("azure-native:managedidentity:UserAssignedIdentity", "dev1-controlplane", {
        "resourceName": "id-plat-dev-dev1-controlplane", "resourceGroupName": "rg-plat-dev",
    })  # fmt: skip
    cp_network = add("azure-native:authorization:RoleAssignment", "dev1-cp-network", {
        "principalId": "principal-controlplane", "principalType": "ServicePrincipal",
        "roleDefinitionId": f"{ROLE}/4d97b98b-1d4f-4787-a291-c67834d212e7",
        "scope": f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet-plat-dev-dev1",
    }, (control_plane,))  # fmt: skip
    cluster = add("azure-native:containerservice:ManagedCluster", "dev1-aks", {
        "resourceName": CLUSTER, "resourceGroupName": "rg-plat-dev", "location": "westeurope",
        "dnsPrefix": CLUSTER, "kubernetesVersion": "1.33",
        "identity": {"type": "UserAssigned"},
        "identityProfile": {"kubeletidentity": {"objectId": kubelet_id}},
        "aadProfile": {"managed": True, "enableAzureRBAC": True,
                       "adminGroupObjectIDs": [ADMIN_GROUP]},
        "disableLocalAccounts": True, "enableRBAC": True,
        "oidcIssuerProfile": {"enabled": True},
        "securityProfile": {
            "workloadIdentity": {"enabled": True},
            "defender": {"logAnalyticsWorkspaceResourceId": WORKSPACE_ID,
                         "securityMonitoring": {"enabled": True}},
            "imageCleaner": {"enabled": True, "intervalHours": 168},
            "azureKeyVaultKms": {"enabled": True, "keyVaultNetworkAccess": "Private",
                                 "keyId": "https://kv-dev-123abc.vault.azure.net/keys/etcd-kms/0a1b"},
        },
        "apiServerAccessProfile": {"enablePrivateCluster": True, "disableRunCommand": True,
                                   "enableVnetIntegration": True},
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay",
                           "networkPolicy": "calico"},
        "agentPoolProfiles": [_pool("system", "System"), _pool("apps", "User")],
        "addonProfiles": {
            "azurepolicy": {"enabled": True},
            "azureKeyvaultSecretsProvider": {"enabled": True, "config": {
                "enableSecretRotation": "true", "rotationPollInterval": "2m"}},
            "omsagent": {"enabled": True, "config": {
                "logAnalyticsWorkspaceResourceID": WORKSPACE_ID, "useAADAuth": "true"}},
        },
        "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
    }, (workspace, vault, control_plane, cp_network))  # fmt: skip
    add("azure-native:containerservice:AgentPool", "dev1-batch", {
        "resourceName": CLUSTER, "agentPoolName": "batch", "resourceGroupName": "rg-plat-dev",
        **{k: v for k, v in _pool("batch", "User").items() if k != "name"},
    }, (cluster,))  # fmt: skip
    for schedule, day in (("aksManagedAutoUpgradeSchedule", "Sunday"),
                          ("aksManagedNodeOSUpgradeSchedule", "Saturday")):  # fmt: skip
        add("azure-native:containerservice:MaintenanceConfiguration", f"dev1-{schedule}", {
            "resourceName": CLUSTER, "resourceGroupName": "rg-plat-dev", "configName": schedule,
            "maintenanceWindow": {"durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00",
                                  "schedule": {"weekly": {"dayOfWeek": day, "intervalWeeks": 1}}},
        }, (cluster,))  # fmt: skip
    add("azure-native:authorization:RoleAssignment", "dev1-acrpull", {
        "principalId": kubelet_id, "principalType": "ServicePrincipal",
        "roleDefinitionId": f"{ROLE}/{ACR_PULL}",
        "scope": f"{RG}/providers/Microsoft.ContainerRegistry/registries/{REGISTRY}",
    }, (cluster, registry))  # fmt: skip
    for target, kind, name in ((cluster, "aks", "dev1"), (registry, "acr", "registry"),
                               (vault, "kv", "vault")):  # fmt: skip
        logs = (
            [
                {"category": c, "enabled": True}
                for c in ("kube-apiserver", "kube-audit-admin", "guard")
            ]
            if kind == "aks"
            else [{"categoryGroup": "allLogs", "enabled": True}]
        )
        add("azure-native:monitor:DiagnosticSetting", f"{name}-diagnostics", {
            "name": "to-log-analytics", "resourceUri": f"{RG}/providers/x/{name}",
            "workspaceId": WORKSPACE_ID, "logs": logs,
        }, (target, workspace))  # fmt: skip
    # GitHub delivery identities: deploy (Contributor) and pull-request preview (Reader).
    for purpose, subject, role in (("deploy", "environment:dev", CONTRIBUTOR),
                                   ("preview", "pull_request", READER)):  # fmt: skip
        identity = add("azure-native:managedidentity:UserAssignedIdentity", f"id-{purpose}", {
            "resourceName": f"id-plat-dev-{purpose}", "resourceGroupName": "rg-plat-dev",
        })  # fmt: skip
        credential = add("azure-native:managedidentity:FederatedIdentityCredential", f"fic-{purpose}", {
            "resourceName": f"id-plat-dev-{purpose}", "resourceGroupName": "rg-plat-dev",
            "federatedIdentityCredentialResourceName": f"github-{purpose}",
            "issuer": GITHUB_ISSUER, "subject": f"repo:contoso/platform:{subject}",
            "audiences": AUDIENCE,
        }, (identity,))  # fmt: skip
        if purpose == "deploy":
            # A second subject on the same identity, created after the first (HAZ-FIC-01).
            add("azure-native:managedidentity:FederatedIdentityCredential", "fic-deploy-tag", {
                "resourceName": "id-plat-dev-deploy", "resourceGroupName": "rg-plat-dev",
                "federatedIdentityCredentialResourceName": "github-tag",
                "issuer": GITHUB_ISSUER, "subject": "repo:contoso/platform:ref:refs/tags/v1",
                "audiences": AUDIENCE,
            }, (identity, credential))  # fmt: skip
        add("azure-native:authorization:RoleAssignment", f"ra-{purpose}", {
            "principalId": f"principal-{purpose}", "principalType": "ServicePrincipal",
            "roleDefinitionId": f"{ROLE}/{role}", "scope": RG,
        }, (identity,))  # fmt: skip
        # The Pulumi state: blobs (write for deploy, read for preview), decrypt with the key.
        blob_role = BLOB_CONTRIBUTOR if purpose == "deploy" else BLOB_READER
        for what, state_role, scope in (("state", blob_role, STATE_CONTAINER),
                                        ("key", CRYPTO_USER, STATE_KEY)):  # fmt: skip
            add("azure-native:authorization:RoleAssignment", f"ra-{purpose}-{what}", {
                "principalId": f"principal-{purpose}", "principalType": "ServicePrincipal",
                "roleDefinitionId": f"{ROLE}/{state_role}", "scope": scope,
            }, (identity,))  # fmt: skip
    add("azure-native:managedidentity:FederatedIdentityCredential", "fic-workload", {
        "resourceName": "id-plat-dev-team-a", "issuer": "https://westeurope.oic.prod-aks.azure.com/t/i/",
        "subject": "system:serviceaccount:team-a:team-a-app", "audiences": AUDIENCE,
    })  # fmt: skip
    containers_extensions = [
        {"name": name, "isEnabled": "True"}
        for name in ("AgentlessDiscoveryForKubernetes", "ContainerRegistriesVulnerabilityAssessments",
                     "ContainerSensor")
    ]  # fmt: skip
    for plan_name in ("Containers", "KeyVaults", "Arm"):
        add("azure-native:security:Pricing", f"defender-{plan_name}", {
            "pricingName": plan_name, "pricingTier": "Standard", "scopeId": SUB,
            **({"extensions": containers_extensions} if plan_name == "Containers" else {}),
        })  # fmt: skip
    add("azure-native:monitor:SubscriptionDiagnosticSetting", "activity-log", {
        "name": "activity-to-workspace", "workspaceId": WORKSPACE_ID,
        "logs": [{"category": c, "enabled": True} for c in ("Administrative", "Security", "Policy")],
    }, (workspace,))  # fmt: skip
    assignments = (
        ("pod-security", f"{POLICY_SETS}/a8640138-9b0a-4a28-b8cb-1666c838647d", {"effect": {"value": "Deny"}}),
        ("allowed-images", f"{POLICIES}/febd0533-8e55-448f-b837-bd0e06f16469",
         {"allowedContainerImagesRegex": {"value": f"^{LOGIN_SERVER.replace('.', '[.]')}/.+$"}}),
        ("no-privileged", f"{POLICIES}/95edb821-ddaf-4404-9732-666045e056b4", {}),
        ("https-ingress", f"{POLICIES}/1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d", {}),
        ("external-ips", f"{POLICIES}/d46c275d-1680-448d-b2ec-e495a3b6cc89", {"effect": {"value": "deny"}}),
        ("pod-security-restricted", f"{POLICY_SETS}/42b8ef37-b724-4e24-bbc8-7a7708edfe00", {"effect": {"value": "Deny"}}),
        # Audits of the clusters' security agents (governance, GOV-POL-07).
        ("aks-policy-addon-audit", f"{POLICIES}/0a15ec92-a229-4763-bb14-0ea34a568f8d", {}),
        ("aks-defender-audit", f"{POLICIES}/a1840de2-8088-4ea8-b153-b4c723e9cb01", {}),
        ("arc-policy-extension-audit", f"{POLICIES}/6b2122c1-8120-4ff5-801b-17625a355590", {}),
        ("arc-defender-extension-audit", f"{POLICIES}/8dfab9c4-fe7b-49ad-85e4-1e9be085358f", {}),
        # Its DINE form keeps EKS and GKE in (ARC-DEF-02).
        ("arc-defender-extension-all", f"{POLICIES}/708b60a6-d253-4fe0-9114-4be4c00f012c",
         {"effect": {"value": "DeployIfNotExists"}, "excludedDistributions": {"value": ["aks"]}}),
    )  # fmt: skip
    for name, definition, parameters in assignments:
        add("azure-native:authorization:PolicyAssignment", f"policy-{name}", {
            "scope": RG, "policyDefinitionId": definition, "enforcementMode": "Default",
            "parameters": parameters,
        })  # fmt: skip
    # AKS on Azure Local (edge1), per Microsoft's aksArc reference template.
    arc = add("azure-native:kubernetes:ConnectedCluster", "edge1-arc", {
        "clusterName": ARC, "resourceGroupName": "rg-plat-dev", "identity": {"type": "SystemAssigned"},
        "kind": "ProvisionedCluster", "agentPublicKeyCertificate": "",
        "distribution": "aks_workload", "infrastructure": "azure_stack_hci",
        "aadProfile": {"enableAzureRBAC": True, "adminGroupObjectIDs": ["g"]},
    })  # fmt: skip
    # The cluster exists once its provisioned instance does (HAZ-EXT-01).
    provisioned = add("azure-native:resources:Deployment", "edge1-provisioned", {
        "resourceGroupName": "rg-plat-dev",
        "properties": {"mode": "Incremental", "template": {"resources": [{
            "type": "Microsoft.HybridContainerService/provisionedClusterInstances",
            "name": "default", "apiVersion": "2024-01-01",
            "scope": f"Microsoft.Kubernetes/connectedClusters/{ARC}",
            "properties": {
                "networkProfile": {"networkPolicy": "calico", "podCidr": "10.244.0.0/16"},
                "linuxProfile": {"ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAAB3NzaC1yc2E"}]}},
                "controlPlane": {"count": 3, "controlPlaneEndpoint": {"hostIP": "10.40.0.10"}},
                "agentPoolProfiles": [{"name": "apps", "count": 2}],
            },
        }]}},
    }, (arc,))  # fmt: skip
    nodepools = add("azure-native:resources:Deployment", "edge1-nodepools", {
        "resourceGroupName": "rg-plat-dev",
        "properties": {"mode": "Incremental", "template": {"resources": [{
            "type": "Microsoft.HybridContainerService/provisionedClusterInstances/agentPools",
            "name": "default/apps", "apiVersion": "2024-01-01",
            "scope": f"Microsoft.Kubernetes/connectedClusters/{ARC}",
            "properties": {"count": 2, "vmSize": "Standard_A4_v2"},
        }]}},
    }, (provisioned,))  # fmt: skip
    # An EKS cluster the program onboards: agent key pair, connected cluster, Arc agents.
    agent_key = add(
        "tls:index/privateKey:PrivateKey", "eks1-agent-key", {"algorithm": "RSA", "rsaBits": 4096}
    )
    eks = add("azure-native:kubernetes:ConnectedCluster", "eks1-arc", {
        "clusterName": EKS, "resourceGroupName": "rg-plat-dev", "identity": {"type": "SystemAssigned"},
        "agentPublicKeyCertificate": _agent_public_key(), "distribution": "eks", "infrastructure": "aws",
    }, (agent_key,))  # fmt: skip
    agents = add("kubernetes:helm.sh/v3:Release", "eks1-arc-agents", {
        "name": "azure-arc", "namespace": "azure-arc-release", "createNamespace": True,
        "chart": "oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents",
        "version": "1.21.10",
        "values": {"global": {"resourceName": EKS, "kubernetesDistro": "eks",
                              "onboardingPrivateKey": "[secret]"},
                   "systemDefaultValues": {"spnOnboarding": False}},
    }, (eks, agent_key))  # fmt: skip
    for cluster_urn, name in ((arc, ARC), (eks, EKS)):
        for role, group in ((CLUSTER_ADMIN, "g"), (CLUSTER_USER, "g")):
            add("azure-native:authorization:RoleAssignment", f"{name}-{role[:8]}", {
                "principalId": group, "principalType": "Group", "roleDefinitionId": f"{ROLE}/{role}",
                "scope": f"{RG}/providers/Microsoft.Kubernetes/connectedClusters/{name}",
            }, (cluster_urn,))  # fmt: skip
    add("azure-native:authorization:RoleAssignment", f"{ARC}-checkaccess", {
        "principalId": "edge1-principal", "principalType": "ServicePrincipal",
        "roleDefinitionId": f"{ROLE}/{CHECK_ACCESS_READER}",
        "scope": f"{RG}/providers/Microsoft.Kubernetes/connectedClusters/{ARC}",
    }, (arc,))  # fmt: skip
    for targets, kind, name in (
        ((cluster,), "managedClusters", CLUSTER),
        ((arc, provisioned, nodepools), "connectedClusters", ARC),
        ((eks, agents), "connectedClusters", EKS),
    ):
        rp = "Microsoft.ContainerService" if kind == "managedClusters" else "Microsoft.Kubernetes"
        association = None
        if kind == "connectedClusters":
            rule = add("azure-native:monitor:DataCollectionRule", f"{name}-dcr", {
                "dataCollectionRuleName": f"MSCI-westeurope-{name}", "resourceGroupName": "rg-plat-dev",
                "kind": "Linux", "location": "westeurope",
                "dataFlows": [{"streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": ["la-workspace"]}],
                "destinations": {"logAnalytics": [{"name": "la-workspace", "workspaceResourceId": WORKSPACE_ID}]},
            }, (workspace, *targets))  # fmt: skip
            association = add("azure-native:monitor:DataCollectionRuleAssociation", f"{name}-dcra", {
                "associationName": "ContainerInsightsExtension",
                "resourceUri": f"{RG}/providers/Microsoft.Kubernetes/connectedClusters/{name}",
                "dataCollectionRuleId": f"{RG}/providers/Microsoft.Insights/dataCollectionRules/MSCI-westeurope-{name}",
            }, (rule, *targets))  # fmt: skip
        types = ["microsoft.flux"] + (
            ["microsoft.azuredefender.kubernetes", "microsoft.policyinsights", "microsoft.azuremonitor.containers"]
            if kind == "connectedClusters" else []
        )  # fmt: skip
        for extension_type in types:
            inputs: dict[str, Any] = {
                "clusterName": name, "clusterResourceName": kind, "clusterRp": rp,
                "extensionType": extension_type, "extensionName": ARC_EXTENSION_NAMES.get(extension_type, "flux"),
                "identity": {"type": "SystemAssigned"},
            }  # fmt: skip
            depends = targets
            if extension_type == "microsoft.azuredefender.kubernetes":
                inputs["scope"] = {"cluster": {"releaseNamespace": "mdc"}}
                inputs["configurationSettings"] = {"logAnalyticsWorkspaceResourceID": WORKSPACE_ID}
                depends = (*targets, workspace)
            if extension_type == "microsoft.azuremonitor.containers":
                inputs["configurationSettings"] = {
                    "logAnalyticsWorkspaceResourceID": WORKSPACE_ID,
                    "amalogs.useAADAuth": "true",
                }
                depends = (*targets, workspace, association)
            extension = add(
                "azure-native:kubernetesconfiguration:Extension",
                f"{name}-{extension_type}",
                inputs,
                depends,
            )
            if extension_type == "microsoft.flux":
                flux_extension = extension
        add("azure-native:kubernetesconfiguration:FluxConfiguration", f"{name}-flux", {
            "clusterName": name, "clusterResourceName": kind, "clusterRp": rp,
            "fluxConfigurationName": "platform", "scope": "cluster", "sourceKind": "GitRepository",
            "gitRepository": {"url": "https://github.com/contoso/platform.git",
                              "repositoryRef": {"branch": "main"}},
            "kustomizations": {"infrastructure": {"path": "./gitops/clusters/dev/dev1", "prune": True}},
        }, (*targets, flux_extension))  # fmt: skip
    add("azure-native:hybridcontainerservice:ProvisionedClusterInstance", "edge2-provisioned", {
        "connectedClusterResourceUri": f"{RG}/providers/Microsoft.Kubernetes/connectedClusters/edge2",
        "networkProfile": {"networkPolicy": "calico"},
    })  # fmt: skip
    add("github:index/branchProtection:BranchProtection", "main-protection", {
        "repositoryId": "platform", "pattern": "main", "enforceAdmins": True,
        "allowsForcePushes": False, "allowsDeletions": False,
        "requiredPullRequestReviews": [{"requiredApprovingReviewCount": 1}],
        "requiredStatusChecks": [{"strict": True, "contexts": ["preview", "test"]}],
    })  # fmt: skip
    add("github:index/repositoryEnvironment:RepositoryEnvironment", "env-prod", {
        "repository": "platform", "environment": "prod",
        "reviewers": [{"teams": [4242]}],
        "deploymentBranchPolicy": {"protectedBranches": True, "customBranchPolicies": False},
    })  # fmt: skip
    add("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret", "slack", {
        "repository": "platform", "environment": "prod", "secretName": "SLACK_WEBHOOK_URL",
        "plaintextValue": "[secret]",
    })  # fmt: skip
    add("github:actions/workflow:Workflow", ".github/workflows/deploy.yml", {
        "name": "deploy", "on": {"push": {"branches": ["main"]}},
        "permissions": {"contents": "read"},
        "jobs": {"deploy": {
            "runs-on": "ubuntu-latest", "environment": "prod",
            "permissions": {"contents": "read", "id-token": "write"},
            "steps": [
                {"uses": "actions/checkout@v4"},
                {"uses": "azure/login@v2", "with": {
                    "client-id": "${{ vars.AZURE_CLIENT_ID }}",
                    "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
                    "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}"}},
            ],
        }},
    })  # fmt: skip
    # Kubernetes objects, as pulumi-kubernetes or `bootstrap check --manifests` present them.
    add("kubernetes:core/v1:Namespace", "team-a", {"metadata": {"name": "team-a", "labels": {
        "pod-security.kubernetes.io/enforce": "restricted", tenancy.TENANT_LABEL: "team-a"}}})  # fmt: skip
    add("kubernetes:networking.k8s.io/v1:NetworkPolicy", "team-a/default-deny", {
        "metadata": {"name": "default-deny", "namespace": "team-a", "labels": OWNED},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    })  # fmt: skip
    add("kubernetes:networking.k8s.io/v1:NetworkPolicy", "team-a/allow-dns", {
        "metadata": {"name": "allow-dns", "namespace": "team-a"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        }]},
    })  # fmt: skip
    add("kubernetes:core/v1:ServiceAccount", "team-a/team-a-app", {
        "metadata": {"name": "team-a-app", "namespace": "team-a"},
        "automountServiceAccountToken": False,
    })  # fmt: skip
    add("kubernetes:core/v1:ConfigMap", "kube-system/coredns-custom", {
        "metadata": {"name": "coredns-custom", "namespace": "kube-system"},
        "data": {"log.override": "log\n"},
    })  # fmt: skip
    add("kubernetes:apps/v1:Deployment", "team-a/web", {
        "metadata": {"name": "web", "namespace": "team-a"},
        "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}}, "spec": _pod_spec()}},
    })  # fmt: skip
    add("kubernetes:batch/v1:CronJob", "team-a/report", {
        "metadata": {"name": "report", "namespace": "team-a"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": _pod_spec()}}}},
    })  # fmt: skip
    add("kubernetes:core/v1:Pod", "team-a/debug", {
        "metadata": {"name": "debug", "namespace": "team-a"}, "spec": _pod_spec(),
    })  # fmt: skip
    # Tenancy: the owners' role and binding, and the guardrail admission policies.
    add("kubernetes:rbac.authorization.k8s.io/v1:Role", "team-a/tenant-owner", {
        "metadata": {"name": tenancy.OWNER_ROLE, "namespace": "team-a", "labels": OWNED},
        "rules": [_rbac_rule(rule) for rule in tenancy.OWNER_RULES],
    })  # fmt: skip
    add("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "team-a/owners", {
        "metadata": {"name": "owners", "namespace": "team-a", "labels": OWNED},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": tenancy.OWNER_ROLE},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "00000000-0000-0000-0000-00000000d001"}],
    })  # fmt: skip
    for name, spec in _guardrail_policies():
        add("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", name, {
            "metadata": {"name": name}, "spec": spec})  # fmt: skip
        add("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", f"{name}-binding", {
            "metadata": {"name": name}, "spec": {"policyName": name, "validationActions": ["Deny"]}})  # fmt: skip
    add("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "flux-system/platform", {
        "metadata": {"name": "platform", "namespace": "flux-system"},
        "spec": {"url": "ssh://git@github.com/contoso/platform.git", "interval": "5m"},
    })  # fmt: skip
    add("kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository", "flux-system/charts", {
        "metadata": {"name": "charts", "namespace": "flux-system"},
        "spec": {"url": f"oci://{LOGIN_SERVER}/helm", "type": "oci"},
    })  # fmt: skip
    _detection(add, workspace, sentinel)
    del stack
    return plan.resources


def _detection(add: Any, workspace: str, sentinel: str) -> None:
    """Identity logs, the action group, and every detection as alert and analytics rule."""
    from components.detection.catalog import DETECTIONS, QueryInputs

    add("azure-native:aadiam:DiagnosticSetting", "entra-logs", {
        "name": "entra-to-log-plat-dev", "workspaceId": WORKSPACE_ID,
        "logs": [{"category": c, "enabled": True} for c in (
            "SignInLogs", "AuditLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs")],
    }, (workspace,))  # fmt: skip
    group = add("azure-native:monitor:ActionGroup", "action-group", {
        "actionGroupName": "ag-log-plat-dev-security", "resourceGroupName": "rg-plat-dev",
        "location": "global", "groupShortName": "sec-dev", "enabled": True,
        "emailReceivers": [{"name": "email-0", "emailAddress": "oncall@contoso.com"}],
    })  # fmt: skip
    inputs = QueryInputs((BREAK_GLASS,), (ADMIN_GROUP,), ("kube-system",))
    for detection in DETECTIONS:
        query = detection.query(inputs)
        add("azure-native:monitor:ScheduledQueryRule", f"alert-{detection.id}", {
            "ruleName": f"log-plat-dev-{detection.id}", "resourceGroupName": "rg-plat-dev",
            "location": "westeurope", "kind": "LogAlert", "enabled": True,
            "severity": detection.severity, "evaluationFrequency": detection.frequency,
            "windowSize": detection.window, "scopes": [WORKSPACE_ID],
            "criteria": {"allOf": [{"query": query, "timeAggregation": "Count",
                                    "operator": "GreaterThan", "threshold": 0}]},
            "actions": {"actionGroups": [f"{RG}/providers/Microsoft.Insights/actionGroups/ag-log-plat-dev-security"]},
            "tags": {"platform-detection": detection.id},
        }, (workspace, group))  # fmt: skip
        add("azure-native:securityinsights:ScheduledAlertRule", f"sentinel-{detection.id}", {
            "ruleId": detection.sentinel_rule_id, "workspaceName": "log-plat-dev",
            "resourceGroupName": "rg-plat-dev", "kind": "Scheduled", "enabled": True,
            "displayName": detection.title, "query": query,
            "queryFrequency": detection.frequency, "queryPeriod": detection.window,
            "severity": detection.sentinel_severity, "triggerOperator": "GreaterThan",
            "triggerThreshold": 0, "suppressionEnabled": False, "suppressionDuration": "PT5H",
            "tactics": list(detection.tactics), "techniques": list(detection.techniques),
            "entityMappings": [{"entityType": e.entity_type, "fieldMappings": [
                {"identifier": i, "columnName": c} for i, c in e.fields]} for e in detection.entities],
            "incidentConfiguration": {"createIncident": True},
        }, (workspace, sentinel))  # fmt: skip


def _rbac_rule(rule: tenancy.Rule) -> dict[str, Any]:
    return {
        "apiGroups": list(rule.api_groups),
        "resources": list(rule.resources),
        "verbs": list(rule.verbs),
    }


def _guardrail_policies() -> list[tuple[str, dict[str, Any]]]:
    tenants = {"matchExpressions": [{"key": tenancy.TENANT_LABEL, "operator": "Exists"}]}
    not_platform = [{"name": "not-the-platform", "expression": tenancy.NOT_THE_PLATFORM}]
    return [
        (tenancy.GUARDRAIL_POLICY, {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "namespaceSelector": tenants,
                "objectSelector": {"matchExpressions": [{"key": tenancy.OWNED_LABEL, "operator": "Exists"}]},
                "resourceRules": [
                    {"apiGroups": [kind.api_group], "apiVersions": ["*"],
                     "operations": ["CREATE", "UPDATE", "DELETE"], "resources": [kind.resource]}
                    for kind in tenancy.PROTECTED
                ],
            },
            "matchConditions": not_platform,
            "validations": [{"expression": tenancy.KEEP_PLATFORM_OBJECTS}, {"expression": tenancy.NO_CLAIMED_OWNERSHIP}],
        }),
        (tenancy.TOKEN_SECRET_POLICY, {
            "failurePolicy": "Fail",
            "matchConstraints": {"namespaceSelector": tenants, "resourceRules": [
                {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["secrets"]}]},
            "matchConditions": not_platform,
            "validations": [{"expression": tenancy.NO_TOKEN_SECRETS}],
        }),
    ]  # fmt: skip


OWNED = {tenancy.OWNED_LABEL: "true"}
_SECURE = _build()
