"""Azure Arc: connected clusters under the same baseline as AKS, as Microsoft deploys it.

Sources, per control (the catalog repeats them):
- agent key: `az connectedk8s connect` sends base64 of the public key as DER (Azure/azure-
  cli-extensions src/connectedk8s/azext_connectedk8s/custom.py `get_public_key`); only a
  ProvisionedCluster (AKS on Azure Local) takes an empty one (Azure/aksArc reference).
- Azure RBAC: not for EKS, GKE or OpenShift; where supported, the cluster identity holds
  "Connected Cluster Managed Identity CheckAccess Reader" and guard runs in the cluster
  (MicrosoftDocs/azure-management-docs articles/azure-arc/kubernetes/azure-rbac.md; custom.py
  `enable_features`); cluster connect needs the Cluster User Role (cluster-connect.md).
- extensions and the monitoring rule: the k8s-extension handlers (src/k8s-extension/
  azext_k8s_extension/partner_extensions/AzureDefender.py, ContainerInsights.py) and the
  built-in DINE policies (Azure/azure-policy built-in-policies/policyDefinitions/Kubernetes/
  ASC_Azure_Defender_Arc_Extension_DINE.json, ArcPolicyExtension_DINE.json).
- AKS on Azure Local: Azure/aksArc deploymentTemplates/aksarc-ARM-azlocal (Cluster, Nodepool).

Every stack rule links resources by dependency and reads values with `view.value`, so it
decides at a first preview too (names and IDs unknown there).
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .flux import CONNECTED_CLUSTER, EXTENSION, cluster_names, cluster_reference, extension_type
from .governance import assignment_parameter, definition_guid
from .ordering import direct, known_list, known_text
from .props import dig, is_map, is_true, items, text
from .roles import role_guid
from .view import StackView, azure_name

PROVISIONED_CLUSTER = "azure-native:hybridcontainerservice:ProvisionedClusterInstance"
DEPLOYMENT = "azure-native:resources:Deployment"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
DCR = "azure-native:monitor:DataCollectionRule"
WORKSPACE = "azure-native:operationalinsights:Workspace"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
PROVISIONED_ARM_TYPE = "microsoft.hybridcontainerservice/provisionedclusterinstances"
AGENT_POOL_ARM_TYPE = f"{PROVISIONED_ARM_TYPE}/agentpools"
ARC_AGENTS_CHART = "azure-arc-k8sagents"

DEFENDER = "microsoft.azuredefender.kubernetes"
POLICY = "microsoft.policyinsights"
MONITORING = "microsoft.azuremonitor.containers"
REQUIRED_EXTENSIONS = {
    DEFENDER: "Defender",
    POLICY: "Azure Policy",
    MONITORING: "Azure Monitor (Container Insights)",
}
# AzureDefender.py: name = the extension type, release namespace "mdc" (DINE 708b60a6 too).
DEFENDER_RELEASE_NAMESPACE = "mdc"
CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default"
CONTAINER_INSIGHTS_ASSOCIATION = "ContainerInsightsExtension"

AZURE_RBAC_UNSUPPORTED = frozenset({"eks", "gke", "openshift"})
CLUSTER_ADMIN = "8393591c-06b9-48a2-a542-1bd6b377f6a2"
CLUSTER_USER = "00493d72-78f6-4148-b6c5-d3ce8e4799dd"
CHECK_ACCESS_READER = "65a14201-8f6c-4c28-bec4-12619c5a9aaa"

# The built-in Defender checks of Arc clusters and the distributions they skip: the audit
# 8dfab9c4 hard-codes its list; the DINE 708b60a6 takes it as excludedDistributions (same
# default). Azure/azure-policy built-in-policies/policyDefinitions/Kubernetes/
# ASC_Azure_Defender_Arc_Extension_Audit.json and ..._DINE.json.
DEFENDER_AUDIT = "8dfab9c4-fe7b-49ad-85e4-1e9be085358f"
DEFENDER_DINE = "708b60a6-d253-4fe0-9114-4be4c00f012c"
DEFENDER_DEFAULT_EXCLUDED = ("aks", "aks_management", "eks", "gke")


def _value(view: StackView, resource: PolicyResource, *path: str | int) -> Any:
    try:
        return view.value(resource, *path)
    except UnknownValueError:
        return None


def _is_provisioned(view: StackView, cluster: PolicyResource) -> bool:
    return known_text_of(view, cluster, "kind") == "ProvisionedCluster"


def known_text_of(view: StackView, resource: PolicyResource, *path: str | int) -> str:
    return view.known_text(resource, *path)


def _agents_by_cluster(view: StackView) -> dict[str, list[PolicyResource]]:
    """The Arc agents' Helm release(s) the program installs, by connected cluster URN (one
    pass over the releases, not one per cluster)."""
    found: dict[str, list[PolicyResource]] = defaultdict(list)
    for release in view.of_type(HELM_RELEASE):
        if not view.known_text(release, "chart").rstrip("/").endswith(ARC_AGENTS_CHART):
            continue
        for cluster in direct(release, CONNECTED_CLUSTER):
            found[cluster.urn].append(release)
    return found


# ---- ARC-KEY-01: a connected cluster carries the agent's public key


def agent_key_present(view: StackView, _: PolicySettings) -> Findings:
    for cluster in view.of_type(CONNECTED_CLUSTER):
        if _is_provisioned(view, cluster):
            continue  # Azure runs the agents of AKS on Azure Local: the key stays empty
        name = azure_name(cluster)
        try:
            key = view.value(cluster, "agentPublicKeyCertificate")
        except UnknownValueError:
            # Computed at `pulumi up`: fine when it comes from the agent key pair.
            if not view.derived_from(cluster, "agentPublicKeyCertificate", PRIVATE_KEY):
                yield (
                    f"connected cluster {name}: agentPublicKeyCertificate is not computed from "
                    "the agent key pair (a tls PrivateKey) of the program",
                    cluster.urn,
                )
            continue
        problem = _public_key_problem(text(key))
        if problem:
            yield (
                f"connected cluster {name}: agentPublicKeyCertificate {problem}; the Arc agents "
                "could never authenticate, and a later `az connectedk8s connect` would clash "
                "(onboard it with onboarding: program, or adopt it)",
                cluster.urn,
            )


def _public_key_problem(key: str) -> str | None:
    if not key:
        return "is empty"
    try:
        der = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return "is not base64"
    # PKCS#1 RSAPublicKey: a DER SEQUENCE (0x30) of modulus and exponent.
    if len(der) < 64 or der[0] != 0x30:
        return "is not a DER-encoded RSA public key"
    return None


# ---- ARC-ID-01 / 02 / 03: Entra ID access as Arc supports it


def azure_rbac_where_supported(view: StackView, _: PolicySettings) -> Findings:
    readers = _role_holders(view, CHECK_ACCESS_READER)
    agents = _agents_by_cluster(view)
    for cluster in view.of_type(CONNECTED_CLUSTER):
        distribution = view.known_text(cluster, "distribution").lower()
        if distribution in AZURE_RBAC_UNSUPPORTED:
            continue  # ARC-ID-02
        name = azure_name(cluster)
        if not is_true(_value(view, cluster, "aadProfile", "enableAzureRBAC")):
            yield (
                f"connected cluster {name} ({distribution or 'no distribution'}): "
                "aadProfile.enableAzureRBAC is not true although Arc supports Azure RBAC there",
                cluster.urn,
            )
            continue
        if cluster.urn not in readers:
            yield (
                f"connected cluster {name}: its identity holds no Connected Cluster Managed "
                "Identity CheckAccess Reader role on the cluster, so guard cannot check access",
                cluster.urn,
            )
        for release in agents.get(cluster.urn, ()):
            if not is_true(
                _value(view, release, "values", "systemDefaultValues", "guard", "enabled")
            ):
                yield (
                    f"connected cluster {name}: the Arc agents run without guard "
                    "(systemDefaultValues.guard.enabled), the in-cluster half of Azure RBAC",
                    release.urn,
                )


def _role_holders(view: StackView, role: str) -> set[str]:
    """URNs of connected clusters with an assignment of `role` scoped to them."""
    holders: set[str] = set()
    for assignment in view.of_type(ROLE_ASSIGNMENT):
        if role_guid(view.known_text(assignment, "roleDefinitionId")) != role:
            continue
        holders.update(c.urn for c in direct(assignment, CONNECTED_CLUSTER))
    return holders


def no_azure_rbac_where_unsupported(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    distribution = text(dig(props, "distribution")).lower()
    if distribution in AZURE_RBAC_UNSUPPORTED and is_true(
        dig(props, "aadProfile", "enableAzureRBAC")
    ):
        yield (
            f"aadProfile.enableAzureRBAC is true on distribution {distribution}, where Arc does "
            "not support Azure RBAC (EKS, GKE, OpenShift): access would silently not be "
            "checked by Azure; grant Kubernetes RBAC and cluster connect instead"
        )


def cluster_user_with_admin(view: StackView, _: PolicySettings) -> Findings:
    by_scope: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    urns: dict[str, str] = {}
    for assignment in view.of_type(ROLE_ASSIGNMENT):
        role = role_guid(view.known_text(assignment, "roleDefinitionId"))
        if role not in (CLUSTER_ADMIN, CLUSTER_USER):
            continue
        clusters = direct(assignment, CONNECTED_CLUSTER)
        scope = clusters[0].urn if clusters else view.known_text(assignment, "scope").lower()
        principal = view.known_text(assignment, "principalId")
        by_scope[scope][role].add(principal)
        if role == CLUSTER_ADMIN:
            urns[f"{scope}|{principal}"] = assignment.urn
    for scope, granted in by_scope.items():
        for principal in sorted(granted[CLUSTER_ADMIN] - granted[CLUSTER_USER]):
            yield (
                f"principal {principal or '(computed)'} is Azure Arc Kubernetes Cluster Admin "
                "but has no Azure Arc Enabled Kubernetes Cluster User Role on the cluster: it "
                "cannot reach the cluster through cluster connect",
                urns[f"{scope}|{principal}"],
            )


# ---- ARC-EXT-01: the security extensions on every connected cluster


def _arc_targets(
    view: StackView, settings: PolicySettings
) -> list[tuple[str, PolicyResource | None]]:
    """Connected clusters of the plan, and adopted ones (read, not in the plan) by name."""
    targets: list[tuple[str, PolicyResource | None]] = [
        (azure_name(c), c) for c in view.of_type(CONNECTED_CLUSTER)
    ]
    targets += [(name, None) for name, _ in settings.adopted_arc_clusters]
    return targets


def _installed(view: StackView, name: str, cluster: PolicyResource | None, values: Any) -> set[Any]:
    """`values(view, extension)` over the extensions on a connected cluster: linked to it
    or naming it (an adopted cluster, read and not in the plan, by its name only)."""
    if cluster is not None:
        return view.referrer_values(
            cluster, EXTENSION, values, by=cluster_reference, names=cluster_names(cluster)
        )
    named = view.keyed(cluster_reference, EXTENSION).get((name, "connectedclusters"), ())
    return {value for extension in named for value in values(view, extension)}


def _extension_types(_: StackView, extension: PolicyResource) -> list[str]:
    return [extension_type(extension)]


def _monitoring_auth(view: StackView, extension: PolicyResource) -> list[tuple[str, bool]]:
    """(URN, uses Entra ID auth) of a Container Insights extension."""
    if extension_type(extension) != MONITORING:
        return []
    auth = is_true(_value(view, extension, "configurationSettings", "amalogs.useAADAuth"))
    return [(extension.urn, auth)]


def _association_target(view: StackView, association: PolicyResource) -> str:
    """The last segment of the resource a data collection rule association is on."""
    return view.known_text(association, "resourceUri").rstrip("/").rpartition("/")[2].lower()


def security_extensions(view: StackView, settings: PolicySettings) -> Findings:
    for name, cluster in _arc_targets(view, settings):
        installed = _installed(view, name, cluster, _extension_types)
        for kind, label in REQUIRED_EXTENSIONS.items():
            if kind not in installed:
                yield (
                    f"connected cluster {name} has no {label} extension ({kind})",
                    cluster.urn if cluster else None,
                )


# ---- ARC-MON-01: Container Insights with its data collection rule and association


def monitoring_with_rule(view: StackView, settings: PolicySettings) -> Findings:
    rules = {r.urn: r for r in view.of_type(DCR)}
    for name, cluster in _arc_targets(view, settings):
        monitors = sorted(_installed(view, name, cluster, _monitoring_auth))
        if not monitors:
            continue  # ARC-EXT-01 reports it
        mine = (
            view.dependents(cluster, DCRA)
            if cluster is not None
            else view.keyed(_association_target, DCRA).get(name.lower(), [])
        )
        mine = [
            a
            for a in mine
            if view.known_text(a, "associationName") in ("", CONTAINER_INSIGHTS_ASSOCIATION)
        ]
        where = cluster.urn if cluster else None
        if not mine:
            yield (
                f"connected cluster {name}: Container Insights has no data collection rule "
                f"association ({CONTAINER_INSIGHTS_ASSOCIATION}); with Entra ID auth the agent "
                "sends nothing without it",
                where,
            )
            continue
        for association in mine:
            linked = [rules[d.urn] for d in association.dependencies or () if d.urn in rules]
            if not any(_collects_container_insights(view, rule) for rule in linked):
                yield (
                    f"connected cluster {name}: the association {association.name} does not point "
                    f"to a data collection rule of the {CONTAINER_INSIGHTS_STREAM} stream to a "
                    "Log Analytics workspace",
                    association.urn,
                )
        for urn, entra_auth in monitors:
            if not entra_auth:
                yield (
                    f"connected cluster {name}: the monitoring extension does not use Entra ID "
                    "auth (amalogs.useAADAuth true), the mode the data collection rule serves",
                    urn,
                )


def _collects_container_insights(view: StackView, rule: PolicyResource) -> bool:
    flows = _value(view, rule, "dataFlows")
    destinations = _value(view, rule, "destinations", "logAnalytics")
    if not items(flows) or not items(destinations):
        return False
    return any(
        CONTAINER_INSIGHTS_STREAM in [text(s) for s in items(dig(f, "streams"))]
        for f in items(flows)
    )


# ---- ARC-DEF-01 / 02: Defender as Microsoft deploys it, audited for the distributions in use


def defender_as_deployed(view: StackView, _: PolicySettings) -> Findings:
    for extension in view.of_type(EXTENSION):
        if extension_type(extension) != DEFENDER:
            continue
        kind = view.known_text(extension, "clusterResourceName").lower()
        if kind not in ("", "connectedclusters"):
            continue
        for problem in _defender_problems(view, extension):
            yield f"Defender extension {extension.name}: {problem}", extension.urn


def _defender_problems(view: StackView, extension: PolicyResource) -> Iterator[str]:
    name = view.known_text(extension, "extensionName")
    if name and name != DEFENDER:
        yield f"extensionName is {name} (Microsoft's handler and policy name it {DEFENDER})"
    namespace = view.known_text(extension, "scope", "cluster", "releaseNamespace")
    if namespace != DEFENDER_RELEASE_NAMESPACE:
        yield (
            f"scope.cluster.releaseNamespace is {namespace or 'not set'} (expected "
            f"{DEFENDER_RELEASE_NAMESPACE}, where Microsoft installs the Defender sensor)"
        )
    try:
        workspace = text(
            view.value(extension, "configurationSettings", "logAnalyticsWorkspaceResourceID")
        )
    except UnknownValueError:
        # The workspace's ID, unknown before it exists: set, when it comes from a workspace.
        workspace = (
            "computed" if view.derived_from(extension, "configurationSettings", WORKSPACE) else ""
        )
    if not workspace:
        yield (
            "configurationSettings.logAnalyticsWorkspaceResourceID is not set (the sensor's "
            "workspace)"
        )
    if view.known_text(extension, "identity", "type") != "SystemAssigned":
        yield "identity.type is not SystemAssigned"


def defender_audit_covers_distributions(view: StackView, settings: PolicySettings) -> Findings:
    distributions = {
        view.known_text(c, "distribution").lower() for c in view.of_type(CONNECTED_CLUSTER)
    } | {distribution for _, distribution in settings.adopted_arc_clusters}
    distributions.discard("")
    if not distributions:
        return
    evaluated: set[str] = set()
    for assignment in view.of_type(POLICY_ASSIGNMENT):
        guid = definition_guid(assignment)
        if guid not in (DEFENDER_AUDIT, DEFENDER_DINE):
            continue
        if text(assignment_parameter(assignment, "effect")).lower() == "disabled":
            continue
        excluded = DEFENDER_DEFAULT_EXCLUDED
        if guid == DEFENDER_DINE:
            value = assignment_parameter(assignment, "excludedDistributions")
            if value is not None:
                excluded = tuple(text(v).lower() for v in items(value))
        evaluated |= {d for d in distributions if d not in excluded}
    for distribution in sorted(distributions - evaluated):
        yield (
            f"no Defender policy assignment evaluates Arc clusters of distribution "
            f"{distribution}: the audit {DEFENDER_AUDIT[:8]} skips "
            f"{', '.join(DEFENDER_DEFAULT_EXCLUDED)}; "
            f"assign {DEFENDER_DINE[:8]} with excludedDistributions that keep it",
            None,
        )


# ---- ARC-LOC-01: AKS on Azure Local per Microsoft's reference template


def azure_local_reference(view: StackView, _: PolicySettings) -> Findings:
    templates = [
        (
            deployment,
            [
                r
                for r in items(_value(view, deployment, "properties", "template", "resources"))
                if is_map(r)
            ],
        )
        for deployment in view.of_type(DEPLOYMENT)
    ]
    pools: set[tuple[str, str]] = set()
    for _, resources in templates:
        for resource in resources:
            if known_text(resource, "type").lower() == AGENT_POOL_ARM_TYPE:
                cluster = _scoped_cluster(known_text(resource, "scope"))
                pools.add((cluster, known_text(resource, "name").rpartition("/")[2].lower()))
    for deployment, resources in templates:
        for instance in resources:
            if known_text(instance, "type").lower() != PROVISIONED_ARM_TYPE:
                continue
            for problem in _instance_problems(instance, pools):
                yield f"{deployment.name}: {problem}", deployment.urn


def _scoped_cluster(scope: str) -> str:
    return scope.rpartition("/")[2].lower() if not scope.startswith("[") else ""


def _instance_problems(instance: Mapping[str, Any], pools: set[tuple[str, str]]) -> Iterator[str]:
    scope = known_text(instance, "scope")
    if not scope.lower().startswith("microsoft.kubernetes/connectedclusters/"):
        yield (
            f"scope is {scope or 'not set'}; the reference scopes the instance to the connected "
            "cluster by name (Microsoft.Kubernetes/connectedClusters/<name>)"
        )
    keys = known_list(instance, "properties", "linuxProfile", "ssh", "publicKeys")
    if not any(known_text(k, "keyData") for k in keys if is_map(k)):
        yield (
            "linuxProfile.ssh.publicKeys has no key (the reference always sets the SSH public key)"
        )
    if not known_text(instance, "properties", "controlPlane", "controlPlaneEndpoint", "hostIP"):
        yield "controlPlane.controlPlaneEndpoint.hostIP is not set (the reference always sets it)"
    cluster = _scoped_cluster(scope)
    for profile in known_list(instance, "properties", "agentPoolProfiles"):
        pool = known_text(profile, "name").lower()
        if (cluster, pool) not in pools:
            yield (
                f"node pool {pool or '(unnamed)'} is declared only in the cluster body, where "
                "Microsoft says changes do not take effect; declare it as a "
                "provisionedClusterInstances/agentPools resource"
            )


# ---- ARC-NET-01: Calico on AKS on Azure Local


def azure_local_calico(
    resource_type: str, props: Mapping[str, Any], _: PolicySettings
) -> Iterator[str]:
    if resource_type == PROVISIONED_CLUSTER:
        instances = [props]
    else:
        # AKS on Azure Local has no azure-native class; an ARM deployment may carry it.
        instances = [
            dig(r, "properties") or {}
            for r in items(dig(props, "properties", "template", "resources"))
            if is_map(r) and text(dig(r, "type")).lower() == PROVISIONED_ARM_TYPE
        ]
        instances = [{"networkProfile": dig(i, "networkProfile")} for i in instances]
    for instance in instances:
        engine = dig(instance, "networkProfile", "networkPolicy")
        if engine != "calico":
            yield f"networkProfile.networkPolicy is {engine or 'not set'} (expected calico)"


RULES = [
    stack_rule("ARC-KEY-01", agent_key_present),
    stack_rule("ARC-ID-01", azure_rbac_where_supported),
    resource_rule("ARC-ID-02", no_azure_rbac_where_unsupported),
    stack_rule("ARC-ID-03", cluster_user_with_admin),
    stack_rule("ARC-EXT-01", security_extensions),
    stack_rule("ARC-MON-01", monitoring_with_rule),
    stack_rule("ARC-DEF-01", defender_as_deployed),
    stack_rule("ARC-DEF-02", defender_audit_covers_distributions),
    stack_rule("ARC-LOC-01", azure_local_reference),
    resource_rule("ARC-NET-01", azure_local_calico, typed=True),
]
