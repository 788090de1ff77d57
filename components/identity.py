"""Managed identities, OIDC federation and the least-privilege role assignments between them.

No identity the platform creates has a password or certificate: clusters, workloads and
GitHub Actions all obtain tokens by federation, so there is no secret to store or leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import authorization, managedidentity

from components import roles
from components.common import Placement

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"


def assign_role(
    name: str,
    placement: Placement,
    scope: pulumi.Input[str],
    role: str,
    principal_id: pulumi.Input[str],
    parent: pulumi.Resource,
    principal_type: str = "ServicePrincipal",
    key: tuple[str, ...] = (),
    condition: str | None = None,
    definition_subscription: str | None = None,
) -> authorization.RoleAssignment:
    """One role assignment with a deterministic GUID name (re-runs never duplicate it).

    Built-in role definitions exist in every subscription; a scope in another subscription
    (the Pulumi state may live elsewhere) references the definition in that subscription.
    """
    return authorization.RoleAssignment(
        name,
        role_assignment_name=placement.naming.role_assignment(name, role, *key),
        scope=scope,
        role_definition_id=roles.definition_id(
            definition_subscription or placement.config.subscription_id, role
        ),
        principal_id=principal_id,
        # Declaring the type avoids failures while a new identity replicates in Entra ID.
        principal_type=principal_type,
        description=f"{roles.NAMES.get(role, role)} for {name}",
        condition=condition,
        condition_version="2.0" if condition else None,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def assign_roles(
    name: str,
    placement: Placement,
    principal_id: pulumi.Input[str],
    grants: Iterable[tuple[str, pulumi.Input[str], str]],
    parent: pulumi.Resource,
    **options: Any,
) -> None:
    """`assign_role` for each (what, scope, role) of `grants`, named `{name}-{what}`;
    `options` are assign_role's keyword arguments, the same for each."""
    for what, scope, role in grants:
        assign_role(f"{name}-{what}", placement, scope, role, principal_id, parent, **options)


def user_identity(
    name: str, placement: Placement, purpose: str, location: str, parent: pulumi.Resource
) -> managedidentity.UserAssignedIdentity:
    return managedidentity.UserAssignedIdentity(
        name,
        resource_name_=placement.naming.identity(purpose),
        resource_group_name=placement.resource_group_name,
        location=location,
        tags=placement.tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def federate(
    name: str,
    placement: Placement,
    identity: managedidentity.UserAssignedIdentity,
    credential_name: str,
    issuer: pulumi.Input[str],
    subject: str,
    parent: pulumi.Resource,
    after: pulumi.Resource | None = None,
) -> managedidentity.FederatedIdentityCredential:
    """Trusts tokens of exactly one subject from one issuer (no wildcards exist here).

    `after` is the credential declared before this one on the same identity: Microsoft
    Entra refuses concurrent writes of federated credentials under one user-assigned
    identity (409 Conflict) and asks automation to create them sequentially ("Concurrent
    updates aren't supported", MicrosoftDocs/entra-docs docs/workload-id/
    workload-identity-federation-considerations.md). Use `federate_all` for several.
    """
    return managedidentity.FederatedIdentityCredential(
        name,
        federated_identity_credential_resource_name=credential_name,
        resource_name_=identity.name,
        resource_group_name=placement.resource_group_name,
        issuer=issuer,
        subject=subject,
        audiences=[FEDERATION_AUDIENCE],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[after] if after else None),
    )


@dataclass(frozen=True)
class Federation:
    """One federated credential to declare: (Pulumi name, credential name, issuer, subject)."""

    name: str
    credential_name: str
    issuer: pulumi.Input[str]
    subject: str


def federate_all(
    placement: Placement,
    identity: managedidentity.UserAssignedIdentity,
    federations: list[Federation],
    parent: pulumi.Resource,
) -> list[managedidentity.FederatedIdentityCredential]:
    """The identity's credentials as a chain, in the given (deterministic) order.

    Each waits for the one before it, so Azure sees one write at a time under the identity
    (see `federate`); the policy control HAZ-FIC-01 checks the chain in every plan.
    """
    created: list[managedidentity.FederatedIdentityCredential] = []
    for federation in federations:
        created.append(
            federate(
                federation.name,
                placement,
                identity,
                federation.credential_name,
                federation.issuer,
                federation.subject,
                parent,
                after=created[-1] if created else None,
            )
        )
    return created


def cluster_federations(
    name: str, issuers: Mapping[str, pulumi.Input[str]], subject: str
) -> list[Federation]:
    """One credential per cluster, named after it (`{name}-{cluster}`), in cluster order:
    `subject` (a Kubernetes service account) as issued by each cluster's OIDC issuer."""
    return [
        Federation(f"{name}-{cluster}", cluster, issuer, subject)
        for cluster, issuer in sorted(issuers.items())
    ]


@dataclass(frozen=True)
class ClusterIdentityArgs:
    placement: Placement
    cluster_name: str
    location: str
    vnet_id: pulumi.Input[str]
    registry_id: pulumi.Input[str]
    vault_id: pulumi.Input[str]


class ClusterIdentity(pulumi.ComponentResource):
    """The control-plane and kubelet identities of one AKS cluster, with only the roles they use."""

    def __init__(
        self, name: str, args: ClusterIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:identity:ClusterIdentity", name, None, opts)
        placement = args.placement
        cluster = args.cluster_name
        self.control_plane = user_identity(
            f"{name}-controlplane", placement, f"{cluster}-controlplane", args.location, self
        )
        self.kubelet = user_identity(
            f"{name}-kubelet", placement, f"{cluster}-kubelet", args.location, self
        )
        cp_principal = self.control_plane.principal_id
        # The control plane attaches the kubelet identity to the node VMs.
        assign_role(
            f"{name}-cp-identity-operator",
            placement,
            self.kubelet.id,
            roles.MANAGED_IDENTITY_OPERATOR,
            cp_principal,
            self,
        )
        # Joins nodes and the API server to the spoke subnets; nothing wider than the spoke.
        assign_role(
            f"{name}-cp-network",
            placement,
            args.vnet_id,
            roles.NETWORK_CONTRIBUTOR,
            cp_principal,
            self,
        )
        # KMS: wrap and unwrap the etcd data keys, and reach the private vault.
        assign_role(
            f"{name}-cp-kms-crypto",
            placement,
            args.vault_id,
            roles.KEY_VAULT_CRYPTO_USER,
            cp_principal,
            self,
        )
        assign_role(
            f"{name}-cp-kms-private",
            placement,
            args.vault_id,
            roles.KEY_VAULT_CONTRIBUTOR,
            cp_principal,
            self,
        )
        # Nodes pull images with their own identity: no image pull secrets anywhere.
        self.acr_pull = assign_role(
            f"{name}-kubelet-acrpull",
            placement,
            args.registry_id,
            roles.ACR_PULL,
            self.kubelet.principal_id,
            self,
        )
        self.register_outputs(
            {"controlPlaneId": self.control_plane.id, "kubeletId": self.kubelet.id}
        )


@dataclass(frozen=True)
class WorkloadIdentityArgs:
    placement: Placement
    tenant: str
    service_account: str
    # Cluster name -> its OIDC issuer URL.
    issuers: dict[str, pulumi.Input[str]]
    vault_id: pulumi.Input[str]


class WorkloadIdentity(pulumi.ComponentResource):
    """A tenant namespace's identity: federated to its service account on each cluster."""

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:identity:WorkloadIdentity", name, None, opts)
        placement = args.placement
        self.identity = user_identity(
            f"{name}-id", placement, f"tenant-{args.tenant}", placement.location, self
        )
        subject = f"system:serviceaccount:{args.tenant}:{args.service_account}"
        # One credential per cluster (named after it), created one after another.
        federations = cluster_federations(name, args.issuers, subject)
        federate_all(placement, self.identity, federations, self)
        # Read secrets at run time through the CSI driver; never write or manage them.
        assign_role(
            f"{name}-secrets-user",
            placement,
            args.vault_id,
            roles.KEY_VAULT_SECRETS_USER,
            self.identity.principal_id,
            self,
        )
        self.client_id = self.identity.client_id
        self.register_outputs({"clientId": self.client_id})
