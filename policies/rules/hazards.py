"""Deployment hazards: what Azure refuses or serialises at deploy time, read from the graph.

Mocks accept any order and any count; Azure does not. Each control below encodes one
published behaviour (the source is cited on the rule and in the catalog) and judges the
plan's creation order (ordering.CreationOrder) and inputs that are known at preview. A
resource's parent in Azure (the identity of a credential, the network of a subnet, the
vault of a key, the cluster of an extension) is found from its direct dependencies
first, because a program that passes `identity.name` depends on the identity, and the
name itself is unknown at a first preview; a name input is the fallback when a program
passes plain names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ..settings import PolicySettings
from .base import Findings, stack_rule
from .ordering import CreationOrder, direct, known_list, known_text
from .props import dig, is_map
from .roles import (
    KEY_VAULT_CONTRIBUTOR,
    KEY_VAULT_CRYPTO_USER,
    MANAGED_IDENTITY_OPERATOR,
    NETWORK_CONTRIBUTOR,
    ROLE_NAMES,
    role_guid,
)
from .view import StackView

IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"
NETWORK = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
SECRET = "azure-native:keyvault:Secret"
DYNAMIC = "pulumi-python:dynamic:Resource"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
CONNECTED_CLUSTER = "azure-native:kubernetes:ConnectedCluster"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration"
DEPLOYMENT = "azure-native:resources:Deployment"
PROVISIONED_CLUSTER = "azure-native:hybridcontainerservice:ProvisionedClusterInstance"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
ARC_AGENTS_CHART = "azure-arc-k8sagents"

# The Azure name input of each parent type (outputs carry it as `name`).
_NAME_KEYS = {
    IDENTITY: "resourceName",
    NETWORK: "virtualNetworkName",
    VAULT: "vaultName",
    MANAGED_CLUSTER: "resourceName",
    CONNECTED_CLUSTER: "clusterName",
    ENDPOINT: "privateEndpointName",
}
# Microsoft Entra's limits for federated identity credentials (sources in the catalog).
MAX_CREDENTIALS = 20
_CREDENTIAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$")
FLUX_EXTENSION_TYPE = "microsoft.flux"
PROVISIONED_INSTANCES = "microsoft.hybridcontainerservice/provisionedclusterinstances"
# The connected cluster a provisioned instance extends, in a resource ID
# (.../connectedClusters/NAME) or an ARM template scope
# ([resourceId('Microsoft.Kubernetes/connectedClusters', 'NAME')]).
_CONNECTED_CLUSTER_NAME = re.compile(
    r"connectedClusters(?:/|'\s*,\s*')([A-Za-z0-9_.-]+)", re.IGNORECASE
)
# Roles an AKS cluster's identities must hold when the cluster is created (HAZ-AKS-01).
CREATION_ROLES = frozenset(
    {NETWORK_CONTRIBUTOR, KEY_VAULT_CRYPTO_USER, KEY_VAULT_CONTRIBUTOR, MANAGED_IDENTITY_OPERATOR}
)


# ---- shared: the order of one plan, and the Azure parent of a child resource

_last_order: tuple[StackView, CreationOrder] | None = None


def _order(view: StackView) -> CreationOrder:
    """One CreationOrder per stack view: the hazard controls of a run share its walks."""
    global _last_order
    if _last_order is not None and _last_order[0] is view:
        return _last_order[1]
    order = CreationOrder(view.resources)
    _last_order = (view, order)
    return order


def _name(resource: PolicyResource) -> str:
    key = _NAME_KEYS.get(resource.resource_type, "name")
    return known_text(resource.props, key) or known_text(resource.props, "name")


class _Parents:
    """Resolves a child to its Azure parent of one type: a dependency, else a name input."""

    def __init__(self, view: StackView, parent_type: str) -> None:
        self.parent_type = parent_type
        self._by_name: dict[str, list[PolicyResource]] = defaultdict(list)
        # (name, resource group) -> parents: a child's lookup costs no scan of every parent
        # of that name (a plan may hold thousands of same-named parents in other groups).
        self._by_group: dict[tuple[str, str], list[PolicyResource]] = defaultdict(list)
        for parent in view.of_type(parent_type):
            name = _name(parent)
            if name:
                self._by_name[name.lower()].append(parent)
                group = known_text(parent.props, "resourceGroupName").lower()
                self._by_group[(name.lower(), group)].append(parent)

    def of(self, child: PolicyResource, name_key: str) -> PolicyResource | str | None:
        """The parent resource; else "group/name" of a parent the plan does not link; else None.

        Names are matched within the child's resource group when both sides state it, so
        same-named parents of other groups (or other copies of a stack) never match.
        """
        linked = direct(child, self.parent_type)
        if len(linked) == 1:
            return linked[0]
        name = known_text(child.props, name_key)
        if not name:
            return None
        group = known_text(child.props, "resourceGroupName").lower()
        if group:  # parents in the child's group, or that state none
            stated = self._by_group.get((name.lower(), group), [])
            unstated = self._by_group.get((name.lower(), ""), [])
            if len(stated) + len(unstated) == 1:
                return (stated or unstated)[0]
            return f"{group}/{name}"
        named = self._by_name.get(name.lower(), [])
        return named[0] if len(named) == 1 else f"{group}/{name}"

    def groups(
        self, children: Sequence[PolicyResource], name_key: str
    ) -> dict[str, tuple[str, list[PolicyResource]]]:
        """Children by parent: {key: (label, children)}; unresolvable children are left out."""
        grouped: dict[str, tuple[str, list[PolicyResource]]] = {}
        for child in children:
            parent = self.of(child, name_key)
            if parent is None:
                continue
            key, label = (
                (parent.urn, _name(parent) or parent.name)
                if isinstance(parent, PolicyResource)
                else (f"name:{parent.lower()}", parent.rpartition("/")[2])
            )
            grouped.setdefault(key, (label, []))[1].append(child)
        return grouped


# ---- HAZ-FIC-01 and HAZ-FIC-02: federated identity credentials per identity


def _unordered_siblings(
    view: StackView, parent_type: str, child_type: str, name_key: str
) -> Iterator[tuple[str, PolicyResource, PolicyResource]]:
    """(parent label, earlier, later) for each pair of neighbouring children of one parent
    (by link, else by the `name_key` input) that Pulumi would create concurrently."""
    order = _order(view)
    groups = _Parents(view, parent_type).groups(view.of_type(child_type), name_key)
    for label, children in groups.values():
        for first, then in order.chain_breaks(children):
            yield label, first, then


def credentials_sequential(view: StackView, _: PolicySettings) -> Findings:
    """Microsoft Entra: "Creating multiple federated identity credentials under the same
    user-assigned managed identity concurrently triggers concurrency detection logic, which
    causes requests to fail with 409-conflict" - create them sequentially (MicrosoftDocs/
    entra-docs docs/workload-id/workload-identity-federation-considerations.md)."""
    for label, first, then in _unordered_siblings(view, IDENTITY, CREDENTIAL, "resourceName"):
        yield (
            f"federated credentials {first.name} and {then.name} of identity {label} are "
            "created concurrently; Microsoft Entra refuses concurrent writes under one "
            f"identity (409 Conflict): make {then.name} depend on {first.name}",
            then.urn,
        )


def credentials_within_limits(view: StackView, _: PolicySettings) -> Findings:
    """Microsoft Entra: at most 20 federated credentials per user-assigned identity; an
    issuer and subject pair once per identity; names of 3-120 letters, digits, '-' and '_'
    starting with a letter or digit (workload-identity-federation-considerations.md,
    "Errors", and includes/federated-credential-configuration-considerations.md)."""
    groups = _Parents(view, IDENTITY).groups(view.of_type(CREDENTIAL), "resourceName")
    for label, credentials in groups.values():
        if len(credentials) > MAX_CREDENTIALS:
            yield (
                f"identity {label} has {len(credentials)} federated credentials; Microsoft "
                f"Entra allows at most {MAX_CREDENTIALS} per identity",
                credentials[MAX_CREDENTIALS].urn,
            )
        seen: dict[tuple[str, str], PolicyResource] = {}
        for credential in credentials:
            pair = (known_text(credential.props, "issuer"), known_text(credential.props, "subject"))
            if not all(pair):
                continue  # an issuer unknown at preview (a cluster's OIDC URL) cannot clash yet
            if pair in seen:
                yield (
                    f"federated credentials {seen[pair].name} and {credential.name} of "
                    f"identity {label} both trust subject '{pair[1]}' of issuer '{pair[0]}'; "
                    "Microsoft Entra refuses the second",
                    credential.urn,
                )
            seen.setdefault(pair, credential)
    for credential in view.of_type(CREDENTIAL):
        name = known_text(credential.props, "federatedIdentityCredentialResourceName")
        if name and not _CREDENTIAL_NAME.match(name):
            yield (
                f"federated credential name '{name}' is invalid: Microsoft Entra accepts 3-120 "
                "letters, digits, '-' or '_', starting with a letter or digit",
                credential.urn,
            )


# ---- HAZ-NET-01: subnets of one virtual network


def subnets_sequential(view: StackView, _: PolicySettings) -> Findings:
    """Microsoft.Network changes a virtual network one operation at a time, and Microsoft's
    Azure Verified Module deploys a network's subnets with @batchSize(1) (Azure/bicep-
    registry-modules avm/res/network/virtual-network/main.bicep)."""
    for label, first, then in _unordered_siblings(view, NETWORK, SUBNET, "virtualNetworkName"):
        yield (
            f"subnets {first.name} and {then.name} of virtual network {label} are "
            "created concurrently; Azure changes one virtual network at a time (Microsoft's "
            f"own module deploys subnets one by one): make {then.name} depend on {first.name}",
            then.urn,
        )


# ---- HAZ-KV-01: contents of a private vault after its private endpoint


def private_vault_contents(view: StackView, _: PolicySettings) -> Findings:
    """AKS KMS documentation: "Creating or updating keys in a private key vault that doesn't
    have a private endpoint isn't supported" (MicrosoftDocs/azure-aks-docs articles/aks/
    use-kms-etcd-encryption.md). A data-plane read (the deploy key) also needs the endpoint's
    DNS record: clients reach the vault through its A record in privatelink.vaultcore.azure.net
    (MicrosoftDocs/azure-security-docs articles/key-vault/general/private-link-service.md)."""
    order = _order(view)
    vaults = _Parents(view, VAULT)
    endpoints = _endpoints_by_vault(view)
    zone_groups = _Parents(view, ENDPOINT)
    groups_by_endpoint: dict[str, list[PolicyResource]] = defaultdict(list)
    for group in view.of_type(ZONE_GROUP):
        endpoint = zone_groups.of(group, "privateEndpointName")
        if isinstance(endpoint, PolicyResource):
            groups_by_endpoint[endpoint.urn].append(group)
    contents = [*view.of_type(KEY, SECRET), *_vault_readers(view)]
    for item in contents:
        vault = vaults.of(item, "vaultName" if item.resource_type != DYNAMIC else "vault_name")
        if not isinstance(vault, PolicyResource) or not _private(vault):
            continue
        reader = item.resource_type == DYNAMIC
        candidates = endpoints.get(vault.urn, [])
        what = "a read of" if reader else "created in"
        if not candidates:
            yield (
                f"{item.name} is {what} private vault {_name(vault) or vault.name}, which has no "
                "private endpoint in this plan; Azure does not support that (declare the "
                "endpoint and make the item depend on it)",
                item.urn,
            )
            continue
        if any(
            order.before(endpoint, item)
            and (
                not reader
                or all(order.before(g, item) for g in groups_by_endpoint.get(endpoint.urn, ()))
            )
            for endpoint in candidates
        ):
            continue
        vault_name = _name(vault) or vault.name
        endpoint_name = candidates[0].name
        yield (
            (
                f"the read {item.name} of private vault {vault_name} does not wait for its "
                "private endpoint and DNS zone group; a client reaches a private vault only "
                f"through them: make it depend on {endpoint_name} and its DNS zone group"
            )
            if reader
            else (
                f"{item.name} is created in private vault {vault_name} without waiting for its "
                "private endpoint; Azure does not support creating keys or secrets in a "
                f"private vault without one: make {item.name} depend on {endpoint_name}"
            ),
            item.urn,
        )


def _private(vault: PolicyResource) -> bool:
    access = known_text(vault.props, "properties", "publicNetworkAccess")
    return access.lower() == "disabled"


def _endpoints_by_vault(view: StackView) -> dict[str, list[PolicyResource]]:
    """Each vault's private endpoints: linked by dependency, or naming it by resource ID."""
    found: dict[str, list[PolicyResource]] = defaultdict(list)
    by_name = {(_name(v) or "").lower(): v for v in view.of_type(VAULT)}
    for endpoint in view.of_type(ENDPOINT):
        targets = direct(endpoint, VAULT)
        if not targets:
            for connection in known_list(endpoint.props, "privateLinkServiceConnections"):
                target = known_text(connection, "privateLinkServiceId")
                vault = by_name.get(target.rstrip("/").rpartition("/")[2].lower())
                if "/vaults/" in target.lower() and vault is not None:
                    targets.append(vault)
        for vault in targets:
            found[vault.urn].append(endpoint)
    return found


def _vault_readers(view: StackView) -> list[PolicyResource]:
    """Dynamic resources that read a secret from a vault (components.key_vault_secret)."""
    return [
        r
        for r in view.of_type(DYNAMIC)
        if known_text(r.props, "secret_name")
        and (direct(r, VAULT) or known_text(r.props, "vault_name"))
    ]


# ---- HAZ-EXT-01 and HAZ-EXT-02: extensions and Flux after their cluster


def extensions_after_cluster(view: StackView, _: PolicySettings) -> Findings:
    """An extension installs into a running cluster: Arc requires "an existing Azure Arc-
    enabled Kubernetes connected cluster" (learn.microsoft.com/azure/azure-arc/kubernetes/
    extensions), and on Azure Local that cluster is the provisionedClusterInstances resource
    (Azure/aksArc deploymentTemplates/aksarc-ARM/Cluster)."""
    order = _order(view)
    clusters = _Clusters(view)
    for item in view.of_type(EXTENSION, FLUX_CONFIGURATION):
        cluster = clusters.of(item)
        if cluster is None:
            continue
        needed = [cluster, *clusters.provisioned(cluster), *clusters.agents(cluster)]
        for requirement in needed:
            if not order.before(requirement, item):
                yield (
                    f"{item.name} is not created after {requirement.name}, the cluster it "
                    "runs in: Azure installs extensions and Flux configurations only into an "
                    f"existing, running cluster (make {item.name} depend on {requirement.name})",
                    item.urn,
                )


def flux_after_extension(view: StackView, _: PolicySettings) -> Findings:
    """The Azure CLI installs the microsoft.flux extension, and waits for it, before it
    creates a Flux configuration (Azure/azure-cli-extensions src/k8s-configuration/
    azext_k8s_configuration/providers/FluxConfigurationProvider.py,
    _validate_extension_install)."""
    order = _order(view)
    clusters = _Clusters(view)
    flux_extensions: dict[str, list[PolicyResource]] = defaultdict(list)
    for extension in view.of_type(EXTENSION):
        if known_text(extension.props, "extensionType").lower() == FLUX_EXTENSION_TYPE:
            flux_extensions[clusters.key(extension)].append(extension)
    for configuration in view.of_type(FLUX_CONFIGURATION):
        extensions = flux_extensions.get(clusters.key(configuration), [])
        if extensions and not any(order.before(e, configuration) for e in extensions):
            yield (
                f"Flux configuration {configuration.name} is not created after the "
                f"microsoft.flux extension {extensions[0].name} of its cluster: make it "
                "depend on the extension",
                configuration.urn,
            )


class _Clusters:
    """The AKS or Arc cluster an extension or Flux configuration targets."""

    def __init__(self, view: StackView) -> None:
        self._by_kind = {
            "managedclusters": _Parents(view, MANAGED_CLUSTER),
            "connectedclusters": _Parents(view, CONNECTED_CLUSTER),
        }
        self._view = view
        self._provisioned: dict[str, list[PolicyResource]] | None = None
        self._agents: dict[str, list[PolicyResource]] | None = None

    def of(self, item: PolicyResource) -> PolicyResource | None:
        linked = direct(item, MANAGED_CLUSTER, CONNECTED_CLUSTER)
        if len(linked) == 1:
            return linked[0]
        kind = known_text(item.props, "clusterResourceName").lower()
        parents = self._by_kind.get(kind)
        found = parents.of(item, "clusterName") if parents else None
        return found if isinstance(found, PolicyResource) else None

    def key(self, item: PolicyResource) -> str:
        cluster = self.of(item)
        if cluster is not None:
            return cluster.urn
        kind = known_text(item.props, "clusterResourceName").lower()
        return f"{kind}/{known_text(item.props, 'clusterName').lower()}"

    def provisioned(self, cluster: PolicyResource) -> list[PolicyResource]:
        """The Azure Local provisioned cluster instance(s) behind a connected cluster."""
        if cluster.resource_type != CONNECTED_CLUSTER:
            return []
        if self._provisioned is None:
            self._provisioned = self._index_provisioned()
        found = list(self._provisioned.get(cluster.urn, ()))
        name = _name(cluster).lower()
        if name:
            found += self._provisioned.get(f"name:{name}", [])
        return found

    def agents(self, cluster: PolicyResource) -> list[PolicyResource]:
        """The Arc agents' Helm release of a connected cluster the program onboards: they
        install extensions, so nothing is installed before them (Azure/azure-cli-extensions
        src/connectedk8s/azext_connectedk8s/_utils.py helm_install_release)."""
        if cluster.resource_type != CONNECTED_CLUSTER:
            return []
        if self._agents is None:  # one pass over the releases, not one per cluster
            self._agents = defaultdict(list)
            for release in self._view.of_type(HELM_RELEASE):
                if known_text(release.props, "chart").rstrip("/").endswith(ARC_AGENTS_CHART):
                    for linked in direct(release, CONNECTED_CLUSTER):
                        self._agents[linked.urn].append(release)
        return list(self._agents.get(cluster.urn, ()))

    def _index_provisioned(self) -> dict[str, list[PolicyResource]]:
        """Connected cluster (URN, or `name:` its name) -> what provisions it, built once.

        A provisioning resource linked to its connected cluster by dependency is indexed by
        that cluster only; the name it mentions is the fallback for unlinked ones.
        """
        index: dict[str, list[PolicyResource]] = defaultdict(list)
        for deployment in self._view.of_type(DEPLOYMENT):
            instances = [
                r
                for r in known_list(deployment.props, "properties", "template", "resources")
                if is_map(r) and known_text(r, "type").lower() == PROVISIONED_INSTANCES
            ]
            if instances:
                mentioned = " ".join(known_text(r, "scope") for r in instances)
                self._add(index, deployment, mentioned)
        for instance in self._view.of_type(PROVISIONED_CLUSTER):
            uri = known_text(instance.props, "connectedClusterResourceUri")
            self._add(index, instance, uri)
        return index

    @staticmethod
    def _add(
        index: dict[str, list[PolicyResource]], provisioner: PolicyResource, text: str
    ) -> None:
        linked = direct(provisioner, CONNECTED_CLUSTER)
        for connected in linked:
            index[connected.urn].append(provisioner)
        if not linked:
            for name in set(_CONNECTED_CLUSTER_NAME.findall(text)):
                index[f"name:{name.lower()}"].append(provisioner)


# ---- HAZ-AKS-01: an AKS cluster after the roles its identities need at creation


def aks_after_creation_roles(view: StackView, _: PolicySettings) -> Findings:
    """AKS checks its identities' permissions when it creates the cluster: "The cluster
    identity needs permissions to both the API server subnet and the node subnet. Lack of
    permissions at the API server subnet can cause a provisioning failure" (articles/aks/
    api-server-vnet-integration.md); the KMS identity needs Key Vault Crypto User and, for a
    private vault, Key Vault Contributor before KMS is enabled (use-kms-etcd-encryption.md);
    the control plane needs Managed Identity Operator on a user-assigned kubelet identity,
    assigned "before you create the cluster" (use-managed-identity.md), all in
    MicrosoftDocs/azure-aks-docs."""
    order = _order(view)
    for cluster in view.of_type(MANAGED_CLUSTER):
        for identity in direct(cluster, IDENTITY):
            for assignment in order.dependents(identity, ROLE_ASSIGNMENT):
                guid = role_guid(known_text(assignment.props, "roleDefinitionId"))
                if guid not in CREATION_ROLES or order.before(cluster, assignment):
                    continue  # not needed at creation, or scoped to the cluster itself
                role = ROLE_NAMES[guid]
                if not order.before(assignment, cluster):
                    yield (
                        f"cluster {cluster.name} is created concurrently with {role} for "
                        f"identity {_name(identity) or identity.name} ({assignment.name}); AKS "
                        "checks that permission when it creates the cluster: make the cluster "
                        "depend on the role assignment",
                        cluster.urn,
                    )


# ---- HAZ-IAM-01: role assignments to new identities declare principalType


def new_identity_assignments_typed(view: StackView, _: PolicySettings) -> Findings:
    """ "If you create a new service principal and immediately try to assign a role to that
    service principal, that role assignment can fail" (replication delay); set principalType
    (MicrosoftDocs/azure-docs articles/role-based-access-control/role-assignments-template.md,
    "New service principal")."""
    for assignment in view.of_type(ROLE_ASSIGNMENT):
        identities = direct(assignment, IDENTITY)
        if not identities:
            continue
        try:
            if dig(assignment.props, "principalType"):
                continue
        except UnknownValueError:
            continue  # computed by the program: set, even if not known yet
        yield (
            f"role assignment {assignment.name} involves identity "
            f"{_name(identities[0]) or identities[0].name}, created in this deployment, but "
            "sets no principalType; Azure may not find the new principal yet "
            "(PrincipalNotFound): set principalType ServicePrincipal",
            assignment.urn,
        )


RULES = [
    stack_rule("HAZ-FIC-01", credentials_sequential),
    stack_rule("HAZ-FIC-02", credentials_within_limits),
    stack_rule("HAZ-NET-01", subnets_sequential),
    stack_rule("HAZ-KV-01", private_vault_contents),
    stack_rule("HAZ-EXT-01", extensions_after_cluster),
    stack_rule("HAZ-EXT-02", flux_after_extension),
    stack_rule("HAZ-AKS-01", aks_after_creation_roles),
    stack_rule("HAZ-IAM-01", new_identity_assignments_typed),
]
