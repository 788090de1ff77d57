"""The platform's detections: what each looks for, in which table, and how it is scheduled.

Pure data and string building, no Pulumi: the program turns each detection into a log
search alert rule (and, where Sentinel is on, a Sentinel analytics rule); the policy pack
requires them by `id`; tests/detection/test_queries.py parses every query with Microsoft's
Kusto language service against the published schema of the tables it reads.

Tables, and the diagnostic setting that fills each (the platform's own settings):

- SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs: the Entra ID
  categories SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs of the
  tenant's `microsoft.aadiam` diagnostic setting (identity_logs.py); category -> table per
  the Microsoft Sentinel data connectors reference (MicrosoftDocs/azure-docs
  articles/sentinel/data-connectors-reference.md, "Azure Active Directory").
- AzureActivity: the subscription activity log (components/governance/activity_log.py).
- AKSAuditAdmin: the kube-audit-admin category of every AKS cluster's diagnostic setting,
  sent with logAnalyticsDestinationType Dedicated (components/monitoring.py), which writes
  resource-specific tables ("Supported logs for Microsoft.ContainerService/managedClusters":
  kube-audit-admin -> AKSAuditAdmin; MicrosoftDocs/azure-reference-other
  azure-monitor-ref/supported-logs/includes/microsoft-containerservice-managedclusters-logs-
  include.md @ bea53845).
- AZKVAuditLogs: the AuditEvent category of every vault's setting (allLogs, Dedicated):
  "AuditEvent -> AZKVAuditLogs" (same reference, microsoft-keyvault-vaults-logs-include.md).
- KubeEvents: Container Insights' Microsoft-ContainerInsights-Group-Default stream, which
  includes Microsoft-KubeEvents (MicrosoftDocs/azure-monitor-docs articles/azure-monitor/
  containers/includes/data-collection-rule-streams.md).

Schedules. Every query keeps only records *ingested* since the previous run
(`ingestion_time() > ago(<frequency>)`) and looks back over a longer window: a record that
arrives late is still seen once, and never twice. This is Microsoft's own remedy for
ingestion delay in scheduled rules (learn.microsoft.com/azure/sentinel/ingestion-delay,
MicrosoftDocs/azure-docs articles/sentinel/ingestion-delay.md); the window covers the
documented latency of the slowest source, Entra ID sign-in logs (typically minutes, up to
a couple of hours: learn.microsoft.com/entra/identity/monitoring-health/
reference-reports-latencies).

Severity: Azure Monitor's 0 (Critical) .. 4 (Verbose) for the alert rule, Sentinel's
High/Medium/Low/Informational for the analytics rule; each detection says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

# Where a detection's data comes from, which decides the stack that holds it:
# identity: the tenant's Entra ID logs (only the stack that owns the tenant's diagnostic
#   setting has them); activity: the subscription activity log (the stack that owns the
#   subscription); aks: the AKS audit log (stacks with AKS clusters); keyvault: vault audit
#   logs (every stack: the platform vault); flux: Container Insights events (every cluster).
Source = Literal["identity", "activity", "aks", "keyvault", "flux"]

# Azure Monitor alert severities (Microsoft.Insights scheduledQueryRules: 0 Critical,
# 1 Error, 2 Warning, 3 Informational, 4 Verbose).
CRITICAL, ERROR, WARNING = 0, 1, 2
_RULE_ID_NAMESPACE = uuid.UUID("0b0b4a57-8f55-4f5c-9d3e-4a6c2b1d9e10")
SentinelSeverity = Literal["High", "Medium", "Low", "Informational"]

# Flux's custom resources whose controllers report reconciliation failures as Warning
# events (fluxcd/flux2: kustomize-controller, helm-controller, source-controller).
FLUX_KINDS = (
    "Kustomization",
    "HelmRelease",
    "GitRepository",
    "OCIRepository",
    "HelmRepository",
    "HelmChart",
    "Bucket",
)


@dataclass(frozen=True)
class QueryInputs:
    """What the queries take from the stack's config (one source of truth)."""

    # Entra object IDs of the emergency-access accounts (detection.breakGlassAccounts).
    break_glass_accounts: tuple[str, ...] = ()
    # Entra groups bound to cluster-admin on the AKS clusters (clusters[].adminGroupObjectIds).
    cluster_admin_groups: tuple[str, ...] = ()
    # Namespaces where Azure Policy lets privileged pods run (governance.policy.
    # excludedNamespaces); a privileged pod anywhere else is a denied attempt or a bypass.
    privileged_namespaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntityMapping:
    """A Sentinel entity: its type and (identifier, result column) pairs."""

    entity_type: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Detection:
    id: str
    title: str
    # What it looks for, in one sentence (the README table).
    looks_for: str
    source: Source
    tables: tuple[str, ...]
    severity: int
    sentinel_severity: SentinelSeverity
    # ISO 8601 durations: how often the rule runs and how far back it reads.
    frequency: str
    window: str
    # Why this severity and schedule (shown in the README, kept next to the numbers).
    rationale: str
    tactics: tuple[str, ...]
    techniques: tuple[str, ...]
    entities: tuple[EntityMapping, ...]
    build: Callable[[QueryInputs, str], str] = field(repr=False)
    # The detection needs config to mean anything (e.g. break-glass accounts listed).
    needs: Callable[[QueryInputs], bool] = field(default=lambda _: True, repr=False)

    def query(self, inputs: QueryInputs) -> str:
        return self.build(inputs, self.frequency_kql)

    @property
    def sentinel_rule_id(self) -> str:
        """A stable Sentinel alert rule ID (Sentinel's own rules are GUIDs)."""
        return str(uuid.uuid5(_RULE_ID_NAMESPACE, self.id))

    @property
    def frequency_kql(self) -> str:
        return iso_to_kql(self.frequency)


def iso_to_kql(duration: str) -> str:
    """PT15M -> 15m, PT1H -> 1h (the KQL timespan literal of an ISO 8601 duration)."""
    if not duration.startswith("PT") or duration[-1] not in "HM" or not duration[2:-1].isdigit():
        raise ValueError(f"unsupported duration {duration}")
    return f"{duration[2:-1]}{duration[-1].lower()}"


def kql_list(values: Sequence[str]) -> str:
    """A KQL dynamic array literal of strings (values are GUIDs and DNS labels)."""
    for value in values:
        if not value.replace("-", "").isalnum():
            raise ValueError(f"refusing to put {value!r} into a query")
    return "dynamic([" + ", ".join(f'"{value}"' for value in values) + "])"


def _fresh(table: str, frequency: str) -> str:
    return f"{table}\n    | where ingestion_time() > ago({frequency})"


# ---- identity (Entra ID sign-in logs)

# AADSTS50057 UserDisabled, AADSTS50034 UserAccountNotFound (deleted, or never existed:
# "This error can occur because the user mis-typed their username"), AADSTS7000112
# UnauthorizedClientApplicationDisabled (MicrosoftDocs/entra-docs
# docs/identity-platform/reference-error-codes.md). A mistyped name is one attempt;
# repeated attempts on a name that does not exist are someone using a deleted account.
DISABLED_USER, UNKNOWN_USER, DISABLED_APPLICATION = "50057", "50034", "7000112"
UNKNOWN_USER_ATTEMPTS = 5


def _user_sign_ins(frequency: str, condition: str) -> str:
    columns = "TimeGenerated, UserPrincipalName, UserId, IPAddress, AppDisplayName, ResultType"
    return (
        "union\n"
        f"    ({_fresh('SigninLogs', frequency)}\n"
        f"    | where {condition}\n"
        f'    | project {columns}, SignInKind = "interactive"),\n'
        f"    ({_fresh('AADNonInteractiveUserSignInLogs', frequency)}\n"
        f"    | where {condition}\n"
        f'    | project {columns}, SignInKind = "non-interactive")'
    )


_SIGN_IN_SUMMARY = (
    "| summarize Attempts = count(), FirstSeen = min(TimeGenerated),\n"
    "    LastSeen = max(TimeGenerated), IPAddresses = make_set(IPAddress, 20),\n"
    "    Apps = make_set(AppDisplayName, 20)\n"
    "    by UserPrincipalName, UserId, ResultType, SignInKind\n"
    "| extend IPAddress = tostring(IPAddresses[0])"
)


def _disabled_account_query(_: QueryInputs, frequency: str) -> str:
    users = _user_sign_ins(frequency, f'ResultType in ("{DISABLED_USER}", "{UNKNOWN_USER}")')
    applications = (
        f"    ({_fresh('AADServicePrincipalSignInLogs', frequency)}\n"
        f'    | where ResultType == "{DISABLED_APPLICATION}"\n'
        "    | project TimeGenerated, UserPrincipalName = ServicePrincipalName,\n"
        "        UserId = ServicePrincipalId, IPAddress, AppDisplayName = ResourceDisplayName,\n"
        '        ResultType, SignInKind = "service principal")'
    )
    return (
        f"{users},\n{applications}\n{_SIGN_IN_SUMMARY}\n"
        f'| where ResultType != "{UNKNOWN_USER}" or Attempts >= {UNKNOWN_USER_ATTEMPTS}'
    )


def _break_glass_query(inputs: QueryInputs, frequency: str) -> str:
    accounts = kql_list(inputs.break_glass_accounts)
    return (
        f"let emergencyAccounts = {accounts};\n"
        f"{_user_sign_ins(frequency, 'UserId in (emergencyAccounts)')}\n{_SIGN_IN_SUMMARY}"
    )


# ---- activity (subscription activity log)

# Operation names from the Azure resource provider operations reference
# (learn.microsoft.com/azure/role-based-access-control/permissions/identity "Microsoft.
# Authorization" and .../permissions/containers "Microsoft.ContainerService").
ROLE_ASSIGNMENT_OPERATIONS = (
    "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
    "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE",
)
ADMIN_CREDENTIAL_OPERATION = (
    "MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/LISTCLUSTERADMINCREDENTIAL/ACTION"
)


def _role_assignment_query(_: QueryInputs, frequency: str) -> str:
    operations = ", ".join(f'"{o}"' for o in ROLE_ASSIGNMENT_OPERATIONS)
    return (
        f"{_fresh('AzureActivity', frequency)}\n"
        f"| where OperationNameValue in~ ({operations})\n"
        '| where ActivityStatusValue in~ ("Success", "Succeeded")\n'
        "| project TimeGenerated, Caller, CallerIpAddress, OperationNameValue,\n"
        "    Scope = _ResourceId, ResourceGroup, CorrelationId"
    )


def _admin_credential_query(_: QueryInputs, frequency: str) -> str:
    return (
        f"{_fresh('AzureActivity', frequency)}\n"
        f'| where OperationNameValue =~ "{ADMIN_CREDENTIAL_OPERATION}"\n'
        "| project TimeGenerated, Caller, CallerIpAddress, ClusterId = _ResourceId,\n"
        "    ActivityStatusValue, CorrelationId"
    )


# ---- aks (kube-audit-admin in AKSAuditAdmin)


def _cluster_admin_query(inputs: QueryInputs, frequency: str) -> str:
    groups = kql_list(inputs.cluster_admin_groups)
    return (
        f"let clusterAdminGroups = {groups};\n"
        f"{_fresh('AKSAuditAdmin', frequency)}\n"
        "| where array_length(set_intersect(User.groups, clusterAdminGroups)) > 0\n"
        "| summarize Requests = count(), Verbs = make_set(Verb, 20),\n"
        "    Resources = make_set(tostring(ObjectRef.resource), 20),\n"
        "    FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated)\n"
        "    by UserName = tostring(User.username), ClusterId = _ResourceId"
    )


def _exec_query(_: QueryInputs, frequency: str) -> str:
    return (
        f"{_fresh('AKSAuditAdmin', frequency)}\n"
        '| where tostring(ObjectRef.resource) == "pods"\n'
        '| where tostring(ObjectRef.subresource) in ("exec", "attach")\n'
        "| summarize Sessions = count(), FirstSeen = min(TimeGenerated),\n"
        "    LastSeen = max(TimeGenerated), Codes = make_set(toint(ResponseStatus.code), 5)\n"
        "    by UserName = tostring(User.username), Namespace = tostring(ObjectRef.namespace),\n"
        "    Pod = tostring(ObjectRef.name), Subresource = tostring(ObjectRef.subresource),\n"
        "    ClusterId = _ResourceId"
    )


def _privileged_pod_query(inputs: QueryInputs, frequency: str) -> str:
    allowed = kql_list(inputs.privileged_namespaces)
    return (
        f"let privilegedNamespaces = {allowed};\n"
        f"{_fresh('AKSAuditAdmin', frequency)}\n"
        '| where Verb == "create" and tostring(ObjectRef.resource) == "pods"\n'
        "| where isempty(tostring(ObjectRef.subresource))\n"
        "| extend Namespace = tostring(ObjectRef.namespace), Spec = RequestObject.spec\n"
        "| where Namespace !in (privilegedNamespaces)\n"
        "| extend Privileged = tostring(Spec) contains '\"privileged\":true',\n"
        "    HostNamespaces = tobool(Spec.hostPID) or tobool(Spec.hostIPC)\n"
        "        or tobool(Spec.hostNetwork)\n"
        "| where Privileged or HostNamespaces\n"
        "| project TimeGenerated, UserName = tostring(User.username), Namespace,\n"
        "    Pod = tostring(RequestObject.metadata.name), Privileged, HostNamespaces,\n"
        "    ResponseCode = toint(ResponseStatus.code), ClusterId = _ResourceId"
    )


# ---- keyvault (AZKVAuditLogs)

# 403 Forbidden is an access decision (RBAC or firewall) against an authenticated caller.
# 401 is not counted: "the first request of a client is a 401 Unauthenticated as part of
# the authentication challenge" (learn.microsoft.com/azure/key-vault/general/
# rest-error-codes, "HTTP 401").
KEY_VAULT_DENIED_BURST = 10
# The Entra object ID claim of the caller, as Key Vault logs it (learn.microsoft.com/azure/
# key-vault/general/logging, "Interpret your Key Vault logs": identity.claim).
_OID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier"


def _key_vault_query(_: QueryInputs, frequency: str) -> str:
    return (
        f"{_fresh('AZKVAuditLogs', frequency)}\n"
        "| where HttpStatusCode == 403\n"
        "| summarize Denied = count(), Operations = make_set(OperationName, 20),\n"
        "    FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated)\n"
        f'    by CallerIpAddress, CallerObjectId = tostring(Identity.claim["{_OID_CLAIM}"]),\n'
        "    CallerAppId = tostring(Identity.claim.appid), VaultId = _ResourceId\n"
        f"| where Denied >= {KEY_VAULT_DENIED_BURST}"
    )


# ---- flux (KubeEvents from Container Insights)


def _flux_query(_: QueryInputs, frequency: str) -> str:
    kinds = ", ".join(f'"{kind}"' for kind in FLUX_KINDS)
    return (
        f"{_fresh('KubeEvents', frequency)}\n"
        '| where KubeEventType == "Warning"\n'
        f"| where ObjectKind in ({kinds})\n"
        "| summarize Events = count(), Reasons = make_set(Reason, 10),\n"
        "    Messages = make_set(Message, 5), LastSeen = max(LastSeen)\n"
        "    by ClusterName, Namespace, ObjectKind, Name, ClusterId = _ResourceId"
    )


_ACCOUNT_BY_UPN = EntityMapping(
    "Account", (("FullName", "UserPrincipalName"), ("AadUserId", "UserId"))
)
_SIGN_IN_IP = EntityMapping("IP", (("Address", "IPAddress"),))
_KUBE_USER = EntityMapping("Account", (("Name", "UserName"),))
_CLUSTER = EntityMapping("AzureResource", (("ResourceId", "ClusterId"),))
_CALLER = EntityMapping("Account", (("FullName", "Caller"),))
_CALLER_IP = EntityMapping("IP", (("Address", "CallerIpAddress"),))

DETECTIONS: tuple[Detection, ...] = (
    Detection(
        id="disabled-account-sign-in",
        title="Sign-in attempt by a disabled or deleted account",
        looks_for="Entra ID sign-ins (interactive, non-interactive, service principal) refused "
        "because the account is disabled (50057, 7000112) or no longer exists (50034, five or "
        "more attempts, so a typo is not an alert).",
        source="identity",
        tables=("SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs"),
        severity=ERROR,
        sentinel_severity="Medium",
        frequency="PT15M",
        window="PT2H",
        rationale="Error, not critical: the sign-in was refused, but someone holds the "
        "credentials of an account that should be dead. Every 15 minutes over 2 hours: "
        "sign-in logs can arrive late.",
        tactics=("InitialAccess", "CredentialAccess"),
        techniques=("T1078", "T1110"),
        entities=(_ACCOUNT_BY_UPN, _SIGN_IN_IP),
        build=_disabled_account_query,
    ),
    Detection(
        id="break-glass-sign-in",
        title="Emergency-access (break-glass) account signed in",
        looks_for="Any sign-in, successful or not, by an account listed in "
        "detection.breakGlassAccounts.",
        source="identity",
        tables=("SigninLogs", "AADNonInteractiveUserSignInLogs"),
        severity=CRITICAL,
        sentinel_severity="High",
        frequency="PT5M",
        window="PT2H",
        rationale="Critical: Microsoft Entra's guidance is that every use of an "
        "emergency-access account alerts at once; the shortest schedule of the set.",
        tactics=("InitialAccess", "PrivilegeEscalation"),
        techniques=("T1078",),
        entities=(_ACCOUNT_BY_UPN, _SIGN_IN_IP),
        build=_break_glass_query,
        needs=lambda inputs: bool(inputs.break_glass_accounts),
    ),
    Detection(
        id="cluster-admin-activity",
        title="Cluster-admin group member changed the cluster",
        looks_for="Kubernetes API writes (kube-audit-admin) by members of a cluster's Entra "
        "admin groups (clusters[].adminGroupObjectIds), who are bound to cluster-admin.",
        source="aks",
        tables=("AKSAuditAdmin",),
        severity=WARNING,
        sentinel_severity="Medium",
        frequency="PT15M",
        window="PT1H",
        rationale="Warning: admins do change clusters, but with GitOps every change should "
        "come from Flux; a hand edit is worth a look within the hour.",
        tactics=("PrivilegeEscalation", "Persistence"),
        techniques=("T1078",),
        entities=(_KUBE_USER, _CLUSTER),
        build=_cluster_admin_query,
        needs=lambda inputs: bool(inputs.cluster_admin_groups),
    ),
    Detection(
        id="cluster-admin-credential",
        title="Cluster admin credentials requested",
        looks_for="Calls to listClusterAdminCredential on a managed cluster (the admin "
        "kubeconfig), successful or refused.",
        source="activity",
        tables=("AzureActivity",),
        severity=ERROR,
        sentinel_severity="High",
        frequency="PT15M",
        window="PT1H",
        rationale="Error: local accounts are disabled, so nobody has a reason to ask for "
        "the admin kubeconfig; a request is a probe or a break-glass procedure.",
        tactics=("CredentialAccess",),
        techniques=("T1552",),
        entities=(_CALLER, _CALLER_IP, _CLUSTER),
        build=_admin_credential_query,
    ),
    Detection(
        id="role-assignment-change",
        title="Role assignment created or deleted",
        looks_for="Successful writes and deletes of Azure role assignments in the "
        "subscription: the clusters' Azure RBAC and the platform's own assignments.",
        source="activity",
        tables=("AzureActivity",),
        severity=WARNING,
        sentinel_severity="Medium",
        frequency="PT15M",
        window="PT1H",
        rationale="Warning: deployments change role assignments too; the alert names the "
        "caller so a reviewer can match it to a pipeline run.",
        tactics=("Persistence", "PrivilegeEscalation"),
        techniques=("T1098",),
        entities=(_CALLER, _CALLER_IP, EntityMapping("AzureResource", (("ResourceId", "Scope"),))),
        build=_role_assignment_query,
    ),
    Detection(
        id="pod-exec",
        title="kubectl exec or attach into a pod",
        looks_for="Kubernetes audit records (kube-audit-admin) of the pods/exec and "
        "pods/attach subresources.",
        source="aks",
        tables=("AKSAuditAdmin",),
        severity=ERROR,
        sentinel_severity="Medium",
        frequency="PT5M",
        window="PT1H",
        rationale="Error: an interactive shell in a workload bypasses every GitOps control; "
        "checked every 5 minutes so the session may still be open.",
        tactics=("Execution",),
        techniques=("T1609",),
        entities=(_KUBE_USER, _CLUSTER),
        build=_exec_query,
    ),
    Detection(
        id="privileged-pod",
        title="Privileged or host-namespace pod requested",
        looks_for="Pod creations (allowed or denied) with a privileged container or host "
        "PID/IPC/network, outside the namespaces where Azure Policy allows them.",
        source="aks",
        tables=("AKSAuditAdmin",),
        severity=ERROR,
        sentinel_severity="High",
        frequency="PT5M",
        window="PT1H",
        rationale="Error: Azure Policy denies these pods, so a request is an attempt to "
        "escape to the node (or a bypass when the response code is 201).",
        tactics=("PrivilegeEscalation", "Execution"),
        techniques=("T1610", "T1611"),
        entities=(_KUBE_USER, _CLUSTER),
        build=_privileged_pod_query,
    ),
    Detection(
        id="key-vault-access-denied",
        title="Burst of Key Vault access denials",
        looks_for=f"{KEY_VAULT_DENIED_BURST} or more 403 Forbidden answers to one caller "
        "(identity and IP) from one vault within 15 minutes.",
        source="keyvault",
        tables=("AZKVAuditLogs",),
        severity=WARNING,
        sentinel_severity="Medium",
        frequency="PT15M",
        window="PT1H",
        rationale="Warning: one denial is usually a misconfiguration; a burst is an "
        "identity probing secrets it may not read, or a workload whose role was removed.",
        tactics=("CredentialAccess", "Discovery"),
        techniques=("T1555",),
        entities=(
            EntityMapping("Account", (("AadUserId", "CallerObjectId"),)),
            _CALLER_IP,
            EntityMapping("AzureResource", (("ResourceId", "VaultId"),)),
        ),
        build=_key_vault_query,
    ),
    Detection(
        id="flux-reconciliation-failure",
        title="Flux reconciliation failing",
        looks_for="Warning events of Flux objects (Kustomization, HelmRelease and their "
        "sources) collected by Container Insights.",
        source="flux",
        tables=("KubeEvents",),
        severity=WARNING,
        sentinel_severity="Low",
        frequency="PT15M",
        window="PT1H",
        rationale="Warning: while reconciliation fails, the security baseline in gitops/ "
        "(network policies, namespaces) is not being applied; Flux retries, so 15 minutes.",
        tactics=("DefenseEvasion",),
        techniques=("T1562",),
        entities=(_CLUSTER,),
        build=_flux_query,
    ),
)

BY_ID = {detection.id: detection for detection in DETECTIONS}


def required(sources: set[Source] | frozenset[Source], inputs: QueryInputs) -> list[Detection]:
    """The detections a stack holds: those whose data reaches its workspace."""
    return [d for d in DETECTIONS if d.source in sources and d.needs(inputs)]


README_START = "<!-- detections:start -->"
README_END = "<!-- detections:end -->"


def markdown_table() -> str:
    """The README's detection table (tests/detection/test_readme_detections.py keeps it so)."""
    lines = [
        "| detection | looks for | table(s) | severity (Azure Monitor / Sentinel) | "
        "every / looks back | why | ATT&CK |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {CRITICAL: "0 Critical", ERROR: "1 Error", WARNING: "2 Warning"}
    for d in DETECTIONS:
        tactics = ", ".join(d.tactics) + " (" + ", ".join(d.techniques) + ")"
        lines.append(
            f"| `{d.id}` | {d.looks_for} | {', '.join(d.tables)} | "
            f"{names[d.severity]} / {d.sentinel_severity} | "
            f"{iso_to_kql(d.frequency)} / {iso_to_kql(d.window)} | {d.rationale} | {tactics} |"
        )
    return "\n".join(lines)
