"""The plan's Azure resources as an ARM deployment template, for ARM scanners.

checkov and PSRule read ARM templates, not Pulumi programs. Each azure-native resource of
a plan becomes a template resource: the ARM type (from bootstrap.arm_types, the table the
offline engine mints IDs with), the API version the installed azure-native SDK uses for
that resource, the name from its path parameters, the top-level ARM fields (location,
tags, sku, identity, kind, zones, extendedLocation, plan) and every other input under
`properties`. Extension resources (role assignments, diagnostic settings, cluster
extensions) carry `scope`. The template is for scanning only; it is not meant to deploy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pulumi_azure_native

from bootstrap.arm_types import ARM_TYPES, ArmType

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
TOP_LEVEL_FIELDS = ("location", "tags", "sku", "identity", "kind", "zones", "extendedLocation",
                    "plan")  # fmt: skip
ALWAYS_PATH_PARAMETERS = {"resourceGroupName", "subscriptionId"}
CLUSTER_SCOPE_KEYS = ("clusterRp", "clusterResourceName", "clusterName")
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
_SDK_ROOT = Path(pulumi_azure_native.__file__).parent
_API_VERSION = re.compile(r"Uses Azure REST API version ([0-9]{4}-[0-9]{2}-[0-9]{2}(?:-[a-z]+)?)")


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
    path_keys = set(known.name_keys) | ALWAYS_PATH_PARAMETERS
    entry: dict[str, Any] = {
        "type": known.arm_type,
        "apiVersion": api_version(token),
        "name": _name(known, inputs, str(resource.get("name", ""))),
    }
    scope = _scope(known, inputs)
    if scope:
        entry["scope"] = scope
        path_keys |= {known.scope_key or "", *CLUSTER_SCOPE_KEYS}
    for field in TOP_LEVEL_FIELDS:
        if field in inputs:
            entry[field] = inputs[field]
    rest = {k: v for k, v in inputs.items() if k not in path_keys and k not in TOP_LEVEL_FIELDS}
    properties = rest.pop("properties", None)
    if isinstance(properties, Mapping):
        entry["properties"] = {**rest, **properties}
    else:
        entry["properties"] = rest
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


@cache
def api_version(token: str) -> str | None:
    """The REST API version the installed azure-native SDK uses for a resource type."""
    source = _sdk_source(token)
    if source is None:
        return None
    match = _API_VERSION.search(source.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def _sdk_source(token: str) -> Path | None:
    _, module, kind = token.split(":", 2)
    directory = _SDK_ROOT / module
    guess = directory / f"{_snake(kind)}.py"
    marker = f'@pulumi.type_token("{token}")'
    if guess.is_file() and marker in guess.read_text(encoding="utf-8"):
        return guess
    for candidate in sorted(directory.glob("*.py")):
        if marker in candidate.read_text(encoding="utf-8"):
            return candidate
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
