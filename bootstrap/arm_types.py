"""ARM resource IDs for the offline engine, from the shared type table.

The table itself (ARM type, name keys, request parameters, schema location per
azure-native type) lives in policies.arm_types so the policy pack stands alone; it is
re-exported here. A type missing there falls back to the generic resource-group shape,
which is right for most top-level resources.
"""

from __future__ import annotations

from typing import Any

from policies.arm_types import ARM_TYPES, ArmType, arm_type_of

__all__ = ["ARM_TYPES", "ArmType", "arm_type_of", "resource_id"]


def resource_id(token: str, inputs: dict[str, Any], subscription_id: str) -> str:
    """The ARM ID Azure would assign; deterministic in the inputs."""
    known = ARM_TYPES.get(token) or _generic(token)
    names = [str(inputs.get(key) or _fallback_name(inputs)) for key in known.name_keys]
    segments = known.arm_type.split("/")
    path = segments[0]
    for segment, name in zip(segments[1:], names, strict=False):
        path += f"/{segment}/{name}"
    if known.scope == "subscription":
        return f"/subscriptions/{subscription_id}/providers/{path}".replace(
            "/providers/Microsoft.Resources/resourceGroups", "/resourceGroups"
        )
    if known.scope == "tenant":
        return f"/providers/{path}"
    if known.scope == "extension":
        scope = _extension_scope(inputs, known, subscription_id)
        return f"{scope}/providers/{path}"
    group = inputs.get("resourceGroupName", "rg")
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{path}"


def _extension_scope(inputs: dict[str, Any], known: ArmType, subscription_id: str) -> str:
    if known.scope_key and inputs.get(known.scope_key):
        return str(inputs[known.scope_key]).rstrip("/")
    if "clusterName" in inputs and "clusterRp" in inputs:
        group = inputs.get("resourceGroupName", "rg")
        return (
            f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/"
            f"{inputs['clusterRp']}/{inputs.get('clusterResourceName')}/{inputs['clusterName']}"
        )
    if "workspaceName" in inputs:
        group = inputs.get("resourceGroupName", "rg")
        return (
            f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/"
            f"Microsoft.OperationalInsights/workspaces/{inputs['workspaceName']}"
        )
    return f"/subscriptions/{subscription_id}"


def _generic(token: str) -> ArmType:
    _, module, kind = token.split(":", 2)
    plural = kind[0].lower() + kind[1:] + "s"
    return ArmType(f"Microsoft.{module.capitalize()}/{plural}", ("name",))


def _fallback_name(inputs: dict[str, Any]) -> str:
    return str(inputs.get("name", "default"))
