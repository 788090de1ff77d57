"""The Detection component: Entra ID logs in, alert rules and Sentinel analytics out.

- Entra ID diagnostic setting (tenant scope, `microsoft.aadiam/diagnosticSettings`, API
  2017-04-01 as pulumi-azure-native 3.29 sends it): sign-in and audit logs to this stack's
  workspace, declared only by the stack that owns the tenant (governance.
  ownsTenantResources; `bootstrap plan` checks there is exactly one per tenant). Creating
  it needs at least the Security Administrator role in Microsoft Entra ID (MicrosoftDocs/
  entra-docs docs/identity/monitoring-health/howto-integrate-activity-logs-with-azure-
  monitor-logs.yml, prerequisites); `bootstrap doctor` says so.
- Action group (production, or detection.paging true): e-mail receivers and webhooks
  whose URL is read from Key Vault (webhooks.py).
- One log search alert rule (`Microsoft.Insights/scheduledQueryRules`, kind LogAlert) per
  detection of catalog.py that this stack's workspace has data for, notifying the action
  group when the stack pages; elsewhere the rules fire into Azure Monitor's alert list only.
- Where Sentinel is on, the same detections as Sentinel scheduled analytics rules, with
  entity mappings and MITRE ATT&CK tactics, creating incidents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import aadiam, monitor, operationalinsights, securityinsights

from components.common import Placement

from .catalog import Detection, Source
from .stack import query_inputs, stack_detections
from .webhooks import WebhookUrl

# The Entra ID log categories sent to the workspace. The first four are what the guidance
# and the Sentinel detections need; managed-identity sign-ins show what the platform's own
# identities do. Category names: Microsoft Entra diagnostic settings (MicrosoftDocs/
# entra-docs docs/identity/monitoring-health/concept-log-monitoring-integration-options-
# considerations.md; the Sentinel data connectors reference lists the table of each).
ENTRA_LOG_CATEGORIES = (
    "SignInLogs",
    "AuditLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
)
# Action groups are a global resource (learn.microsoft.com/azure/azure-monitor/alerts/
# action-groups: "Action groups are global"); the short name is at most 12 characters.
ACTION_GROUP_LOCATION = "global"
# The tag that names the detection a rule implements (read by the pack, DET-ALR-01).
DETECTION_TAG = "platform-detection"
# Sentinel: one incident per alert, alerts grouped per result row (AlertPerResult) so each
# account or cluster gets its own alert; suppression off, the queries already avoid repeats.
SENTINEL_SUPPRESSION = "PT5H"


@dataclass(frozen=True)
class DetectionArgs:
    placement: Placement
    workspace: operationalinsights.Workspace
    # Sentinel onboarding of the workspace (None where Sentinel is off).
    sentinel: pulumi.Resource | None
    # The platform vault: holds the webhook URLs; reads wait for its private endpoint.
    vault_name: pulumi.Input[str]
    vault_access: Sequence[pulumi.Resource] = ()
    # What fills each source's tables (diagnostic settings, clusters): Sentinel validates a
    # rule's query when it is created, so its rules come after them.
    feeds: Mapping[Source, Sequence[pulumi.Resource]] = field(default_factory=dict)


class Detections(pulumi.ComponentResource):
    def __init__(self, name: str, args: DetectionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:detection:Detections", name, None, opts)
        placement = args.placement
        config = placement.config
        feeds: dict[Source, list[pulumi.Resource]] = {k: list(v) for k, v in args.feeds.items()}

        self.identity_logs: aadiam.DiagnosticSetting | None = None
        if config.governance.owns_tenant_resources:
            self.identity_logs = aadiam.DiagnosticSetting(
                f"{name}-entra-logs",
                name=f"entra-to-{placement.naming.workspace}",
                workspace_id=args.workspace.id,
                logs=[
                    aadiam.LogSettingsArgs(category=category, enabled=True)
                    for category in ENTRA_LOG_CATEGORIES
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            feeds.setdefault("identity", []).append(self.identity_logs)

        self.action_group: monitor.ActionGroup | None = None
        # No receivers, no group: an action group that tells nobody would only hide that
        # production pages no one (DET-ALR-02 reports the rules instead).
        if config.detection_pages and config.detection.action_group.has_receivers:
            self.action_group = self._action_group(name, args)

        inputs = query_inputs(config)
        self.alert_rules: dict[str, monitor.ScheduledQueryRule] = {}
        self.analytics_rules: dict[str, securityinsights.ScheduledAlertRule] = {}
        for detection in stack_detections(config):
            query = detection.query(inputs)
            self.alert_rules[detection.id] = self._alert_rule(name, args, detection, query)
            if args.sentinel is not None:
                after = [args.sentinel, *feeds.get(detection.source, ())]
                self.analytics_rules[detection.id] = self._analytics_rule(
                    name, args, detection, query, after
                )
        self.register_outputs(
            {
                "alertRules": sorted(self.alert_rules),
                "analyticsRules": sorted(self.analytics_rules),
                "pages": self.action_group is not None,
            }
        )

    def _action_group(self, name: str, args: DetectionArgs) -> monitor.ActionGroup:
        placement = args.placement
        receivers = placement.config.detection.action_group
        webhooks = []
        for webhook in receivers.webhooks:
            url = WebhookUrl(
                f"{name}-webhook-{webhook.name}",
                args.vault_name,
                webhook.key_vault_secret,
                self,
                args.vault_access,
            )
            webhooks.append(
                monitor.WebhookReceiverArgs(
                    name=webhook.name,
                    service_uri=pulumi.Output.secret(url.url),
                    use_common_alert_schema=True,
                )
            )
        return monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=f"ag-{placement.naming.workspace}-security",
            resource_group_name=placement.resource_group_name,
            location=ACTION_GROUP_LOCATION,
            group_short_name=f"sec-{placement.config.environment}"[:12],
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{index}", email_address=address, use_common_alert_schema=True
                )
                for index, address in enumerate(receivers.emails)
            ],
            webhook_receivers=webhooks,
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _alert_rule(
        self, name: str, args: DetectionArgs, detection: Detection, query: str
    ) -> monitor.ScheduledQueryRule:
        placement = args.placement
        actions = (
            monitor.ActionsArgs(action_groups=[self.action_group.id])
            if self.action_group is not None
            else None
        )
        return monitor.ScheduledQueryRule(
            f"{name}-{detection.id}",
            rule_name=f"{placement.naming.workspace}-{detection.id}",
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            kind="LogAlert",
            display_name=detection.title,
            description=detection.looks_for,
            severity=detection.severity,
            enabled=True,
            evaluation_frequency=detection.frequency,
            window_size=detection.window,
            scopes=[args.workspace.id],
            criteria=monitor.ScheduledQueryRuleCriteriaArgs(
                all_of=[
                    monitor.ConditionArgs(
                        query=query,
                        time_aggregation="Count",
                        operator="GreaterThan",
                        threshold=0,
                        failing_periods=monitor.ConditionFailingPeriodsArgs(
                            min_failing_periods_to_alert=1, number_of_evaluation_periods=1
                        ),
                    )
                ]
            ),
            # Each alert is an event to look at, not a condition that clears by itself.
            auto_mitigate=False,
            # A table exists in a new workspace only once its first record arrives, and Azure
            # validates the query when the rule is created; every query is validated offline
            # instead, against Microsoft's table schemas (tests/detection/test_queries.py).
            skip_query_validation=True,
            actions=actions,
            tags={**placement.tags, DETECTION_TAG: detection.id},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _analytics_rule(
        self,
        name: str,
        args: DetectionArgs,
        detection: Detection,
        query: str,
        after: Sequence[pulumi.Resource],
    ) -> securityinsights.ScheduledAlertRule:
        placement = args.placement
        return securityinsights.ScheduledAlertRule(
            f"{name}-sentinel-{detection.id}",
            rule_id=detection.sentinel_rule_id,
            resource_group_name=placement.resource_group_name,
            workspace_name=args.workspace.name,
            kind="Scheduled",
            display_name=f"[platform] {detection.title}",
            description=detection.looks_for,
            enabled=True,
            query=query,
            query_frequency=detection.frequency,
            query_period=detection.window,
            severity=detection.sentinel_severity,
            trigger_operator="GreaterThan",
            trigger_threshold=0,
            suppression_enabled=False,
            suppression_duration=SENTINEL_SUPPRESSION,
            tactics=list(detection.tactics),
            techniques=list(detection.techniques),
            entity_mappings=[
                securityinsights.EntityMappingArgs(
                    entity_type=entity.entity_type,
                    field_mappings=[
                        securityinsights.FieldMappingArgs(identifier=i, column_name=c)
                        for i, c in entity.fields
                    ],
                )
                for entity in detection.entities
            ],
            event_grouping_settings=securityinsights.EventGroupingSettingsArgs(
                aggregation_kind="AlertPerResult"
            ),
            incident_configuration=securityinsights.IncidentConfigurationArgs(create_incident=True),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(after)),
        )
