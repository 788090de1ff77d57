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

import hashlib
import uuid
from typing import Any

import pulumi
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from bootstrap.arm_types import resource_id

from .preview import preview_outputs

_NAMESPACE = uuid.UUID("6f1c1a2e-7d4b-4f3e-9a55-2b1f0c9d8e77")
TLS_PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
# What the offline engine answers for a generated private key: plainly not a key, so a leak
# of it into a plan or report is as visible as a leak of a real one (tests grep for it).
MOCK_PRIVATE_KEY_MARK = "offline-engine-mock-private-key"
_RSA_EXPONENT = 65537


def stable_guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


class PlatformMocks(Mocks):
    def __init__(self, subscription_id: str, tenant_id: str, preview: bool = False) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.preview = preview

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.resource_id:
            # A read (`Resource.get`): the resource exists already, and the real engine reads
            # it at a preview too, so both modes answer with what Azure would report.
            return args.resource_id, _read(self, args.typ, args.resource_id)
        if self.preview:
            if not args.custom:
                return None, {}  # components never reach a provider
            outputs = preview_outputs(args.typ, inputs)
            return None, inputs if outputs is None else outputs
        if args.typ == TLS_PRIVATE_KEY:
            key = f"{pulumi.get_stack()}/{args.typ}/{args.name}"
            return f"{args.name}-id", {**inputs, **tls_private_key_outputs(key, inputs)}
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


def tls_private_key_outputs(key: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """pulumi-tls PrivateKey outputs, deterministic and not a usable key pair.

    The public key is a well-formed RSA public key (so the program can convert it as it
    would a real one) whose modulus is derived from the resource's key by hashing: nobody
    holds a private key for it. The private key outputs are marks, never key material.
    """
    bits = int(inputs.get("rsaBits") or 2048)
    stream = b""
    counter = 0
    while len(stream) * 8 < bits:
        stream += hashlib.sha512(f"{key}/{counter}".encode()).digest()
        counter += 1
    modulus = int.from_bytes(stream[: bits // 8], "big") | (1 << (bits - 1)) | 1
    public = rsa.RSAPublicNumbers(_RSA_EXPONENT, modulus).public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    mark = f"{MOCK_PRIVATE_KEY_MARK}-{stable_guid(key, 'private')}"
    return {
        "publicKeyPem": public_pem,
        "publicKeyFingerprintSha256": "SHA256:"
        + hashlib.sha256(modulus.to_bytes(bits // 8, "big")).hexdigest(),
        "privateKeyPem": mark,
        "privateKeyPemPkcs8": mark,
        "privateKeyOpenssh": mark,
    }


def _read(mocks: PlatformMocks, token: str, resource_id: str) -> dict[str, Any]:
    """The properties of an existing resource read by ID."""
    outputs: dict[str, Any] = {"id": resource_id, "name": resource_id.rsplit("/", 1)[-1]}
    if token == "azure-native:kubernetes:ConnectedCluster":
        outputs["identity"] = {
            "type": "SystemAssigned",
            "principalId": stable_guid(resource_id, "principal"),
            "tenantId": mocks.tenant_id,
        }
    return outputs


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
