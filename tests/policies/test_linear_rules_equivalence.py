"""The stack policies made linear decide exactly as their nested loops did.

Issue 9 replaced nested loops (every resource compared with every other) in nine stack
policies by the indexes and referrer helpers of policies/rules/view.py. The loops are kept
here, as they were, as oracles: over the shipped stacks (offline and at preview), copies of
prod that all name the same Azure resources, plans whose dependencies are removed (so only
names link resources) or whose order is reversed, both versions must yield the same
findings in the same order, or fail with the same error.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError
from support import SHIPPED_STACKS, offline_run

from bench.replicate import replicate
from policies.context import PolicyContext
from policies.evaluator import _props, policy_resources
from policies.rules import aks, arc, flux, governance, identity, registry, state_access
from policies.rules.analyzed import ANALYZED_INPUTS
from policies.rules.props import dig, is_map, is_true, items, text
from policies.rules.roles import (
    ACR_PULL,
    KEY_VAULT_CRYPTO_USER,
    READ_ONLY_ROLES,
    ROLE_NAMES,
    covers,
    role_guid,
    same_scope,
)
from policies.rules.view import StackView, arm_id_names, azure_name

# ---- the nested loops, as they were before issue 9 (oracles)


def old_pull_request_read_only(view: StackView, settings: Any) -> Iterator[Any]:
    credentials = view.of_type(identity.FEDERATED_CREDENTIAL)
    assignments = view.of_type(identity.ROLE_ASSIGNMENT)
    for ident in view.of_type(identity.IDENTITY):
        federated = [c for c in credentials if _credential_of(view, c, ident)]
        if not any(
            text(view.value(c, "subject")).endswith(identity.PULL_REQUEST_SUFFIX) for c in federated
        ):
            continue
        for assignment in assignments:
            if not view.depends_on(assignment, ident):
                continue
            guid = role_guid(text(view.value(assignment, "roleDefinitionId")))
            if guid == KEY_VAULT_CRYPTO_USER and same_scope(
                text(view.value(assignment, "scope")), settings.secrets_key_scope
            ):
                continue
            if guid not in READ_ONLY_ROLES:
                role = ROLE_NAMES.get(guid, guid or "an unknown role")
                yield (
                    f"the pull-request identity {azure_name(ident)} is granted {role}, "
                    "which is not read-only",
                    assignment.urn,
                )


def _credential_of(view: StackView, credential: PolicyResource, ident: PolicyResource) -> bool:
    if view.depends_on(credential, ident):
        return True
    return view.known_text(credential, "resourceName") == azure_name(ident)


def old_state_access(view: StackView, settings: Any) -> Iterator[Any]:
    targets = {
        state_access.CONTAINER: settings.state_container_scope,
        state_access.KEY: settings.secrets_key_scope,
    }
    assignments = view.of_type(state_access.ROLE_ASSIGNMENT)
    for ident, kind in _old_ci_identities(view):
        granted: set[tuple[str, str]] = set()
        who = f"the {kind} identity {azure_name(ident)}"
        for assignment in assignments:
            if not view.depends_on(assignment, ident):
                continue
            guid = role_guid(text(view.value(assignment, "roleDefinitionId")))
            scope = view.known_text(assignment, "scope")
            role = ROLE_NAMES.get(guid, guid)
            if guid in state_access.DATA_ROLES:
                target = next((t for t, s in targets.items() if same_scope(scope, s)), None)
                if target is None or (guid, target) not in state_access.NEEDED[kind]:
                    yield (f"{who} {role} {scope}", assignment.urn)
                else:
                    granted.add((guid, target))
            elif guid in state_access.REACHING_ROLES:
                for target, target_scope in targets.items():
                    if covers(scope, target_scope):
                        yield (f"{who} holds {role} at {scope} {target}", assignment.urn)
        if all(targets.values()):
            for guid, target in sorted(state_access.NEEDED[kind] - granted):
                yield (f"{who} lacks {ROLE_NAMES[guid]} on {target}", ident.urn)


def _old_ci_identities(view: StackView) -> Iterator[tuple[PolicyResource, str]]:
    credentials = view.of_type(identity.FEDERATED_CREDENTIAL)
    for ident in view.of_type(identity.IDENTITY):
        subjects = [
            view.known_text(c, "subject")
            for c in credentials
            if view.known_text(c, "issuer").rstrip("/") == identity.GITHUB_ISSUER
            and (
                view.depends_on(c, ident) or view.known_text(c, "resourceName") == azure_name(ident)
            )
        ]
        if subjects and all(state_access.WORKFLOW_REF_CLAIM in s for s in subjects):
            continue
        if subjects:
            preview = any(s.endswith(identity.PULL_REQUEST_SUFFIX) for s in subjects)
            yield ident, "preview" if preview else "deploy"


def _old_diagnostics_of(view: StackView, target: PolicyResource) -> list[PolicyResource]:
    found = []
    name = azure_name(target)
    for setting in view.of_type(governance.DIAGNOSTIC_SETTING):
        if view.depends_on(setting, target):
            found.append(setting)
            continue
        names = arm_id_names(view.known_text(setting, "resourceUri"))
        segments = governance._ARM_SEGMENTS[target.resource_type]
        if names and names[-1][1] == name and names[-1][0] in segments:
            found.append(setting)
    return found


def old_diagnostics_to_workspace(view: StackView, _: Any) -> Iterator[Any]:
    for target in view.of_type(governance.MANAGED_CLUSTER, governance.REGISTRY, governance.VAULT):
        found = _old_diagnostics_of(view, target)
        if not any(governance._to_workspace(view, s) for s in found):
            yield (f"{azure_name(target)} has no diagnostic setting", target.urn)


def old_aks_audit_categories(view: StackView, _: Any) -> Iterator[Any]:
    for cluster in view.of_type(governance.MANAGED_CLUSTER):
        categories: set[str] = set()
        for setting in _old_diagnostics_of(view, cluster):
            for log in items(view.value(setting, "logs")):
                if is_true(dig(log, "enabled")):
                    categories.add(text(dig(log, "category")))
        missing = [c for c in governance.AKS_AUDIT_CATEGORIES if c not in categories]
        if missing:
            yield (f"{azure_name(cluster)} lacks {missing}", cluster.urn)


def old_sentinel_on_workspace(view: StackView, settings: Any) -> Iterator[Any]:
    if not settings.sentinel_required or not view.is_azure_plan:
        return
    workspaces = view.of_type(governance.WORKSPACE)
    onboarded = view.of_type(governance.SENTINEL)
    for workspace in workspaces:
        name = azure_name(workspace)
        if not any(
            view.depends_on(s, workspace) or view.known_text(s, "workspaceName") == name
            for s in onboarded
        ):
            yield f"workspace {name} is not onboarded to Microsoft Sentinel", workspace.urn
    if not workspaces and not onboarded:
        yield "no Log Analytics workspace is onboarded to Microsoft Sentinel", None


def old_flux_on_every_cluster(view: StackView, _: Any) -> Iterator[Any]:
    extensions = [
        e for e in view.of_type(flux.EXTENSION) if flux.extension_type(e) == flux.FLUX_EXTENSION
    ]
    configurations = view.of_type(flux.FLUX_CONFIGURATION)
    for cluster in view.of_type(flux.MANAGED_CLUSTER, flux.CONNECTED_CLUSTER):
        name = azure_name(cluster)
        if not any(flux.attached_to(view, e, cluster) for e in extensions):
            yield f"cluster {name} has no extension", cluster.urn
        mine = [c for c in configurations if flux.attached_to(view, c, cluster)]
        if not mine:
            yield f"cluster {name} has no FluxConfiguration", cluster.urn
        elif not any(flux._reconciles(c) for c in mine):
            yield f"no FluxConfiguration of cluster {name} reconciles", cluster.urn


def _old_extensions_of(
    view: StackView, name: str, cluster: PolicyResource | None
) -> list[PolicyResource]:
    found = []
    for extension in view.of_type(flux.EXTENSION):
        if (cluster is not None and flux.attached_to(view, extension, cluster)) or (
            cluster is None
            and view.known_text(extension, "clusterName") == name
            and view.known_text(extension, "clusterResourceName").lower() == "connectedclusters"
        ):
            found.append(extension)
    return found


def old_security_extensions(view: StackView, settings: Any) -> Iterator[Any]:
    for name, cluster in arc._arc_targets(view, settings):
        installed = {flux.extension_type(e) for e in _old_extensions_of(view, name, cluster)}
        for kind in arc.REQUIRED_EXTENSIONS:
            if kind not in installed:
                yield f"{name} has no {kind}", cluster.urn if cluster else None


def old_monitoring_with_rule(view: StackView, settings: Any) -> Iterator[Any]:
    rules = {r.urn: r for r in view.of_type(arc.DCR)}
    associations = view.of_type(arc.DCRA)
    for name, cluster in arc._arc_targets(view, settings):
        monitors = [
            e
            for e in _old_extensions_of(view, name, cluster)
            if flux.extension_type(e) == arc.MONITORING
        ]
        if not monitors:
            continue
        mine = [
            a
            for a in associations
            if (cluster is not None and cluster in arc.direct(a, flux.CONNECTED_CLUSTER))
            or (
                cluster is None
                and view.known_text(a, "resourceUri").lower().endswith(f"/{name.lower()}")
            )
        ]
        mine = [
            a
            for a in mine
            if view.known_text(a, "associationName") in ("", arc.CONTAINER_INSIGHTS_ASSOCIATION)
        ]
        where = cluster.urn if cluster else None
        if not mine:
            yield f"{name}: no association", where
            continue
        for association in mine:
            linked = [rules[d.urn] for d in association.dependencies or () if d.urn in rules]
            if not any(arc._collects_container_insights(view, rule) for rule in linked):
                yield f"{name}: association to no Container Insights rule", association.urn
        for extension in sorted(monitors, key=lambda e: e.urn):
            auth = view.value(extension, "configurationSettings", "amalogs.useAADAuth")
            if not is_true(auth):
                yield f"{name}: monitoring without Entra ID auth", extension.urn


def old_maintenance_windows(view: StackView, _: Any) -> Iterator[Any]:
    configurations = view.of_type(aks.MAINTENANCE_CONFIGURATION)
    for cluster in view.of_type(aks.MANAGED_CLUSTER):
        windows: dict[str, Any] = {}
        for configuration in configurations:
            if view.depends_on(configuration, cluster) or view.known_text(
                configuration, "resourceName"
            ) == azure_name(cluster):
                name = text(view.value(configuration, "configName")) or text(
                    view.value(configuration, "name")
                )
                windows[name] = view.value(configuration, "maintenanceWindow")
        for schedule in aks.MAINTENANCE_SCHEDULES:
            if schedule not in windows:
                yield f"no maintenance configuration {schedule}", cluster.urn
            elif not is_map(windows[schedule]) or not dig(windows[schedule], "schedule"):
                yield f"{schedule} has no maintenanceWindow.schedule", cluster.urn


def old_kubelet_acr_pull(view: StackView, _: Any) -> Iterator[Any]:
    registries = view.of_type(registry.REGISTRY)
    pulls = [
        a
        for a in view.of_type(registry.ROLE_ASSIGNMENT)
        if role_guid(text(view.value(a, "roleDefinitionId"))) == ACR_PULL
    ]
    for cluster in view.of_type(registry.MANAGED_CLUSTER):
        for reg in registries:
            if not any(registry._grants(view, a, cluster, reg) for a in pulls):
                yield f"{azure_name(cluster)} no AcrPull on {azure_name(reg)}", cluster.urn


# Old and new versions; message texts the oracles shorten are compared by URN and order.
PAIRS: dict[str, tuple[Callable[..., Any], Callable[..., Any], bool]] = {
    "IAM-ID-02": (old_pull_request_read_only, identity.pull_request_read_only, True),
    "DEL-STA-01": (old_state_access, state_access.state_access, False),
    "MON-DIA-01": (old_diagnostics_to_workspace, governance.diagnostics_to_workspace, False),
    "MON-DIA-02": (old_aks_audit_categories, governance.aks_audit_categories, False),
    "MON-SEN-01": (old_sentinel_on_workspace, governance.sentinel_on_workspace, True),
    "FLX-CLU-01": (old_flux_on_every_cluster, flux.flux_on_every_cluster, False),
    "ARC-EXT-01": (old_security_extensions, arc.security_extensions, False),
    "ARC-MON-01": (old_monitoring_with_rule, arc.monitoring_with_rule, False),
    "AKS-CLU-05": (old_maintenance_windows, aks.maintenance_windows, False),
    "ACR-REG-06": (old_kubelet_acr_pull, registry.kubelet_acr_pull, False),
}


# ---- plans to compare on


def _without_dependencies(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stripped = copy.deepcopy(resources)
    for resource in stripped:
        resource.pop("dependencies", None)
        resource.pop("propertyDependencies", None)
    return stripped


# Types the rewritten policies link to a target; thinning them out makes findings.
LINKED_TYPES = (
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:containerservice:MaintenanceConfiguration",
    "azure-native:kubernetesconfiguration:Extension",
    "azure-native:kubernetesconfiguration:FluxConfiguration",
    "azure-native:securityinsights:SentinelOnboardingState",
    "azure-native:authorization:RoleAssignment",
    "azure-native:managedidentity:FederatedIdentityCredential",
)


def _thinned(resources: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    """Resources of a linked type dropped unless their URN's hash is a multiple of `keep`
    (the engine's order may vary, URNs do not), so some targets lose what links to them
    and others keep it."""
    return [r for r in resources if r["type"] not in LINKED_TYPES or _hashed(r["urn"]) % keep == 0]


def _hashed(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def _widened(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """About every other role assignment made Contributor (by URN hash, as above)."""
    widened = copy.deepcopy(resources)
    for assignment in widened:
        if assignment["type"] != "azure-native:authorization:RoleAssignment":
            continue
        if _hashed(assignment["urn"]) % 2:
            continue
        role = assignment["inputs"].get("roleDefinitionId")
        if isinstance(role, str) and "/" in role:
            assignment["inputs"]["roleDefinitionId"] = role.rpartition("/")[0] + "/" + CONTRIBUTOR
    return widened


def _shuffled(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(resources, key=lambda r: _hashed(r["urn"]))


def _variants() -> dict[str, tuple[str, list[dict[str, Any]]]]:
    variants = {}
    for stack in SHIPPED_STACKS:
        for preview in (False, True):
            mode = "preview" if preview else "plan"
            resources = offline_run(stack, preview=preview).resources
            variants[f"{stack}-{mode}"] = (stack, resources)
            variants[f"{stack}-{mode}-by-name"] = (stack, _without_dependencies(resources))
    prod = offline_run("prod").resources
    variants["prod-copies"] = ("prod", replicate(prod, 3 * len(prod)))
    variants["prod-copies-by-name"] = ("prod", _without_dependencies(variants["prod-copies"][1]))
    variants["prod-reversed"] = ("prod", list(reversed(prod)))
    preview = offline_run("prod", preview=True).resources
    variants["prod-preview-copies"] = ("prod", replicate(preview, 2 * len(preview)))
    copies = variants["prod-copies"][1]
    for keep in (2, 3):
        thinned = _thinned(_widened(copies), keep)
        variants[f"prod-copies-thinned-{keep}"] = ("prod", thinned)
        variants[f"prod-copies-thinned-{keep}-by-name"] = ("prod", _without_dependencies(thinned))
        variants[f"prod-copies-thinned-{keep}-shuffled"] = ("prod", _shuffled(thinned))
        thinned_preview = _thinned(variants["prod-preview-copies"][1], keep)
        variants[f"prod-preview-copies-thinned-{keep}"] = ("prod", thinned_preview)
    # Only the associations thinned: the clusters keep their monitoring extension, so the
    # associations' links decide (ARC-MON-01).
    associations = [r for r in copies if r["type"] != arc.DCRA or _hashed(r["urn"]) % 2 == 0]
    variants["prod-copies-thinned-associations"] = ("prod", associations)
    variants["prod-copies-thinned-associations-by-name"] = (
        "prod",
        _without_dependencies(associations),
    )
    return variants


VARIANTS = _variants()


def _outcome(check: Callable[..., Any], view: StackView, settings: Any, exact: bool) -> Any:
    try:
        found = list(check(view, settings))
    except UnknownValueError as unknown:
        return ("unknown", unknown.message)
    except Exception as error:
        return ("error", repr(error))
    return ("findings", found if exact else [urn for _, urn in found])


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_linear_stack_policies_decide_as_their_nested_loops(variant: str) -> None:
    stack, resources = VARIANTS[variant]
    built = policy_resources(resources)
    analyzed: dict[str, Any] = {}
    for entry, resource in zip(resources, built, strict=True):
        props = resource.props if "outputs" not in entry else _props(entry.get("inputs"))
        analyzed.setdefault(resource.urn, props)
    ANALYZED_INPUTS.replace(analyzed)
    settings = PolicyContext.for_stack(stack).settings
    differences = {}
    for control, (old, new, exact) in PAIRS.items():
        # A fresh view each time: the new code's memos must not help or hurt the old one.
        before = _outcome(old, StackView(built), settings, exact)
        after = _outcome(new, StackView(built), settings, exact)
        if before != after:
            differences[control] = (before, after)
    assert differences == {}


def test_the_variants_make_findings_both_ways_can_miss() -> None:
    """The comparison means something: the thinned plans fail every rewritten policy
    somewhere (else both versions could agree on nothing to report)."""
    failing: set[str] = set()
    for variant, (stack, resources) in VARIANTS.items():
        if "thinned" not in variant:
            continue
        built = policy_resources(resources)
        ANALYZED_INPUTS.replace({r.urn: r.props for r in built})
        settings = PolicyContext.for_stack(stack).settings
        for control, (_, new, exact) in PAIRS.items():
            outcome = _outcome(new, StackView(built), settings, exact)
            if outcome[0] != "findings" or outcome[1]:
                failing.add(control)
    assert failing == set(PAIRS)
