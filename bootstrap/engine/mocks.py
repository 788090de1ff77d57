"""Deterministic stand-ins for what Azure returns after a create, or at a first preview.

Outputs are derived from the resource's type, name and inputs (never from a clock or a
random source), so two runs of the offline engine produce byte-identical plans, and the
values look like the real ones: ARM IDs, principal IDs, OIDC issuer URLs, FQDNs.

With `preview=True` the mocks answer as providers do for a create at a first
`pulumi preview`: no ID, and for azure-native the outputs of preview.preview_outputs (input
values of response properties, everything else unknown). Other providers' resources
(GitHub, through the Terraform bridge) report their inputs: the controls read only inputs
of those, which a bridged provider plans as given.
"""

from __future__ import annotations

import uuid
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from bootstrap.arm_types import resource_id

from .preview import preview_outputs

_NAMESPACE = uuid.UUID("6f1c1a2e-7d4b-4f3e-9a55-2b1f0c9d8e77")


def stable_guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


class PlatformMocks(Mocks):
    def __init__(self, subscription_id: str, tenant_id: str, preview: bool = False) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.preview = preview

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if self.preview:
            if not args.custom:
                return None, {}  # components never reach a provider
            outputs = preview_outputs(args.typ, inputs)
            return None, inputs if outputs is None else outputs
        if not args.typ.startswith("azure-native:"):
            return f"{args.name}-id", inputs
        arm_id = resource_id(args.typ, inputs, self.subscription_id)
        key = f"{pulumi.get_stack()}/{args.typ}/{args.name}"
        outputs = {**inputs, "id": arm_id, "name": arm_id.rsplit("/", 1)[-1]}
        extra = _EXTRAS.get(args.typ)
        if extra is not None:
            outputs.update(extra(self, key, inputs, arm_id))
        return arm_id, outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "clientId": stable_guid("client"),
                "objectId": stable_guid("object"),
                "subscriptionId": self.subscription_id,
                "tenantId": self.tenant_id,
            }, None
        return {}, None


def _identity(mocks: PlatformMocks, key: str, _: dict, __: str) -> dict[str, Any]:
    return {
        "principalId": stable_guid(key, "principal"),
        "clientId": stable_guid(key, "client"),
        "tenantId": mocks.tenant_id,
    }


def _cluster(mocks: PlatformMocks, key: str, inputs: dict, _: str) -> dict[str, Any]:
    location = inputs.get("location", "westeurope")
    prefix = inputs.get("dnsPrefix", "aks")
    suffix = stable_guid(key, "fqdn")[:8]
    private = (inputs.get("apiServerAccessProfile") or {}).get("enablePrivateCluster", False)
    host = f"{prefix}-{suffix}.{'privatelink.' if private else 'hcp.'}{location}.azmk8s.io"
    identity = dict(inputs.get("identity") or {})
    # Inputs list the identity IDs; Azure answers with a map of ID -> principal details.
    identity["userAssignedIdentities"] = {
        identity_id: {
            "principalId": stable_guid(identity_id, "principal"),
            "clientId": stable_guid(identity_id, "client"),
        }
        for identity_id in identity.get("userAssignedIdentities") or []
    }
    return {
        "identity": identity,
        "fqdn": None if private else host,
        "privateFQDN": host if private else None,
        "oidcIssuerProfile": {
            **(inputs.get("oidcIssuerProfile") or {}),
            "issuerURL": f"https://{location}.oic.prod-aks.azure.com/{mocks.tenant_id}/"
            f"{stable_guid(key, 'oidc')}/",
        },
        "nodeResourceGroup": f"MC_{inputs.get('resourceGroupName')}_{inputs.get('resourceName')}",
        "provisioningState": "Succeeded",
    }


def _registry(_: PlatformMocks, __: str, inputs: dict, ___: str) -> dict[str, Any]:
    return {"loginServer": f"{inputs.get('registryName', 'registry').lower()}.azurecr.io"}


def _vault(_: PlatformMocks, __: str, inputs: dict, ___: str) -> dict[str, Any]:
    properties = dict(inputs.get("properties") or {})
    properties["vaultUri"] = f"https://{inputs.get('vaultName')}.vault.azure.net/"
    return {"properties": properties}


def _key(_: PlatformMocks, key: str, inputs: dict, __: str) -> dict[str, Any]:
    base = f"https://{inputs.get('vaultName')}.vault.azure.net/keys/{inputs.get('keyName')}"
    version = stable_guid(key, "version").replace("-", "")
    return {"keyUri": base, "keyUriWithVersion": f"{base}/{version}"}


def _workspace(_: PlatformMocks, key: str, __: dict, ___: str) -> dict[str, Any]:
    return {"customerId": stable_guid(key, "customer")}


def _connected_cluster(mocks: PlatformMocks, key: str, inputs: dict, _: str) -> dict[str, Any]:
    location = inputs.get("location", "westeurope")
    return {
        "identity": {"type": "SystemAssigned", "principalId": stable_guid(key, "principal")},
        "oidcIssuerProfile": {
            **(inputs.get("oidcIssuerProfile") or {}),
            "issuerUrl": f"https://oidcdiscovery-{location}.azurearc.microsoft.com/"
            f"{mocks.tenant_id}/{stable_guid(key, 'oidc')}/",
        },
    }


def _extension(_: PlatformMocks, key: str, __: dict, ___: str) -> dict[str, Any]:
    return {"aksAssignedIdentity": {"principalId": stable_guid(key, "principal")}}


_EXTRAS = {
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:containerservice:ManagedCluster": _cluster,
    "azure-native:containerregistry:Registry": _registry,
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:Key": _key,
    "azure-native:operationalinsights:Workspace": _workspace,
    "azure-native:kubernetes:ConnectedCluster": _connected_cluster,
    "azure-native:kubernetesconfiguration:Extension": _extension,
}
