"""Azure Policy assignments that hold every cluster of the environment to the baseline.

The Azure Policy add-on (AKS) and extension (Arc) run Gatekeeper inside each cluster;
these assignments tell it what to admit. Every parameter is derived from the stack
config (registry name, namespaces, external IPs, pod security level), so the admission
rules and the rest of the platform cannot drift apart.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
from pulumi_azure_native import authorization

from components.config import PlatformConfig
from components.naming import Naming

from . import definitions as d

EnforcementMode = Literal["Default", "DoNotEnforce"]

DENY = "Deny"
AUDIT = "Audit"
AUDIT_IF_NOT_EXISTS = "AuditIfNotExists"
DEPLOY_IF_NOT_EXISTS = "DeployIfNotExists"


@dataclass(frozen=True)
class AssignmentSpec:
    """One policy assignment, as plain data (the component turns it into a resource)."""

    key: str
    display_name: str
    definition_id: str
    message: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> bool:
        """DeployIfNotExists assignments need a managed identity (and a location for it)."""
        return self.parameters.get("effect") == DEPLOY_IF_NOT_EXISTS


def enforcement_mode(config: PlatformConfig) -> EnforcementMode:
    """Default (deny) unless configured; the schema already refuses audit-only in production."""
    return config.governance.policy.enforcement_mode


def assignment_scope(
    config: PlatformConfig, resource_group_id: pulumi.Input[str]
) -> pulumi.Input[str]:
    """The environment's resource group (default) or its whole subscription."""
    if config.governance.policy.scope == "subscription":
        return f"/subscriptions/{config.subscription_id}"
    return resource_group_id


def allowed_images_regex(login_server: str) -> str:
    """Images from the platform registry only.

    Gatekeeper evaluates the pattern with an unanchored match, so both anchors are needed:
    without `^`, `evil.io/x/acr.azurecr.io/...` would pass; the login server is escaped so
    its dots match only dots; the `/` ends the host, so `acr.azurecr.io.evil.io` fails.
    """
    return f"^{re.escape(login_server.lower())}/.+$"


def external_ip_addresses(cidrs: list[str]) -> list[str]:
    """The addresses Services may claim as externalIPs (the policy matches exact strings).

    The schema bounds each range (MAX_EXTERNAL_IPS_PER_RANGE addresses at most).
    """
    addresses: list[str] = []
    for cidr in cidrs:
        addresses.extend(str(address) for address in ipaddress.IPv4Network(cidr))
    return sorted(set(addresses), key=ipaddress.IPv4Address)


def assignment_specs(
    config: PlatformConfig, workspace_id: pulumi.Input[str] = ""
) -> list[AssignmentSpec]:
    """Every assignment the environment needs, with parameters derived from its config."""
    policy = config.governance.policy
    excluded = list(policy.excluded_namespaces)
    # Kubernetes-data (Gatekeeper) policies: Deny blocks the request at admission. Under
    # enforcementMode DoNotEnforce the same assignments only report, so one setting
    # switches an environment between enforcing and auditing.
    in_cluster = {"effect": DENY, "excludedNamespaces": excluded}
    login_server = Naming.for_config(config).registry_login_server
    specs = [_pod_security(config, in_cluster)]
    specs += [
        AssignmentSpec(
            key="allowed-images",
            display_name="Container images come from the platform registry only",
            definition_id=d.policy_definition_id(d.ALLOWED_IMAGES),
            message=f"Images must come from the platform registry {login_server}; push "
            "the image there (it is scanned by Defender) and reference it by that name.",
            parameters={
                **in_cluster,
                "allowedContainerImagesRegex": allowed_images_regex(login_server),
            },
        ),
        AssignmentSpec(
            key="no-privileged",
            display_name="No privileged containers",
            definition_id=d.policy_definition_id(d.NO_PRIVILEGED_CONTAINERS),
            # A privileged container is root on the node: one compromise owns the node.
            message="Privileged containers are not allowed: they have full access to the node.",
            parameters=dict(in_cluster),
        ),
        AssignmentSpec(
            key="https-ingress",
            display_name="Ingress only over HTTPS",
            definition_id=d.policy_definition_id(d.HTTPS_INGRESS_ONLY),
            # Plain HTTP exposes tokens and session cookies to anyone on the path.
            message="Ingresses must be HTTPS only: set spec.tls and the annotation "
            'kubernetes.io/ingress.allow-http: "false".',
            parameters=dict(in_cluster),
        ),
        AssignmentSpec(
            key="external-ips",
            display_name="Services use allowed external IPs only",
            definition_id=d.policy_definition_id(d.ALLOWED_EXTERNAL_IPS),
            # Arbitrary Service externalIPs let a tenant intercept traffic meant for other
            # addresses (CVE-2020-8554); only the configured ones are admitted.
            message="Service externalIPs must be listed in platform:governance.policy."
            "allowedExternalIps.",
            parameters={
                **in_cluster,
                "allowedExternalIPs": external_ip_addresses(list(policy.allowed_external_ips)),
            },
        ),
    ]
    if config.clusters:
        specs += [
            AssignmentSpec(
                key="aks-policy-addon",
                display_name="AKS runs the Azure Policy add-on",
                definition_id=d.policy_definition_id(d.AKS_POLICY_ADDON),
                # Without the add-on none of the in-cluster assignments above is enforced.
                message="Enable the Azure Policy add-on on the cluster; without it no "
                "admission policy is enforced.",
                parameters={"effect": AUDIT},
            ),
            AssignmentSpec(
                key="aks-defender-profile",
                display_name="AKS runs the Defender profile",
                definition_id=d.policy_definition_id(d.AKS_DEFENDER_PROFILE),
                message="Enable the Defender profile (securityProfile.defender) so runtime "
                "threats on the cluster are detected.",
                parameters={"effect": AUDIT},
            ),
        ]
    if config.arc_clusters:
        specs += [
            AssignmentSpec(
                key="arc-policy-extension",
                display_name="Arc clusters run the Azure Policy extension",
                definition_id=d.policy_definition_id(d.ARC_POLICY_EXTENSION),
                message="Install the Azure Policy extension on the connected cluster; "
                "without it no admission policy is enforced there.",
                parameters={"effect": AUDIT_IF_NOT_EXISTS},
            ),
            AssignmentSpec(
                key="arc-defender-extension",
                display_name="Arc clusters run the Defender extension",
                definition_id=d.policy_definition_id(d.ARC_DEFENDER_EXTENSION),
                message="Install the Microsoft Defender extension on the connected cluster.",
                parameters={"effect": AUDIT_IF_NOT_EXISTS},
            ),
            # The audit above skips eks, gke, aks_management: the platform's EKS clusters
            # would go unchecked. The DINE form evaluates every distribution but AKS and
            # deploys Microsoft's extension to the platform's workspace where it is missing
            # (the platform installs it itself; see README, Azure Arc). Checked by ARC-DEF-02.
            AssignmentSpec(
                key="arc-defender-extension-all",
                display_name="Arc clusters of every distribution run the Defender extension",
                definition_id=d.policy_definition_id(d.ARC_DEFENDER_EXTENSION_DINE),
                message="Install the Microsoft Defender extension on the connected cluster.",
                parameters={
                    "effect": DEPLOY_IF_NOT_EXISTS,
                    "logAnalyticsWorkspaceResourceId": workspace_id,
                    "excludedDistributions": list(d.ARC_DEFENDER_EXCLUDED_DISTRIBUTIONS),
                },
            ),
        ]
    return specs


def _pod_security(config: PlatformConfig, in_cluster: dict[str, Any]) -> AssignmentSpec:
    standard = config.pod_security_standard
    if standard == "restricted":
        return AssignmentSpec(
            key="pod-security",
            display_name="Pod security: restricted standard",
            definition_id=d.policy_set_definition_id(d.POD_SECURITY_RESTRICTED),
            message="Pods must meet the Kubernetes restricted Pod Security Standard: non-root, "
            "no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.",
            parameters={
                **in_cluster,
                # The Kubernetes restricted standard: drop ALL, add back NET_BIND_SERVICE
                # at most (the initiative's default would admit the baseline list).
                "allowedCapabilities": list(d.RESTRICTED_ALLOWED_CAPABILITIES),
                "requiredDropCapabilities": list(d.RESTRICTED_REQUIRED_DROP_CAPABILITIES),
            },
        )
    return AssignmentSpec(
        key="pod-security",
        display_name="Pod security: baseline standard",
        definition_id=d.policy_set_definition_id(d.POD_SECURITY_BASELINE),
        message="Pods must meet the Kubernetes baseline Pod Security Standard: no privileged "
        "containers, host namespaces, host paths or added dangerous capabilities.",
        parameters=dict(in_cluster),
    )


@dataclass(frozen=True)
class PolicyAssignmentsArgs:
    config: PlatformConfig
    resource_group_id: pulumi.Input[str]
    # The environment's workspace, for assignments that deploy an agent reporting to it.
    workspace_id: pulumi.Input[str] = ""


class PolicyAssignments(pulumi.ComponentResource):
    """The environment's Azure Policy assignments, at its resource group or subscription."""

    def __init__(
        self, name: str, args: PolicyAssignmentsArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:governance:PolicyAssignments", name, None, opts)
        config = args.config
        mode = enforcement_mode(config)
        specs = assignment_specs(config, args.workspace_id)
        scope = assignment_scope(config, args.resource_group_id)
        environment = config.environment
        self.assignments: dict[str, authorization.PolicyAssignment] = {}
        for spec in specs:
            self.assignments[spec.key] = authorization.PolicyAssignment(
                f"{name}-{spec.key}",
                # The environment is part of the name, so two stacks can never collide,
                # even at subscription scope.
                policy_assignment_name=f"{environment}-{spec.key}",
                display_name=f"[{environment}] {spec.display_name}",
                description=f"Platform baseline for the {environment} environment "
                "(managed by Pulumi; change the stack config, not the portal).",
                scope=scope,
                policy_definition_id=spec.definition_id,
                parameters={
                    key: authorization.ParameterValuesValueArgs(value=value)
                    for key, value in spec.parameters.items()
                },
                enforcement_mode=mode,
                # Shown in the admission error and in compliance results, so whoever is
                # denied learns what to change.
                non_compliance_messages=[
                    authorization.NonComplianceMessageArgs(message=spec.message)
                ],
                metadata={"managedBy": "pulumi", "environment": environment},
                identity=authorization.IdentityArgs(type="SystemAssigned")
                if spec.identity
                else None,
                location=config.location if spec.identity else None,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"assignments": {key: a.id for key, a in self.assignments.items()}})
