"""Every control: the secure plan passes it, and each insecure variant below is caught by it.

The variants are a table (control -> resource -> change), applied to a copy of the secure
plan of secure_plan.py; the test asserts the control reports a failure for the mutated
plan, with the catalog's enforcement. A control without a row fails the coverage test.
"""

# The plan and the mutation table are data: one entry per line reads best, however wide.
# ruff: noqa: E501

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from secure_plan import (
    ARC,
    BLOB_CONTRIBUTOR,
    CONTRIBUTOR,
    LOGIN_SERVER,
    REGISTRY,
    RG,
    ROLE,
    STATE_CONTAINER,
    STATE_RG,
    SUBSCRIPTION_ID,
    context,
    production_context,
    secure_resources,
)

from bootstrap.engine.preview import preview_plan
from policies.catalog import load_catalog
from policies.context import PolicyContext
from policies.evaluator import evaluate
from policies.settings import WaiverFact

DELETE = object()
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
POD = ("spec", "template", "spec")
WEB = (*POD, "containers", 0)
STATE_KEY_VAULT = f"{STATE_RG}/providers/Microsoft.KeyVault/vaults/kv-pulumi-state"
CRON_POD = ("spec", "jobTemplate", "spec", "template", "spec")

Change = Callable[[list[dict[str, Any]]], None]


@dataclass(frozen=True)
class Mutation:
    control: str
    description: str
    changes: tuple[Change, ...]
    production: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    def context(self) -> PolicyContext:
        base = production_context() if self.production else context()
        if not self.settings:
            return base
        return PolicyContext(settings=_replace(base.settings, **self.settings), stack=base.stack)


def _replace(settings: Any, **values: Any) -> Any:
    import dataclasses

    return dataclasses.replace(settings, **values)


def _find(resources: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for resource in resources:
        if resource["name"] == name:
            return resource
    raise KeyError(f"no resource {name} in the secure plan")


def set_(name: str, path: tuple[Any, ...], value: Any, key: str = "inputs") -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        node = _find(resources, name)[key]
        for step in path[:-1]:
            node = node[step]
        if value is DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value

    return change


def remove(name: str) -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        resources.remove(_find(resources, name))

    return change


def append(resource_type: str, name: str, inputs: dict[str, Any]) -> Change:
    def change(resources: list[dict[str, Any]]) -> None:
        resources.append({"urn": f"urn:pulumi:dev::aks-platform::{resource_type}::{name}",
                          "type": resource_type, "name": name, "parent": None, "inputs": inputs})  # fmt: skip

    return change


def m(control: str, description: str, *changes: Change, production: bool = False,
      **settings: Any) -> Mutation:  # fmt: skip
    return Mutation(control, description, changes, production, settings)


AKS = "dev1-aks"
REGISTRY_ID = f"{RG}/providers/Microsoft.ContainerRegistry/registries/{REGISTRY}"
EXPIRED = WaiverFact("AKS-ID-02", None, "legacy tooling still needs it", "2020-01-31")


def add_rule(name: str, groups: list[str], resources: list[str], verbs: list[str]) -> Change:
    def change(resources_: list[dict[str, Any]]) -> None:
        _find(resources_, name)["inputs"]["rules"].append(
            {"apiGroups": groups, "resources": resources, "verbs": verbs}
        )

    return change


RB = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
GUARDRAILS = "platform-tenant-guardrails"
TOKEN_POLICY = "platform-no-service-account-token-secrets"

MUTATIONS = [
    # ---- identity
    m("AKS-ID-01", "azure rbac off", set_(AKS, ("aadProfile", "enableAzureRBAC"), False)),
    m("AKS-ID-01", "no entra integration", set_(AKS, ("aadProfile",), DELETE)),
    m("AKS-ID-02", "local accounts on", set_(AKS, ("disableLocalAccounts",), False)),
    m("AKS-ID-02", "local accounts unset", set_(AKS, ("disableLocalAccounts",), DELETE)),
    m("AKS-ID-03", "kubernetes rbac off", set_(AKS, ("enableRBAC",), False)),
    m("AKS-ID-04", "workload identity off", set_(AKS, ("securityProfile", "workloadIdentity", "enabled"), False)),
    m("AKS-ID-04", "oidc issuer off", set_(AKS, ("oidcIssuerProfile", "enabled"), False)),
    m("IAM-ID-01", "github wildcard subject", set_("fic-deploy", ("subject",), "repo:contoso/platform:*")),
    m("IAM-ID-01", "github branch wildcard", set_("fic-deploy", ("subject",), "repo:contoso/platform:ref:refs/heads/*")),
    m("IAM-ID-01", "service account wildcard", set_("fic-workload", ("subject",), "system:serviceaccount:team-a:*")),
    m("IAM-ID-01", "extra audience", set_("fic-deploy", ("audiences",), ["api://AzureADTokenExchange", "other"])),
    m("IAM-ID-02", "pull request identity contributor", set_("ra-preview", ("roleDefinitionId",), f"{ROLE}/{CONTRIBUTOR}")),
    m("IAM-ID-02", "pull request identity decrypts with a whole vault", set_("ra-preview-key", ("scope",), STATE_KEY_VAULT)),
    m("IAM-ID-03", "cluster with client secret", set_(AKS, ("servicePrincipalProfile",), {"clientId": "app", "secret": "[secret]"})),
    m("IAM-ID-03", "cluster without managed identity", set_(AKS, ("identity", "type"), "None")),
    m("IAM-ID-03", "application password", append("azuread:index/applicationPassword:ApplicationPassword", "ci-password", {"applicationId": "x"})),
    m("IAM-ID-04", "admin kubeconfig output", set_("aks-platform-dev", ("adminKubeconfig",), "[secret]", key="outputs")),
    m("IAM-ID-04", "kubeconfig text output", set_("aks-platform-dev", ("cluster",), {"config": "apiVersion: v1\nkind: Config\nusers: []"}, key="outputs")),
    m("IAM-ID-05", "deploy identity owner", set_("ra-deploy", ("roleDefinitionId",), f"{ROLE}/{OWNER}")),
    m("IAM-ID-05", "user access administrator", set_("ra-deploy", ("roleDefinitionId",), f"{ROLE}/{USER_ACCESS_ADMINISTRATOR}")),
    m("IAM-ID-05", "rbac administrator without condition", set_("ra-deploy", ("roleDefinitionId",), f"{ROLE}/{RBAC_ADMINISTRATOR}")),
    # ---- network
    m("AKS-NET-01", "public api server", set_(AKS, ("apiServerAccessProfile", "enablePrivateCluster"), False)),
    m("AKS-NET-01", "open authorized range",
      set_(AKS, ("apiServerAccessProfile", "enablePrivateCluster"), False),
      set_(AKS, ("apiServerAccessProfile", "authorizedIPRanges"), ["203.0.113.0/24", "0.0.0.0/0"])),
    m("AKS-NET-02", "no network policy", set_(AKS, ("networkProfile", "networkPolicy"), DELETE)),
    m("AKS-NET-02", "network policy none", set_(AKS, ("networkProfile", "networkPolicy"), "none")),
    m("AKS-NET-03", "inline pool public ip", set_(AKS, ("agentPoolProfiles", 1, "enableNodePublicIP"), True)),
    m("AKS-NET-03", "agent pool public ip", set_("dev1-batch", ("enableNodePublicIP",), True)),
    m("ACR-NET-01", "public registry",
      set_("registry", ("publicNetworkAccess",), "Enabled"),
      set_("registry", ("networkRuleSet", "defaultAction"), "Allow")),
    m("KV-NET-01", "public vault",
      set_("vault", ("properties", "publicNetworkAccess"), "Enabled"),
      set_("vault", ("properties", "networkAcls", "defaultAction"), "Allow")),
    m("KUBE-NET-01", "no default deny", remove("team-a/default-deny")),
    m("KUBE-NET-01", "ingress only deny", set_("team-a/default-deny", ("spec", "policyTypes"), ["Ingress"])),
    m("KUBE-NET-02", "no dns egress", remove("team-a/allow-dns")),
    # ---- cluster
    m("AKS-CLU-01", "azure policy add-on off", set_(AKS, ("addonProfiles", "azurepolicy", "enabled"), False)),
    m("AKS-CLU-02", "defender off", set_(AKS, ("securityProfile", "defender", "securityMonitoring", "enabled"), False)),
    m("AKS-CLU-02", "defender without workspace", set_(AKS, ("securityProfile", "defender", "logAnalyticsWorkspaceResourceId"), DELETE)),
    m("AKS-CLU-03", "secret rotation off", set_(AKS, ("addonProfiles", "azureKeyvaultSecretsProvider", "config", "enableSecretRotation"), "false")),
    m("AKS-CLU-04", "upgrade channel none", set_(AKS, ("autoUpgradeProfile", "upgradeChannel"), "none")),
    m("AKS-CLU-04", "node os unmanaged", set_(AKS, ("autoUpgradeProfile", "nodeOSUpgradeChannel"), "Unmanaged")),
    m("AKS-CLU-05", "no node os window", remove("dev1-aksManagedNodeOSUpgradeSchedule")),
    m("AKS-CLU-06", "image cleaner off", set_(AKS, ("securityProfile", "imageCleaner", "enabled"), False)),
    m("AKS-CLU-07", "kms off", set_(AKS, ("securityProfile", "azureKeyVaultKms", "enabled"), False)),
    m("AKS-CLU-08", "system pool without host encryption", set_(AKS, ("agentPoolProfiles", 0, "enableEncryptionAtHost"), False)),
    m("AKS-CLU-08", "agent pool without host encryption", set_("dev1-batch", ("enableEncryptionAtHost",), False)),
    m("AKS-CLU-09", "ssh on", set_(AKS, ("agentPoolProfiles", 1, "securityProfile", "sshAccess"), "LocalUser")),
    m("AKS-CLU-09", "ssh unset", set_("dev1-batch", ("securityProfile",), DELETE)),
    m("AKS-CLU-10", "system pool untainted", set_(AKS, ("agentPoolProfiles", 0, "nodeTaints"), [])),
    m("AKS-CLU-11", "container insights off", set_(AKS, ("addonProfiles", "omsagent", "enabled"), False)),
    m("AKS-CLU-12", "run command on", set_(AKS, ("apiServerAccessProfile", "disableRunCommand"), False)),
    m("FLX-CLU-01", "aks without flux extension", remove("aks-plat-dev-dev1-microsoft.flux")),
    m("FLX-CLU-01", "arc without flux configuration", remove("arc-plat-dev-edge1-flux")),
    m("FLX-CLU-01", "suspended configuration", set_("aks-plat-dev-dev1-flux", ("suspend",), True)),
    m("FLX-SRC-01", "http git source", set_("aks-plat-dev-dev1-flux", ("gitRepository", "url"), "http://git.example.com/p.git")),
    m("FLX-SRC-01", "http GitRepository", set_("flux-system/platform", ("spec", "url"), "http://git.example.com/p.git")),
    m("FLX-SRC-01", "insecure HelmRepository", set_("flux-system/charts", ("spec", "insecure"), True)),
    # ---- registry
    m("ACR-REG-01", "admin user", set_("registry", ("adminUserEnabled",), True)),
    m("ACR-REG-02", "anonymous pull", set_("registry", ("anonymousPullEnabled",), True)),
    m("ACR-REG-03", "standard sku", set_("registry", ("sku", "name"), "Standard")),
    m("ACR-REG-04", "no retention", set_("registry", ("policies", "retentionPolicy", "status"), "disabled")),
    m("ACR-REG-05", "export enabled", set_("registry", ("policies", "exportPolicy", "status"), "enabled")),
    m("ACR-REG-05", "export unset (API default enabled)", set_("registry", ("policies", "exportPolicy"), DELETE)),
    m("ACR-REG-06", "no acrpull", remove("dev1-acrpull")),
    m("ACR-REG-06", "reader instead of acrpull", set_("dev1-acrpull", ("roleDefinitionId",), f"{ROLE}/acdd72a7-3385-48ef-bd42-f606fba81ae7")),
    # ---- key vault
    m("KV-KEY-01", "access policies", set_("vault", ("properties", "enableRbacAuthorization"), False)),
    m("KV-KEY-02", "no purge protection", set_("vault", ("properties", "enablePurgeProtection"), False)),
    m("KV-KEY-03", "short retention", set_("vault", ("properties", "softDeleteRetentionInDays"), 5)),
    m("KV-KEY-03", "soft delete off", set_("vault", ("properties", "enableSoftDelete"), False)),
    m("KV-KEY-04", "no rotation policy", set_("kms-key", ("properties", "rotationPolicy"), DELETE)),
    # ---- governance
    m("GOV-DEF-01", "arm plan free", set_("defender-Arm", ("pricingTier",), "Free")),
    m("GOV-DEF-01", "no key vault plan", remove("defender-KeyVaults")),
    m("GOV-DEF-02", "container sensor off", set_("defender-Containers", ("extensions", 2, "isEnabled"), "False")),
    m("GOV-POL-01", "no pod security initiative", remove("policy-pod-security"), remove("policy-pod-security-restricted")),
    m("GOV-POL-01", "baseline only in production", remove("policy-pod-security-restricted"), production=True),
    m("GOV-POL-02", "allowed images not assigned", remove("policy-allowed-images")),
    m("GOV-POL-02", "permissive regex", set_("policy-allowed-images", ("parameters", "allowedContainerImagesRegex", "value"), ".*")),
    m("GOV-POL-02", "unanchored regex", set_("policy-allowed-images", ("parameters", "allowedContainerImagesRegex", "value"), LOGIN_SERVER.replace(".", "[.]") + "/.+$")),
    m("GOV-POL-03", "nothing denies privileged", remove("policy-no-privileged"), remove("policy-pod-security"), remove("policy-pod-security-restricted")),
    m("GOV-POL-04", "no https ingress", remove("policy-https-ingress")),
    m("GOV-POL-05", "no external ips", remove("policy-external-ips")),
    m("GOV-POL-06", "do not enforce", set_("policy-no-privileged", ("enforcementMode",), "DoNotEnforce")),
    m("GOV-POL-06", "initiative left on audit", set_("policy-pod-security", ("parameters",), {})),
    m("GOV-POL-06", "effect audit", set_("policy-external-ips", ("parameters", "effect", "value"), "Audit")),
    m("GOV-POL-07", "no defender profile audit", remove("policy-aks-defender-audit")),
    m("MON-DIA-01", "registry without diagnostics", remove("registry-diagnostics")),
    m("MON-DIA-01", "diagnostics to storage only", set_("vault-diagnostics", ("workspaceId",), DELETE)),
    # At a first preview the ID is unknown; its property dependency says it is the registry.
    m("MON-DIA-01", "diagnostics to a registry ID", set_("vault-diagnostics", ("workspaceId",), REGISTRY_ID)),
    m("MON-DIA-02", "no audit categories", set_("dev1-diagnostics", ("logs",), [{"category": "kube-apiserver", "enabled": True}])),
    m("MON-SEN-01", "production without sentinel", remove("sentinel"), production=True),
    m("MON-LAW-01", "workspace keys on", set_("workspace", ("features", "disableLocalAuth"), False)),
    m("MON-ACT-01", "no activity log export", remove("activity-log")),
    m("MON-ACT-01", "activity log to a registry ID", set_("activity-log", ("workspaceId",), REGISTRY_ID)),
    m("GOV-WVR-01", "expired waiver", waivers=(EXPIRED,)),
    # ---- kubernetes objects
    m("KUBE-NS-01", "baseline namespace", set_("team-a", ("metadata", "labels", "pod-security.kubernetes.io/enforce"), "baseline")),
    m("KUBE-NS-01", "unlabelled namespace", set_("team-a", ("metadata", "labels"), {})),
    m("KUBE-POD-01", "privileged", set_("team-a/web", (*WEB, "securityContext", "privileged"), True)),
    m("KUBE-POD-02", "host network", set_("team-a/web", (*POD, "hostNetwork"), True)),
    m("KUBE-POD-02", "host pid pod", set_("team-a/debug", ("spec", "hostPID"), True)),
    m("KUBE-POD-03", "host path", set_("team-a/web", (*POD, "volumes", 0), {"name": "root", "hostPath": {"path": "/"}})),
    m("KUBE-POD-04", "run as root allowed", set_("team-a/web", (*WEB, "securityContext", "runAsNonRoot"), False)),
    m("KUBE-POD-04", "uid 0", set_("team-a/report", (*CRON_POD, "securityContext", "runAsUser"), 0)),
    m("KUBE-POD-05", "escalation unset", set_("team-a/web", (*WEB, "securityContext", "allowPrivilegeEscalation"), DELETE)),
    m("KUBE-POD-06", "capabilities kept", set_("team-a/web", (*WEB, "securityContext", "capabilities", "drop"), [])),
    m("KUBE-POD-06", "sys admin added", set_("team-a/web", (*WEB, "securityContext", "capabilities", "add"), ["SYS_ADMIN"])),
    m("KUBE-POD-07", "unconfined", set_("team-a/web", (*POD, "securityContext", "seccompProfile", "type"), "Unconfined")),
    m("KUBE-POD-07", "no seccomp", set_("team-a/debug", ("spec", "securityContext", "seccompProfile"), DELETE)),
    m("KUBE-POD-08", "writable root", set_("team-a/web", (*POD, "initContainers", 0, "securityContext", "readOnlyRootFilesystem"), False)),
    m("KUBE-IMG-01", "docker hub image", set_("team-a/web", (*WEB, "image"), "docker.io/library/nginx:1.27")),
    m("KUBE-IMG-01", "implicit docker hub", set_("team-a/debug", ("spec", "containers", 0, "image"), "nginx:1.27")),
    m("KUBE-IMG-02", "latest tag", set_("team-a/web", (*WEB, "image"), f"{LOGIN_SERVER}/team-a/web:latest")),
    m("KUBE-IMG-02", "no tag", set_("team-a/web", (*WEB, "image"), f"{LOGIN_SERVER}/team-a/web")),
    m("KUBE-IMG-03", "pull secret on pod", set_("team-a/web", (*POD, "imagePullSecrets"), [{"name": "acr"}])),
    m("KUBE-IMG-03", "pull secret on service account", set_("team-a/team-a-app", ("imagePullSecrets",), [{"name": "acr"}])),
    m("KUBE-IMG-04", "tag without digest", set_("team-a/web", (*WEB, "image"), f"{LOGIN_SERVER}/team-a/web:1.4.2")),
    m("KUBE-RES-01", "no limits", set_("team-a/web", (*WEB, "resources", "limits"), DELETE)),
    m("KUBE-SA-01", "service account automounts", set_("team-a/team-a-app", ("automountServiceAccountToken",), DELETE)),
    m("KUBE-SA-01", "default account automounts",
      set_("team-a/debug", ("spec", "serviceAccountName"), DELETE),
      set_("team-a/debug", ("spec", "automountServiceAccountToken"), DELETE)),
    m("TEN-RBAC-01", "owners bound to edit", set_("team-a/owners", ("roleRef",), {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"})),
    m("TEN-RBAC-01", "owners bound to admin", set_("team-a/owners", ("roleRef",), {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"})),
    m("TEN-RBAC-01", "flux-applier bound to admin", append(RB, "team-a/flux-applier", {"metadata": {"name": "flux-applier", "namespace": "team-a"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"}, "subjects": [{"kind": "ServiceAccount", "name": "flux-applier"}]})),
    m("TEN-RBAC-01", "service accounts group bound to cluster-admin", append(RB, "team-a/all-accounts", {"metadata": {"name": "all-accounts", "namespace": "team-a"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "Group", "name": "system:serviceaccounts:team-a"}]})),
    m("TEN-RBAC-01", "owner role impersonates", add_rule("team-a/tenant-owner", [""], ["serviceaccounts"], ["impersonate"])),
    m("TEN-RBAC-01", "owner role mints tokens", add_rule("team-a/tenant-owner", [""], ["serviceaccounts/token"], ["create"])),
    m("TEN-RBAC-01", "owner role writes bindings", add_rule("team-a/tenant-owner", ["rbac.authorization.k8s.io"], ["rolebindings"], ["create"])),
    m("TEN-RBAC-01", "owner role escalates", add_rule("team-a/tenant-owner", ["rbac.authorization.k8s.io"], ["roles"], ["escalate", "bind"])),
    m("TEN-RBAC-01", "owner role with wildcards", add_rule("team-a/tenant-owner", ["*"], ["*"], ["*"])),
    m("TEN-RBAC-01", "wildcard verbs on the rbac group", add_rule("team-a/tenant-owner", ["rbac.authorization.k8s.io"], ["roles"], ["*"])),
    m("TEN-RBAC-01", "owners bound to a role nobody defines", set_("team-a/owners", ("roleRef", "name"), "tenant-superuser")),
    m("TEN-ADM-01", "no guardrail policy", remove(GUARDRAILS)),
    m("TEN-ADM-01", "no token secret policy", remove(TOKEN_POLICY)),
    m("TEN-ADM-01", "guardrail binding only warns", set_(f"{GUARDRAILS}-binding", ("spec", "validationActions"), ["Warn"])),
    m("TEN-ADM-01", "guardrails fail open", set_(GUARDRAILS, ("spec", "failurePolicy"), "Ignore")),
    m("TEN-ADM-01", "network policies not protected", set_(GUARDRAILS, ("spec", "matchConstraints", "resourceRules"), [{"apiGroups": [""], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE", "DELETE"], "resources": ["resourcequotas", "limitranges", "serviceaccounts"]}])),
    m("TEN-ADM-01", "deletes not covered", set_(GUARDRAILS, ("spec", "matchConstraints", "resourceRules"), [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["*"]}])),
    m("TEN-ADM-01", "tenant group exempted", set_(GUARDRAILS, ("spec", "matchConditions"), [{"name": "not-the-platform", "expression": "!('00000000-0000-0000-0000-00000000d001' in request.userInfo.groups)"}])),
    m("TEN-ADM-01", "validation weakened", set_(GUARDRAILS, ("spec", "validations"), [{"expression": "true"}])),
    m("TEN-ADM-01", "tenant namespace not labelled", set_("team-a", ("metadata", "labels"), {"pod-security.kubernetes.io/enforce": "restricted"})),
    m("TEN-ADM-01", "default deny not owned by the platform", set_("team-a/default-deny", ("metadata", "labels"), {})),
    m("KUBE-DNS-01", "no coredns-custom", remove("kube-system/coredns-custom")),
    m("KUBE-DNS-01", "coredns without log", set_("kube-system/coredns-custom", ("data",), {"errors.override": "errors\n"})),
    # ---- arc
    m("ARC-KEY-01", "connected cluster with an empty agent key", set_("eks1-arc", ("agentPublicKeyCertificate",), "")),
    m("ARC-KEY-01", "agent key that is not a DER public key", set_("eks1-arc", ("agentPublicKeyCertificate",), "c2VjcmV0")),
    m("ARC-KEY-01", "empty key on a cluster that is not provisioned by Azure", set_("edge1-arc", ("kind",), DELETE)),
    m("ARC-ID-01", "arc without azure rbac", set_("edge1-arc", ("aadProfile", "enableAzureRBAC"), False)),
    m("ARC-ID-01", "azure rbac without the checkaccess role", remove("arc-plat-dev-edge1-checkaccess")),
    m("ARC-ID-02", "azure rbac on eks", set_("eks1-arc", ("aadProfile",), {"enableAzureRBAC": True})),
    m("ARC-ID-03", "admin without the cluster user role", remove("arc-plat-dev-eks1-00493d72")),
    m("ARC-EXT-01", "arc without defender", remove("arc-plat-dev-edge1-microsoft.azuredefender.kubernetes")),
    m("ARC-MON-01", "monitoring without its rule association", remove("arc-plat-dev-eks1-dcra")),
    m("ARC-MON-01", "monitoring with workspace keys", set_("arc-plat-dev-eks1-microsoft.azuremonitor.containers", ("configurationSettings", "amalogs.useAADAuth"), "false")),
    m("ARC-DEF-01", "defender in another namespace", set_("arc-plat-dev-eks1-microsoft.azuredefender.kubernetes", ("scope", "cluster", "releaseNamespace"), "azuredefender")),
    m("ARC-DEF-01", "defender under another name", set_("arc-plat-dev-edge1-microsoft.azuredefender.kubernetes", ("extensionName",), "azuredefender.kubernetes")),
    m("ARC-DEF-02", "defender audit skips eks", set_("policy-arc-defender-extension-all", ("parameters", "excludedDistributions", "value"), ["aks", "aks_management", "eks", "gke"])),
    m("ARC-LOC-01", "instance scoped by resourceId()", set_("edge1-provisioned", ("properties", "template", "resources", 0, "scope"), f"[resourceId('Microsoft.Kubernetes/connectedClusters', '{ARC}')]")),
    m("ARC-LOC-01", "no ssh public key", set_("edge1-provisioned", ("properties", "template", "resources", 0, "properties", "linuxProfile"), DELETE)),
    m("ARC-LOC-01", "no control plane endpoint", set_("edge1-provisioned", ("properties", "template", "resources", 0, "properties", "controlPlane", "controlPlaneEndpoint"), DELETE)),
    m("ARC-LOC-01", "node pool only in the cluster body", remove("edge1-nodepools")),
    m("ARC-NET-01", "azure local without calico (deployment)", set_("edge1-provisioned", ("properties", "template", "resources", 0, "properties", "networkProfile", "networkPolicy"), "none")),
    m("ARC-NET-01", "provisioned cluster without policy", set_("edge2-provisioned", ("networkProfile",), DELETE)),
    m("ARM-SCH-01", "export policy status in the wrong case", set_("registry", ("policies", "exportPolicy", "status"), "Disabled")),
    m("ARM-SCH-01", "unknown property", set_("registry", ("adminUserEnable",), False)),
    m("ARM-SCH-01", "required property missing", set_("fic-deploy", ("issuer",), DELETE)),
    # ---- delivery
    m("DEL-GHA-01", "azure login with creds", set_(".github/workflows/deploy.yml", ("jobs", "deploy", "steps", 1, "with"), {"creds": "${{ secrets.AZURE_CREDENTIALS }}"})),
    m("DEL-GHA-01", "stored client secret", set_("slack", ("secretName",), "AZURE_CLIENT_SECRET")),
    m("DEL-GHA-02", "no permissions block", set_(".github/workflows/deploy.yml", ("permissions",), DELETE)),
    m("DEL-GHA-02", "write-all", set_(".github/workflows/deploy.yml", ("permissions",), "write-all")),
    m("DEL-GHA-02", "top-level write", set_(".github/workflows/deploy.yml", ("permissions", "contents"), "write")),
    m("DEL-GHA-03", "force pushes", set_("main-protection", ("allowsForcePushes",), True)),
    m("DEL-GHA-03", "no reviews", set_("main-protection", ("requiredPullRequestReviews", 0, "requiredApprovingReviewCount"), 0)),
    m("DEL-GHA-03", "unprotected main", remove("main-protection")),
    m("DEL-GHA-04", "no reviewers", set_("env-prod", ("reviewers",), []), production=True),
    m("DEL-GHA-04", "no production environment", remove("env-prod"), production=True),
    # ---- delivery: the Pulumi state
    m("DEL-STA-01", "deploy blob owner", set_("ra-deploy-state", ("roleDefinitionId",), f"{ROLE}/{STORAGE_BLOB_DATA_OWNER}")),
    m("DEL-STA-01", "preview writes state", set_("ra-preview-state", ("roleDefinitionId",), f"{ROLE}/{BLOB_CONTRIBUTOR}")),
    m("DEL-STA-01", "blob role on the whole account", set_("ra-deploy-state", ("scope",), STATE_CONTAINER.partition("/blobServices")[0])),
    m("DEL-STA-01", "decrypt with every key of the vault", set_("ra-preview-key", ("scope",), STATE_KEY_VAULT)),
    m("DEL-STA-01", "crypto officer on the key", set_("ra-deploy-key", ("roleDefinitionId",), f"{ROLE}/{CRYPTO_OFFICER}")),
    m("DEL-STA-01", "preview cannot read state", remove("ra-preview-state")),
    m("DEL-STA-01", "deploy cannot decrypt", remove("ra-deploy-key")),
    m("DEL-STA-01", "contributor over the state group", set_("ra-deploy", ("scope",), STATE_RG)),
    # Supply chain: what the stack configures must be in the plan (removing it is caught).
    m("SUP-SIG-01", "builders configured, no signer", image_builders=1),
    m("SUP-VER-01", "clusters reconcile no image verifier", image_verification=True),
    m("SUP-VER-02", "production admits unsigned images", append("kubernetes:constraints.gatekeeper.sh/v1beta1:PlatformSignedImages", "signed-images", {"spec": {"enforcementAction": "warn", "match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}, "parameters": {"registries": [LOGIN_SERVER]}}}), production=True),
    m("SUP-VER-02", "any signer trusted", append("kubernetes:config.ratify.deislabs.io/v1beta1:Verifier", "notation", {"spec": {"parameters": {"trustPolicyDoc": {"trustPolicies": [{"name": "p", "signatureVerification": {"level": "strict"}, "trustedIdentities": ["*"]}]}}}})),
    m("SUP-BLD-01", "push without scan or signature", append("github:actions/workflow:Workflow", "build", {"jobs": {"b": {"steps": [{"run": "docker push x.azurecr.io/a:1"}]}}})),
    m("SUP-ACR-01", "base image without its task", base_images=("base-python",)),
    m("SUP-DEV-01", "connector configured, not declared", devops_connector=True),
    m("SUP-REP-01", "repository security not declared", repository_security=True),
]  # fmt: skip


@functools.cache
def _secure_results(production: bool) -> list[dict[str, Any]]:
    return evaluate(secure_resources(), production_context() if production else context())


def _failing(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    failing: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        if result["status"] == "fail":
            failing.setdefault(result["controls"][0], []).append(result)
    return failing


@pytest.mark.parametrize("production", [False, True], ids=["dev", "prod"])
@pytest.mark.parametrize("control", load_catalog().ids)
def test_secure_default_passes(control: str, production: bool) -> None:
    results = [r for r in _secure_results(production) if control in r["controls"]]
    assert [r for r in results if r["status"] != "pass"] == []
    passes = [r for r in results if r["status"] == "pass"]
    assert passes and passes[0]["count"] >= 1, f"{control} was never evaluated"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mu: f"{mu.control}:{mu.description}")
def test_insecure_variant_is_caught(mutation: Mutation) -> None:
    resources = copy.deepcopy(secure_resources())
    for change in mutation.changes:
        change(resources)
    failing = _failing(evaluate(resources, mutation.context()))
    assert mutation.control in failing, f"not caught; failing controls: {sorted(failing)}"
    expected = load_catalog().get(mutation.control).enforcement
    assert {r["enforcement"] for r in failing[mutation.control]} == {expected}


def test_every_control_has_an_insecure_variant() -> None:
    # Deployment hazards keep their table (graph changes, preview-shaped plans) apart.
    from test_detection_mutations import DETECTION_MUTATIONS
    from test_hazards import MUTATIONS as HAZARD_MUTATIONS

    tables = (*MUTATIONS, *HAZARD_MUTATIONS, *DETECTION_MUTATIONS)
    covered = {mutation.control for mutation in tables}
    assert sorted(set(load_catalog().ids) - covered) == []


# ---- the same table as a first `pulumi preview` hands the pack the plan


@functools.cache
def _secure_results_at_preview(production: bool) -> list[dict[str, Any]]:
    resources = preview_plan(secure_resources(), SUBSCRIPTION_ID)
    return evaluate(resources, production_context() if production else context())


@pytest.mark.parametrize("production", [False, True], ids=["dev", "prod"])
def test_secure_default_decides_every_control_at_preview(production: bool) -> None:
    results = _secure_results_at_preview(production)
    assert [r for r in results if r["status"] not in ("pass",) and r.get("kind") is None] == []
    decided = {r["controls"][0] for r in results if r["status"] == "pass"}
    assert sorted(set(load_catalog().ids) - decided) == []


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mu: f"{mu.control}:{mu.description}")
def test_insecure_variant_is_caught_at_preview(mutation: Mutation) -> None:
    resources = copy.deepcopy(secure_resources())
    for change in mutation.changes:
        change(resources)
    results = evaluate(preview_plan(resources, SUBSCRIPTION_ID), mutation.context())
    failing = _failing(results)
    assert mutation.control in failing, f"not caught at preview; failing: {sorted(failing)}"
