"""The plan's Azure resources as an ARM deployment template, for ARM scanners.

checkov and PSRule read ARM templates, not Pulumi programs. Each azure-native resource of
a plan becomes a template resource: the request body pulumi-azure-native would send for it
(policies.provider_schema.body: the ARM type, the API version of the installed SDK, the
name from its path parameters, top-level fields and the `properties` envelope, nested
envelopes of flattened objects restored), the same body the provider-schema check
(ARM-SCH-01) validates. Extension resources (role assignments, diagnostic settings, cluster
extensions) carry `scope`. The template is for scanning only; it is not meant to deploy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..arm_types import ARM_TYPES, CLUSTER_SCOPE_KEYS, ArmType
from ..provider_schema.body import arm_body
from ..provider_schema.sdk import api_version
from ..provider_schema.validate import MissingSchema, type_schema

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
# Resource-provider namespaces whose spelling cannot be derived from the module name.
NAMESPACES = {
    "authorization": "Microsoft.Authorization",
    "containerregistry": "Microsoft.ContainerRegistry",
    "containerservice": "Microsoft.ContainerService",
    "hybridcontainerservice": "Microsoft.HybridContainerService",
    "keyvault": "Microsoft.KeyVault",
    "kubernetes": "Microsoft.Kubernetes",
    "kubernetesconfiguration": "Microsoft.KubernetesConfiguration",
    "managedidentity": "Microsoft.ManagedIdentity",
    "monitor": "Microsoft.Insights",
    "network": "Microsoft.Network",
    "operationalinsights": "Microsoft.OperationalInsights",
    "privatedns": "Microsoft.Network",
    "resources": "Microsoft.Resources",
    "security": "Microsoft.Security",
    "securityinsights": "Microsoft.SecurityInsights",
}

__all__ = ["api_version", "to_arm", "to_template"]


def to_template(resources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    arm_resources = [
        to_arm(resource)
        for resource in resources
        if str(resource.get("type", "")).startswith("azure-native:")
    ]
    return {
        "$schema": TEMPLATE_SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "bootstrap export --format arm (for scanners, not deployment)"},
        "resources": arm_resources,
    }


def to_arm(resource: Mapping[str, Any]) -> dict[str, Any]:
    token = str(resource["type"])
    inputs = dict(resource.get("inputs") or {})
    known = ARM_TYPES.get(token) or _derived(token)
    try:
        schema = type_schema(token)
        built = arm_body(known, inputs, schema.api_version, schema.document, schema.definition)
    except MissingSchema:
        built = arm_body(known, inputs, api_version(token))
    entry: dict[str, Any] = {**built.body, "name": _name(known, inputs, str(resource.get("name")))}
    entry.setdefault("apiVersion", None)
    scope = _scope(known, inputs)
    if scope:
        entry["scope"] = scope
    entry.setdefault("properties", {})
    entry["metadata"] = {"pulumiUrn": resource.get("urn"), "pulumiType": token}
    return entry


def _name(known: ArmType, inputs: Mapping[str, Any], fallback: str) -> str:
    parts = [str(inputs.get(key) or "") for key in known.name_keys]
    if not all(parts):
        return fallback
    return "/".join(parts)


def _scope(known: ArmType, inputs: Mapping[str, Any]) -> str | None:
    if known.scope != "extension":
        return None
    if known.scope_key and inputs.get(known.scope_key):
        return str(inputs[known.scope_key])
    if all(inputs.get(key) for key in CLUSTER_SCOPE_KEYS):
        rp, kind, name = (str(inputs[key]) for key in CLUSTER_SCOPE_KEYS)
        return f"{rp}/{kind}/{name}"
    return None


def _derived(token: str) -> ArmType:
    """A type the shared table lacks: namespace from the module, plural camelCase name."""
    _, module, kind = token.split(":", 2)
    namespace = NAMESPACES.get(module, f"Microsoft.{module.capitalize()}")
    name_key = kind[0].lower() + kind[1:] + "Name"
    return ArmType(f"{namespace}/{kind[0].lower()}{kind[1:]}s", (name_key,))
