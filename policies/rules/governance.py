"""Governance: Defender plans, Azure Policy assignments, diagnostics, Sentinel, workspace auth."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import dig, is_true, items, text
from .view import StackView, arm_id_names, azure_name, resource_value

PRICING = "azure-native:security:Pricing"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
SENTINEL = "azure-native:securityinsights:SentinelOnboardingState"
WORKSPACE = "azure-native:operationalinsights:Workspace"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
CONNECTED_CLUSTER = "azure-native:kubernetes:ConnectedCluster"
REGISTRY = "azure-native:containerregistry:Registry"
VAULT = "azure-native:keyvault:Vault"

REQUIRED_DEFENDER_PLANS = ("Containers", "KeyVaults", "Arm")

# Built-in Azure Policy definitions and initiatives (Azure/azure-policy,
# built-in-policies/policyDefinitions/Kubernetes and policySetDefinitions).
POD_SECURITY_BASELINE = "a8640138-9b0a-4a28-b8cb-1666c838647d"
POD_SECURITY_RESTRICTED = "42b8ef37-b724-4e24-bbc8-7a7708edfe00"
ALLOWED_IMAGES = "febd0533-8e55-448f-b837-bd0e06f16469"
NO_PRIVILEGED = "95edb821-ddaf-4404-9732-666045e056b4"
HTTPS_INGRESS = "1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d"
ALLOWED_EXTERNAL_IPS = "d46c275d-1680-448d-b2ec-e495a3b6cc89"
# These default their `effect` parameter to Audit: assigned as-is they only report.
AUDIT_BY_DEFAULT = frozenset({POD_SECURITY_BASELINE, POD_SECURITY_RESTRICTED, ALLOWED_EXTERNAL_IPS})
PLATFORM_DEFINITIONS = frozenset(
    {
        POD_SECURITY_BASELINE,
        POD_SECURITY_RESTRICTED,
        ALLOWED_IMAGES,
        NO_PRIVILEGED,
        HTTPS_INGRESS,
        ALLOWED_EXTERNAL_IPS,
    }
)

AKS_AUDIT_CATEGORIES = ("kube-audit-admin", "guard")
# Probes for the allowed-images regex, which Gatekeeper applies unanchored (a search).
_FOREIGN_IMAGES = ("docker.io/library/nginx:1.27", "ghcr.io/example/app:1.0")


def definition_guid(assignment: PolicyResource | Mapping[str, Any]) -> str:
    if isinstance(assignment, PolicyResource):
        definition = resource_value(assignment, "policyDefinitionId")
    else:
        definition = dig(assignment, "policyDefinitionId")
    return text(definition).rstrip("/").rpartition("/")[2].lower()


def _parameter(props: Any, name: str) -> Any:
    return dig(props, "parameters", name, "value")


def assignment_parameter(assignment: PolicyResource, name: str) -> Any:
    return resource_value(assignment, "parameters", name, "value")


def _has_clusters(view: StackView) -> bool:
    return bool(view.of_type(MANAGED_CLUSTER, CONNECTED_CLUSTER))


def _assignments(view: StackView, *guids: str) -> list[PolicyResource]:
    return [a for a in view.of_type(POLICY_ASSIGNMENT) if definition_guid(a) in guids]


# ---- Defender


def plan_name(view: StackView, pricing: PolicyResource) -> str:
    """The Defender plan a pricing sets: its `pricingName` (a path parameter, absent from the
    outputs, so read from the inputs at preview), else its `name` output."""
    return text(view.value(pricing, "pricingName")) or text(view.value(pricing, "name"))


def defender_plans(view: StackView, settings: PolicySettings) -> Findings:
    plans: dict[str, PolicyResource] = {}
    for pricing in view.of_type(PRICING):
        plans[plan_name(view, pricing)] = pricing
    for plan in REQUIRED_DEFENDER_PLANS:
        pricing = plans.get(plan)
        if pricing is None:
            if settings.owns_subscription_resources and view.is_azure_plan:
                yield f"Defender plan {plan} is not declared (expected pricingTier Standard)", None
            continue
        tier = view.value(pricing, "pricingTier")
        if tier != "Standard":
            yield (
                f"Defender plan {plan} has pricingTier {tier or 'not set'} (expected Standard)",
                pricing.urn,
            )


# ---- Azure Policy assignments


def pod_security_assigned(view: StackView, settings: PolicySettings) -> Findings:
    if not _has_clusters(view):
        return
    wanted = (
        (POD_SECURITY_RESTRICTED,)
        if settings.pod_security_standard == "restricted"
        else (POD_SECURITY_BASELINE, POD_SECURITY_RESTRICTED)
    )
    if not _assignments(view, *wanted):
        level = settings.pod_security_standard
        yield f"the pod security {level} initiative is not assigned", None


def allowed_images_assigned(view: StackView, settings: PolicySettings) -> Findings:
    if not _has_clusters(view):
        return
    assignments = _assignments(view, ALLOWED_IMAGES)
    if not assignments:
        yield "the allowed images policy is not assigned", None
        return
    for assignment in assignments:
        for problem in _image_regex_problems(
            assignment_parameter(assignment, "allowedContainerImagesRegex"), settings
        ):
            yield problem, assignment.urn


def _image_regex_problems(pattern: Any, settings: PolicySettings) -> Iterator[str]:
    if not isinstance(pattern, str) or not pattern:
        yield "allowedContainerImagesRegex is not set"
        return
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        yield f"allowedContainerImagesRegex '{pattern}' is not a regex ({error})"
        return
    for image in _FOREIGN_IMAGES:
        if compiled.search(image):
            yield f"allowedContainerImagesRegex '{pattern}' admits {image}"
    for server in settings.registry_login_servers:
        if not compiled.search(f"{server}/platform/app:1.0.0"):
            yield f"allowedContainerImagesRegex '{pattern}' rejects the platform registry {server}"
        if compiled.search(f"evil.example.com/{server}/app:1.0.0"):
            yield f"allowedContainerImagesRegex '{pattern}' is not anchored to the registry host"


def no_privileged_assigned(view: StackView, _: PolicySettings) -> Findings:
    # Both pod security initiatives contain the no-privileged-containers definition.
    if _has_clusters(view) and not _assignments(
        view, NO_PRIVILEGED, POD_SECURITY_BASELINE, POD_SECURITY_RESTRICTED
    ):
        yield "no assignment denies privileged containers", None


def https_ingress_assigned(view: StackView, _: PolicySettings) -> Findings:
    if _has_clusters(view) and not _assignments(view, HTTPS_INGRESS):
        yield "the HTTPS-only ingress policy is not assigned", None


def external_ips_assigned(view: StackView, _: PolicySettings) -> Findings:
    if _has_clusters(view) and not _assignments(view, ALLOWED_EXTERNAL_IPS):
        yield "the allowed external IPs policy is not assigned", None


def assignment_enforced(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    mode = dig(props, "enforcementMode")
    if mode not in (None, "Default"):
        yield f"enforcementMode is {mode}: the assignment only audits"
    guid = definition_guid(props)
    if guid not in PLATFORM_DEFINITIONS:
        return
    effect = _parameter(props, "effect")
    if effect is None and guid in AUDIT_BY_DEFAULT:
        yield "the effect parameter is not set and defaults to Audit (expected Deny)"
    elif effect is not None and text(effect).lower() != "deny":
        yield f"the effect parameter is {effect} (expected Deny)"


# ---- diagnostics, Sentinel, workspace


def _diagnostics_of(view: StackView, target: PolicyResource) -> list[PolicyResource]:
    """The diagnostic settings of `target`: depending on it, or naming it in resourceUri."""
    return view.referrers(
        target, DIAGNOSTIC_SETTING, by=_watched_resource, names=_watched_as(target)
    )


def _watched_resource(view: StackView, setting: PolicyResource) -> tuple[str, str] | None:
    """(ARM type segment, name) of the resource a diagnostic setting's resourceUri names."""
    # resourceUri is a path parameter: an input, unknown at preview when it is an ID.
    names = arm_id_names(view.known_text(setting, "resourceUri"))
    return names[-1] if names else None


def _watched_as(target: PolicyResource) -> list[tuple[str, str]]:
    name = azure_name(target)
    return [(segment, name) for segment in _ARM_SEGMENTS[target.resource_type]]


_ARM_SEGMENTS = {
    MANAGED_CLUSTER: ("managedclusters",),
    REGISTRY: ("registries",),
    VAULT: ("vaults",),
}


def diagnostics_to_workspace(view: StackView, _: PolicySettings) -> Findings:
    for target in view.of_type(MANAGED_CLUSTER, REGISTRY, VAULT):
        if not view.any_referrer(
            target,
            DIAGNOSTIC_SETTING,
            _to_workspace,
            by=_watched_resource,
            names=_watched_as(target),
        ):
            yield (
                f"{azure_name(target)} has no diagnostic setting sending logs to the workspace",
                (target.urn),
            )


def _to_workspace(view: StackView, setting: PolicyResource) -> bool:
    enabled_logs = [
        log for log in items(view.value(setting, "logs")) if is_true(dig(log, "enabled"))
    ]
    return workspace_destination(view, setting) and bool(enabled_logs)


def workspace_destination(view: StackView, setting: PolicyResource) -> bool:
    """The setting's `workspaceId` names a Log Analytics workspace.

    At a first preview the ID is unknown when the program passes `workspace.id`; the
    property dependencies the engine hands stack policies then show where it comes from:
    computed only from Log Analytics workspaces of this stack. After apply the ID itself is
    judged.
    """
    try:
        workspace = text(view.value(setting, "workspaceId")).lower()
    except UnknownValueError:
        if "workspaceId" not in setting.property_dependencies:
            raise  # no provenance either: truly undecidable here
        return view.derived_from(setting, "workspaceId", WORKSPACE)
    return "/microsoft.operationalinsights/workspaces/" in workspace


def aks_audit_categories(view: StackView, _: PolicySettings) -> Findings:
    for cluster in view.of_type(MANAGED_CLUSTER):
        categories = view.referrer_values(
            cluster,
            DIAGNOSTIC_SETTING,
            _enabled_categories,
            by=_watched_resource,
            names=_watched_as(cluster),
        )
        missing = [c for c in AKS_AUDIT_CATEGORIES if c not in categories]
        if missing:
            yield (
                (f"{azure_name(cluster)} does not send the {', '.join(missing)} log categories"),
                cluster.urn,
            )


def _enabled_categories(view: StackView, setting: PolicyResource) -> Iterator[str]:
    for log in items(view.value(setting, "logs")):
        if is_true(dig(log, "enabled")):
            yield text(dig(log, "category"))


def sentinel_on_workspace(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.sentinel_required or not view.is_azure_plan:
        return
    workspaces = view.of_type(WORKSPACE)
    onboarded = view.of_type(SENTINEL)
    for workspace in workspaces:
        name = azure_name(workspace)
        if not view.any_referrer(
            workspace, SENTINEL, _onboarding, by=_onboarded_workspace, names=[name]
        ):
            yield f"workspace {name} is not onboarded to Microsoft Sentinel", workspace.urn
    if not workspaces and not onboarded:
        yield "no Log Analytics workspace is onboarded to Microsoft Sentinel", None


def _onboarded_workspace(view: StackView, onboarding: PolicyResource) -> str:
    return view.known_text(onboarding, "workspaceName")


def _onboarding(_: StackView, __: PolicyResource) -> bool:
    return True


def workspace_local_auth(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "features", "disableLocalAuth")):
        yield "features.disableLocalAuth is not true: shared keys can read and write logs"


RULES = [
    stack_rule("GOV-DEF-01", defender_plans),
    stack_rule("GOV-POL-01", pod_security_assigned),
    stack_rule("GOV-POL-02", allowed_images_assigned),
    stack_rule("GOV-POL-03", no_privileged_assigned),
    stack_rule("GOV-POL-04", https_ingress_assigned),
    stack_rule("GOV-POL-05", external_ips_assigned),
    resource_rule("GOV-POL-06", assignment_enforced),
    stack_rule("MON-DIA-01", diagnostics_to_workspace),
    stack_rule("MON-DIA-02", aks_audit_categories),
    stack_rule("MON-SEN-01", sentinel_on_workspace),
    resource_rule("MON-LAW-01", workspace_local_auth),
]
