"""The environment's private container registry: the only source clusters may pull from."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import containerregistry, operationalinsights

from components.common import Placement
from components.monitoring import diagnostic_setting
from components.network import REGISTRY_ZONE, HubNetwork, private_endpoint


@dataclass(frozen=True)
class RegistryArgs:
    placement: Placement
    hub: HubNetwork
    workspace: operationalinsights.Workspace


class Registry(pulumi.ComponentResource):
    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:registry:Registry", name, None, opts)
        placement = args.placement
        settings = placement.config.registry
        enabled = {True: "Enabled", False: "Disabled"}
        self.registry = containerregistry.Registry(
            f"{name}-acr",
            registry_name=placement.naming.registry,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=containerregistry.SkuArgs(name=settings.sku),
            # Pulls authenticate with Entra identities (kubelet AcrPull), never a shared
            # admin password that cannot be attributed or scoped.
            admin_user_enabled=settings.admin_user,
            anonymous_pull_enabled=settings.anonymous_pull,
            # Reachable only through the hub's private endpoint.
            public_network_access=enabled[settings.public_network_access],
            network_rule_set=containerregistry.NetworkRuleSetArgs(default_action="Deny"),
            # Trusted Microsoft services (Defender's image scanner) still reach the registry.
            network_rule_bypass_options="AzureServices",
            # Per-region data endpoints keep layer downloads on private link too.
            data_endpoint_enabled=settings.sku == "Premium",
            zone_redundancy=enabled[settings.zone_redundancy],
            policies=containerregistry.PoliciesArgs(
                # Images cannot be exported out of the private registry.
                # ExportPolicyStatus is lower case ("enabled" | "disabled") in the
                # Microsoft.ContainerRegistry REST spec, unlike publicNetworkAccess.
                export_policy=containerregistry.ExportPolicyArgs(
                    status="enabled" if settings.export_enabled else "disabled"
                ),
                # Untagged manifests (superseded builds) are purged: less stale, vulnerable content.
                retention_policy=containerregistry.RetentionPolicyArgs(
                    days=settings.untagged_retention_days, status="enabled"
                ),
            ),
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        for region in settings.geo_replications:
            containerregistry.Replication(
                f"{name}-{region}",
                replication_name=region,
                registry_name=self.registry.name,
                resource_group_name=placement.resource_group_name,
                location=region,
                zone_redundancy=enabled[settings.zone_redundancy],
                tags=placement.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
        private_endpoint(
            f"{name}-pe",
            placement,
            f"pe-{placement.naming.registry}",
            self.registry.id,
            "registry",
            args.hub,
            REGISTRY_ZONE,
            self,
        )
        diagnostic_setting(name, self.registry.id, "registry", args.workspace, self)
        self.login_server = self.registry.login_server
        self.register_outputs({"registryId": self.registry.id, "loginServer": self.login_server})
