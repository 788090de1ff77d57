"""What the pack knows about the environment it judges: settings, enforcement and waivers.

Built from a validated stack (`PolicyContext.from_config`) or, for plans and manifests
without one, from defaults (`PolicyContext.default`). Enforcement starts from the catalog
and may be overridden per environment in `platform:governance.enforcement`; production may
only tighten. Unknown control IDs, loosening in production, or waivers of the waiver control
itself are bad input: one line naming the stack file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from components.config import (
    ConfigError,
    PlatformConfig,
    Waiver,
    display_path,
    key_path,
    line_in_stack_file,
    load_stack_file,
)
from components.config.loader import stack_file as stack_file_path
from components.naming import Naming

from .catalog import Catalog, Control, Enforcement, load_catalog
from .settings import PolicySettings, WaiverFact

WAIVER_CONTROL = "GOV-WVR-01"


class PolicyConfigError(ConfigError):
    """A stack's enforcement overrides or waivers that the pack refuses (exit code 2).

    A ConfigError, not the CLI's BadInput: the pack runs under the Pulumi CLI without the
    `bootstrap` package, and both the CLI and the pack's entry point report it in one line.
    """


@dataclass(frozen=True)
class PolicyContext:
    settings: PolicySettings = field(default_factory=PolicySettings)
    stack: str | None = None
    # The stack file the settings came from: error messages and SARIF locations point here.
    stack_file: Path | None = None
    enforcement_overrides: Mapping[str, Enforcement] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    # ---- construction ----

    @classmethod
    def default(cls, stack: str | None = None) -> PolicyContext:
        """For plans and manifests without a stack file: the full baseline, catalog levels."""
        production = bool(stack and stack.startswith("prod"))
        return cls(
            settings=PolicySettings(
                environment=stack,
                is_production=production,
                pod_security_standard="restricted" if production else "baseline",
                sentinel_required=production,
            ),
            stack=stack,
        )

    @classmethod
    def from_config(
        cls,
        config: PlatformConfig,
        stack_file: Path | None = None,
        catalog: Catalog | None = None,
    ) -> PolicyContext:
        catalog = catalog or load_catalog()
        naming = Naming.for_config(config)
        settings = PolicySettings(
            environment=config.environment,
            is_production=config.is_production,
            registry_login_servers=(naming.registry_login_server,),
            kubernetes_versions=tuple(
                sorted(
                    {c.kubernetes_version for c in config.clusters}
                    | {c.kubernetes_version for c in config.arc_clusters}
                )
            ),
            pod_security_standard=config.pod_security_standard,  # type: ignore[arg-type]
            # Production always needs Sentinel (turning it off there is a waived weakening);
            # elsewhere only when the stack asks for it.
            sentinel_required=config.is_production or config.monitoring.sentinel is True,
            owns_subscription_resources=config.governance.owns_subscription_resources,
            owns_tenant_resources=config.governance.owns_tenant_resources,
            break_glass_accounts=tuple(config.detection.break_glass_accounts),
            manage_repository=config.github.manage_repository,
            owns_branch_protection=config.owns_branch_protection,
            github_environment=config.github_environment,
            default_branch=config.gitops.branch,
            waivers=tuple(
                WaiverFact(w.control, w.resource, w.reason, w.expires.isoformat())
                for w in config.waivers
            ),
            state_container_scope=(
                config.state.container_scope(config.subscription_id) if config.state else None
            ),
            secrets_key_scope=config.state.key_scope(config.subscription_id)
            if config.state
            else None,
            adopted_arc_clusters=tuple(
                (naming.arc_cluster(c.name), c.arc_distribution)
                for c in config.arc_clusters
                if c.onboarding == "adopt"
            ),
            # Every stack verifies images on every cluster and signs with its certificate.
            image_verification=True,
            signing_certificate=config.supply_chain.signing.certificate_name,
            image_builders=len(config.supply_chain.builders),
            base_images=tuple(image.name for image in config.supply_chain.base_images),
            devops_connector=config.devops_connector_enabled,
            repository_security=config.owns_branch_protection,
        )
        overrides = _checked_overrides(config, catalog, stack_file)
        _check_waivers(config.waivers, catalog, stack_file)
        return cls(
            settings=settings,
            stack=config.environment,
            stack_file=stack_file,
            enforcement_overrides=overrides,
            waivers=tuple(config.waivers),
        )

    @classmethod
    def for_stack(cls, stack: str, stack_dir: Path = Path("stacks")) -> PolicyContext:
        """The stack's context from `<stack_dir>/Pulumi.<stack>.yaml`, or defaults without one.

        ConfigError (an invalid stack file) propagates: it is bad input, never a silent
        fall-back to defaults.
        """
        path = stack_file_path(stack_dir, stack)
        if not path.is_file():
            return cls.default(stack)
        return cls.from_config(load_stack_file(path, stack), stack_file=path)

    # ---- questions the evaluator asks ----

    @property
    def is_production(self) -> bool:
        return self.settings.is_production

    def enforcement_of(self, control: Control) -> Enforcement:
        return self.enforcement_overrides.get(control.id, control.enforcement)

    def policy_config(self) -> dict[str, object]:
        return self.settings.to_config()

    def waiver_for(self, control_id: str, urn: str | None) -> Waiver | None:
        """The waiver that covers a finding: an active one if any, else an expired one."""
        covering = [w for w in self.waivers if w.covers(control_id, urn)]
        active = [w for w in covering if not w.is_expired()]
        if active:
            return active[0]
        return covering[0] if covering else None


def _checked_overrides(
    config: PlatformConfig, catalog: Catalog, stack_file: Path | None
) -> dict[str, Enforcement]:
    overrides: dict[str, Enforcement] = {}
    for control_id, level in config.governance.enforcement.items():
        loc = ("governance", "enforcement", control_id)
        if control_id not in catalog:
            raise _error(stack_file, loc, _unknown(control_id, catalog))
        control = catalog.get(control_id)
        if config.is_production and control.enforcement == "mandatory" and level == "advisory":
            raise _error(
                stack_file,
                loc,
                f"production may only tighten enforcement; {control_id} is mandatory and "
                "cannot be made advisory (use a time-boxed waiver for one resource instead)",
            )
        overrides[control_id] = level  # type: ignore[assignment]
    return overrides


def _check_waivers(waivers: Sequence[Waiver], catalog: Catalog, stack_file: Path | None) -> None:
    for index, waiver in enumerate(waivers):
        loc = ("waivers", index, "control")
        if waiver.control not in catalog:
            raise _error(stack_file, loc, _unknown(waiver.control, catalog))
        if waiver.control == WAIVER_CONTROL:
            raise _error(
                stack_file, loc, f"{WAIVER_CONTROL} (waivers not expired) cannot itself be waived"
            )


def _unknown(control_id: str, catalog: Catalog) -> str:
    suggestion = catalog.suggest(control_id)
    hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
    return f"unknown control '{control_id}'{hint}"


def _error(stack_file: Path | None, loc: tuple[str | int, ...], message: str) -> PolicyConfigError:
    line = line_in_stack_file(stack_file, loc)
    where = display_path(stack_file) if stack_file else "stack config"
    return PolicyConfigError(where, f"{key_path(loc)}: {message}", line)
