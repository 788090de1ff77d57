"""The environment facts a policy needs, carried as CrossGuard policy configuration.

Policies stay pure functions of `(args, report_violation)`: whatever they need to know
about the environment (its registry, whether it is production, ...) arrives through
`args.get_config()`, the channel CrossGuard itself provides. The in-process evaluator
passes the same dictionary, so a policy cannot tell which engine runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_policy import PolicyConfigSchema

PodSecurityStandard = Literal["baseline", "restricted"]
ACR_SUFFIX = ".azurecr.io"


@dataclass(frozen=True)
class WaiverFact:
    """A waiver as policies see it (the waiver control reports expired ones)."""

    control: str
    resource: str | None
    reason: str
    expires: str  # YYYY-MM-DD

    def to_config(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "resource": self.resource,
            "reason": self.reason,
            "expires": self.expires,
        }


@dataclass(frozen=True)
class PolicySettings:
    environment: str | None = None
    is_production: bool = False
    # Login servers images may come from; empty means "an Azure Container Registry".
    registry_login_servers: tuple[str, ...] = ()
    kubernetes_versions: tuple[str, ...] = ()
    pod_security_standard: PodSecurityStandard = "baseline"
    sentinel_required: bool = False
    owns_subscription_resources: bool = True
    # The stack owns its Entra ID tenant's diagnostic setting (identity logs and detections).
    owns_tenant_resources: bool = True
    # Object IDs of the tenant's emergency-access accounts (a detection watches them).
    break_glass_accounts: tuple[str, ...] = ()
    manage_repository: bool = True
    # Branch protection is repository-wide: only the stack that owns it must declare it.
    owns_branch_protection: bool = True
    github_environment: str | None = None
    default_branch: str = "main"
    waivers: tuple[WaiverFact, ...] = ()
    # ARM IDs of the Pulumi state container and secrets key (platform:state); None when the
    # stack does not name them.
    state_container_scope: str | None = None
    secrets_key_scope: str | None = None
    # Arc clusters the stack adopts (connected with `az connectedk8s connect`, read, not in
    # the plan): (Azure name, distribution), so the Arc controls still see them.
    adopted_arc_clusters: tuple[tuple[str, str], ...] = ()
    # Supply chain (platform:supplyChain): what the plan must hold. Defaults require nothing,
    # for plans and manifests judged without a stack.
    image_verification: bool = False
    signing_certificate: str | None = None
    image_builders: int = 0
    base_images: tuple[str, ...] = ()
    devops_connector: bool = False
    repository_security: bool = False

    def to_config(self) -> dict[str, Any]:
        """JSON-safe camelCase form, as it travels in CrossGuard policy config."""
        return {
            "environment": self.environment,
            "isProduction": self.is_production,
            "registryLoginServers": list(self.registry_login_servers),
            "kubernetesVersions": list(self.kubernetes_versions),
            "podSecurityStandard": self.pod_security_standard,
            "sentinelRequired": self.sentinel_required,
            "ownsSubscriptionResources": self.owns_subscription_resources,
            "ownsTenantResources": self.owns_tenant_resources,
            "breakGlassAccounts": list(self.break_glass_accounts),
            "manageRepository": self.manage_repository,
            "ownsBranchProtection": self.owns_branch_protection,
            "githubEnvironment": self.github_environment,
            "defaultBranch": self.default_branch,
            "waivers": [waiver.to_config() for waiver in self.waivers],
            "stateContainerScope": self.state_container_scope,
            "secretsKeyScope": self.secrets_key_scope,
            "adoptedArcClusters": [
                {"name": name, "distribution": distribution}
                for name, distribution in self.adopted_arc_clusters
            ],
            "imageVerification": self.image_verification,
            "signingCertificate": self.signing_certificate,
            "imageBuilders": self.image_builders,
            "baseImages": list(self.base_images),
            "devopsConnector": self.devops_connector,
            "repositorySecurity": self.repository_security,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> PolicySettings:
        """Reads the policy config back; missing keys keep the defaults."""
        if not config:
            return DEFAULT_SETTINGS
        default = DEFAULT_SETTINGS
        standard = config.get("podSecurityStandard", default.pod_security_standard)
        return cls(
            environment=config.get("environment", default.environment),
            is_production=bool(config.get("isProduction", default.is_production)),
            registry_login_servers=tuple(
                str(s).lower() for s in config.get("registryLoginServers") or ()
            ),
            kubernetes_versions=tuple(str(v) for v in config.get("kubernetesVersions") or ()),
            pod_security_standard="restricted" if standard == "restricted" else "baseline",
            sentinel_required=bool(config.get("sentinelRequired", default.sentinel_required)),
            owns_subscription_resources=bool(
                config.get("ownsSubscriptionResources", default.owns_subscription_resources)
            ),
            owns_tenant_resources=bool(
                config.get("ownsTenantResources", default.owns_tenant_resources)
            ),
            break_glass_accounts=tuple(str(a) for a in config.get("breakGlassAccounts") or ()),
            manage_repository=bool(config.get("manageRepository", default.manage_repository)),
            owns_branch_protection=bool(
                config.get("ownsBranchProtection", default.owns_branch_protection)
            ),
            github_environment=config.get("githubEnvironment", default.github_environment),
            default_branch=str(config.get("defaultBranch") or default.default_branch),
            waivers=tuple(
                WaiverFact(
                    control=str(w.get("control")),
                    resource=w.get("resource"),
                    reason=str(w.get("reason", "")),
                    expires=str(w.get("expires")),
                )
                for w in config.get("waivers") or ()
                if isinstance(w, Mapping)
            ),
            state_container_scope=config.get("stateContainerScope"),
            secrets_key_scope=config.get("secretsKeyScope"),
            adopted_arc_clusters=tuple(
                (str(c.get("name")), str(c.get("distribution", "")).lower())
                for c in config.get("adoptedArcClusters") or ()
                if isinstance(c, Mapping)
            ),
            image_verification=bool(config.get("imageVerification", False)),
            signing_certificate=config.get("signingCertificate"),
            image_builders=int(float(config.get("imageBuilders") or 0)),
            base_images=tuple(str(b) for b in config.get("baseImages") or ()),
            devops_connector=bool(config.get("devopsConnector", False)),
            repository_security=bool(config.get("repositorySecurity", False)),
        )

    def registry_allowed(self, host: str) -> bool:
        host = host.lower()
        if self.registry_login_servers:
            return host in self.registry_login_servers
        return host.endswith(ACR_SUFFIX)


DEFAULT_SETTINGS = PolicySettings()

# Declared on every policy so the Pulumi CLI accepts the config the pack hands itself.
CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "environment": {"type": ["string", "null"]},
        "isProduction": {"type": "boolean"},
        "registryLoginServers": {"type": "array", "items": {"type": "string"}},
        "kubernetesVersions": {"type": "array", "items": {"type": "string"}},
        "podSecurityStandard": {"type": "string", "enum": ["baseline", "restricted"]},
        "sentinelRequired": {"type": "boolean"},
        "ownsSubscriptionResources": {"type": "boolean"},
        "ownsTenantResources": {"type": "boolean"},
        "breakGlassAccounts": {"type": "array", "items": {"type": "string"}},
        "manageRepository": {"type": "boolean"},
        "ownsBranchProtection": {"type": "boolean"},
        "githubEnvironment": {"type": ["string", "null"]},
        "defaultBranch": {"type": "string"},
        "stateContainerScope": {"type": ["string", "null"]},
        "secretsKeyScope": {"type": ["string", "null"]},
        "adoptedArcClusters": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "distribution": {"type": "string"}},
            },
        },
        "imageVerification": {"type": "boolean"},
        "signingCertificate": {"type": ["string", "null"]},
        "imageBuilders": {"type": "number"},
        "baseImages": {"type": "array", "items": {"type": "string"}},
        "devopsConnector": {"type": "boolean"},
        "repositorySecurity": {"type": "boolean"},
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "control": {"type": "string"},
                    "resource": {"type": ["string", "null"]},
                    "reason": {"type": "string"},
                    "expires": {"type": "string"},
                },
            },
        },
    }
)


_last: tuple[Any, PolicySettings] | None = None


def settings_of(args: Any) -> PolicySettings:
    """The settings of one policy invocation (ResourceValidationArgs or StackValidationArgs).

    The evaluator hands every invocation the same config object; remembering the last one
    keeps parsing out of the per-resource loop.
    """
    global _last
    config = args.get_config()
    if _last is not None and _last[0] is config:
        return _last[1]
    settings = PolicySettings.from_config(config)
    _last = (config, settings)
    return settings
