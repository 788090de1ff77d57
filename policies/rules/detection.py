"""Detection (issue 14): identity logs in the workspace, detections that reach a person.

Which detections a stack must hold is derived from the plan and the settings, not from the
program's own list: identity detections where the stack owns the Entra ID tenant's export,
activity-log detections where it owns the subscription's, AKS audit detections where the
plan has AKS clusters, the Key Vault one where it has vaults, the Flux one where it has
Flux configurations. Rules and Sentinel analytics are matched to detections by the
`platform-detection` tag and the stable Sentinel rule ID of components/detection/catalog.py.

Everything is decided at preview: tags, flags, queries and the receivers of an action
group are inputs; which workspace a rule reads and which action group it notifies are
outputs then, so they are judged through the property dependencies the engine hands stack
policies (the rule's `scopes` computed from a workspace, its `actions` from an action group).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from components.detection.catalog import BY_ID, Detection

from ..settings import PolicySettings
from .base import stack_rule
from .governance import WORKSPACE, workspace_destination
from .ordering import CreationOrder
from .props import dig, is_true, items, text
from .view import StackView

ENTRA_SETTING = "azure-native:aadiam:DiagnosticSetting"
ALERT_RULE = "azure-native:monitor:ScheduledQueryRule"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ANALYTICS_RULE = "azure-native:securityinsights:ScheduledAlertRule"
SENTINEL = "azure-native:securityinsights:SentinelOnboardingState"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
VAULT = "azure-native:keyvault:Vault"
FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration"
DETECTION_TAG = "platform-detection"

# The Entra ID categories the guidance and the identity detections need.
REQUIRED_ENTRA_CATEGORIES = (
    "SignInLogs",
    "AuditLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
)

Findings = Iterator[tuple[str, str | None]]


# ---- DET-LOG-01


def entra_logs_to_workspace(view: StackView, settings: PolicySettings) -> Findings:
    if not view.is_azure_plan:
        return
    exports = view.of_type(ENTRA_SETTING)
    if not settings.owns_tenant_resources:
        for export in exports:
            yield (
                "this stack does not own the Entra ID tenant (governance.ownsTenantResources "
                "false) but declares its diagnostic setting: the tenant's logs would be "
                "exported twice",
                export.urn,
            )
        return
    for export in exports:
        enabled = _enabled_categories(view, export)
        missing = [c for c in REQUIRED_ENTRA_CATEGORIES if c not in enabled]
        if workspace_destination(view, export) and not missing:
            return
    urn = exports[0].urn if exports else None
    detail = ", ".join(REQUIRED_ENTRA_CATEGORIES)
    yield f"the Entra ID sign-in and audit logs ({detail}) are not sent to the workspace", urn


def _enabled_categories(view: StackView, export: PolicyResource) -> set[str]:
    return {
        text(dig(log, "category"))
        for log in items(view.value(export, "logs"))
        if is_true(dig(log, "enabled"))
    }


# ---- which detections a stack must hold


def required_detections(view: StackView, settings: PolicySettings) -> list[Detection]:
    """The detections whose data reaches this stack's workspace (see the module doc)."""
    if not view.of_type(WORKSPACE):
        return []
    wanted: list[str] = []
    if settings.owns_tenant_resources:
        wanted.append("disabled-account-sign-in")
        if settings.break_glass_accounts:
            wanted.append("break-glass-sign-in")
    if settings.owns_subscription_resources:
        wanted += ["role-assignment-change", "cluster-admin-credential"]
    clusters = view.of_type(MANAGED_CLUSTER)
    if clusters:
        wanted += ["pod-exec", "privileged-pod"]
        if any(_admin_groups(view, cluster) for cluster in clusters):
            wanted.append("cluster-admin-activity")
    if view.of_type(VAULT):
        wanted.append("key-vault-access-denied")
    if view.of_type(FLUX_CONFIGURATION):
        wanted.append("flux-reconciliation-failure")
    return [BY_ID[detection] for detection in wanted]


def _admin_groups(view: StackView, cluster: PolicyResource) -> list[Any]:
    try:
        return list(items(view.value(cluster, "aadProfile", "adminGroupObjectIDs")))
    except UnknownValueError:
        return []


def _rules_by_detection(view: StackView, resource_type: str) -> dict[str, list[PolicyResource]]:
    found: dict[str, list[PolicyResource]] = {}
    for rule in view.of_type(resource_type):
        if resource_type == ALERT_RULE:
            key = view.known_text(rule, "tags", DETECTION_TAG)
        else:
            rule_id = view.known_text(rule, "ruleId")
            key = next((d.id for d in BY_ID.values() if d.sentinel_rule_id == rule_id), "")
        if key:
            found.setdefault(key, []).append(rule)
    return found


# ---- DET-ALR-01


def detection_alert_rules(view: StackView, settings: PolicySettings) -> Findings:
    rules = _rules_by_detection(view, ALERT_RULE)
    for detection in required_detections(view, settings):
        candidates = rules.get(detection.id, [])
        if not candidates:
            yield f"no alert rule for the detection '{detection.id}' ({detection.title})", None
            continue
        for rule in candidates:
            problem = _alert_rule_problem(view, rule, detection)
            if problem:
                yield f"alert rule for '{detection.id}' {problem}", rule.urn


def _alert_rule_problem(view: StackView, rule: PolicyResource, detection: Detection) -> str:
    if not is_true(view.value(rule, "enabled")):
        return "is disabled"
    if not _reads_workspace(view, rule):
        return "does not run on the Log Analytics workspace"
    query = _query(view, rule, ("criteria", "allOf", 0, "query"))
    missing = [table for table in detection.tables if query is not None and table not in query]
    if query is not None and (not query.strip() or missing):
        return f"does not query {', '.join(missing or detection.tables)}"
    return ""


def _reads_workspace(view: StackView, rule: PolicyResource) -> bool:
    try:
        scopes = [text(scope).lower() for scope in items(view.value(rule, "scopes"))]
    except UnknownValueError:
        return view.derived_from(rule, "scopes", WORKSPACE)
    return bool(scopes) and all("/microsoft.operationalinsights/workspaces/" in s for s in scopes)


def _query(view: StackView, rule: PolicyResource, path: tuple[str | int, ...]) -> str | None:
    try:
        return text(view.value(rule, *path))
    except UnknownValueError:
        return None


# ---- DET-ALR-02


def detections_page(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.is_production:
        return
    groups = _ActionGroups(view)
    rules = _rules_by_detection(view, ALERT_RULE)
    for detection in required_detections(view, settings):
        for rule in rules.get(detection.id, []):
            notified = groups.notified_by(rule)
            if notified is None:
                yield (
                    f"alert rule for '{detection.id}' notifies no action group: in production "
                    "an alert must reach someone",
                    rule.urn,
                )
            elif not groups.reach_someone(notified):
                yield (
                    f"alert rule for '{detection.id}' notifies an action group that is "
                    "disabled or has no e-mail or webhook receiver",
                    rule.urn,
                )


# What an alert rule notifies: (key, the plan's action groups behind it); key None for a
# group outside the plan, named by its ARM ID.
Notified = list[tuple[str | None, list[PolicyResource]]]


class _ActionGroups:
    """The plan's action groups, looked up by name or link once per rule, and judged once
    per name: a plan of many copies naming the same group costs no scan per rule."""

    def __init__(self, view: StackView) -> None:
        self._view = view
        self._by_urn = {g.urn: g for g in view.of_type(ACTION_GROUP)}
        self._rank = {urn: place for place, urn in enumerate(self._by_urn)}
        self._by_name = view.keyed(_group_name, ACTION_GROUP)
        self._reaches: dict[str, bool] = {}

    def notified_by(self, rule: PolicyResource) -> Notified | None:
        """The groups the rule names; None when it names none at all."""
        view = self._view
        try:
            ids = [text(i).lower() for i in items(view.value(rule, "actions", "actionGroups"))]
        except UnknownValueError:
            # Unknown at preview: the groups the rule's actions were computed from.
            sources = [u for u in view.sources(rule, "actions") if u in self._by_urn]
            linked: Notified = [
                (u, [self._by_urn[u]]) for u in sorted(sources, key=self._rank.__getitem__)
            ]
            return linked or None
        if not ids:
            return None
        named: Notified = []
        for arm_id in ids:
            _, marker, name = arm_id.rpartition("/actiongroups/")
            if marker and name in self._by_name:
                named.append((f"name:{name}", self._by_name[name]))
        # A group outside this stack cannot be judged here: accept it only when it is one.
        if not named and all("/microsoft.insights/actiongroups/" in i for i in ids):
            return [(None, [])]
        return named or None

    def reach_someone(self, notified: Notified) -> bool:
        for key, groups in notified:
            if key is None:
                return True  # an existing group named by ID (outside the plan)
            if key not in self._reaches:
                self._reaches[key] = any(_group_reaches_someone(self._view, g) for g in groups)
            if self._reaches[key]:
                return True
        return False


def _group_name(view: StackView, group: PolicyResource) -> str | None:
    return view.known_text(group, "actionGroupName").lower() or None


def _group_reaches_someone(view: StackView, group: PolicyResource) -> bool:
    if not is_true(view.value(group, "enabled", default=True)):
        return False
    return bool(
        list(items(view.value(group, "emailReceivers")))
        or list(items(view.value(group, "webhookReceivers")))
    )


# ---- DET-SEN-01


def sentinel_analytics(view: StackView, settings: PolicySettings) -> Findings:
    if not (settings.sentinel_required or view.of_type(SENTINEL)):
        return
    rules = _rules_by_detection(view, ANALYTICS_RULE)
    for detection in required_detections(view, settings):
        candidates = rules.get(detection.id, [])
        if not candidates:
            yield (
                f"no Sentinel analytics rule for the detection '{detection.id}' "
                f"({detection.title})",
                None,
            )
            continue
        for rule in candidates:
            problem = _analytics_problem(view, rule, detection)
            if problem:
                yield f"Sentinel analytics rule for '{detection.id}' {problem}", rule.urn


def _analytics_problem(view: StackView, rule: PolicyResource, detection: Detection) -> str:
    if not is_true(view.value(rule, "enabled")):
        return "is disabled"
    if not is_true(dig(view.value(rule, "incidentConfiguration") or {}, "createIncident")):
        return "creates no incident"
    if not list(items(view.value(rule, "tactics"))):
        return "names no MITRE ATT&CK tactic"
    if not list(items(view.value(rule, "entityMappings"))):
        return "maps no entity"
    query = _query(view, rule, ("query",))
    missing = [table for table in detection.tables if query is not None and table not in query]
    if missing:
        return f"does not query {', '.join(missing)}"
    return ""


# ---- HAZ-SEN-01


def _sentinel_group(view: StackView, resource: PolicyResource) -> str:
    return view.known_text(resource, "resourceGroupName").lower()


class _OnboardingOf:
    """Matches the Sentinel onboarding of a workspace ("" for a name not known)."""

    def __init__(self, view: StackView, group: str, workspace: str) -> None:
        self._view, self._group, self._workspace = view, group, workspace

    def __call__(self, resource: PolicyResource) -> bool:
        if resource.resource_type != SENTINEL:
            return False
        if not self._workspace:
            return not self._group or _sentinel_group(self._view, resource) == self._group
        return _sentinel_group(self._view, resource) in ("", self._group) and (
            self._view.known_text(resource, "workspaceName") in ("", self._workspace)
        )


def sentinel_rules_after_onboarding(view: StackView, _: PolicySettings) -> Findings:
    rules = view.of_type(ANALYTICS_RULE)
    if not rules:
        return
    order = CreationOrder(view.resources)
    for rule in rules:
        # The onboarding of the rule's workspace (both live in the workspace's resource
        # group); a name unknown at preview widens the match to the group, or to any.
        group = _sentinel_group(view, rule)
        workspace = view.known_text(rule, "workspaceName")
        key = (group, workspace)
        if not order.after_any(rule, key, _OnboardingOf(view, group, workspace)):
            yield (
                f"{rule.name} is not created after the Sentinel onboarding of its workspace: "
                "analytics rules exist only on a workspace where Sentinel is enabled (make it "
                "depend on the SentinelOnboardingState)",
                rule.urn,
            )


RULES = [
    stack_rule("DET-LOG-01", entra_logs_to_workspace),
    stack_rule("DET-ALR-01", detection_alert_rules),
    stack_rule("DET-ALR-02", detections_page),
    stack_rule("DET-SEN-01", sentinel_analytics),
    stack_rule("HAZ-SEN-01", sentinel_rules_after_onboarding),
]
