"""Hub-and-spoke networking: a hub for private endpoints, one spoke VNet per cluster.

Nothing the platform creates is reachable from the internet: the registry and the vault
are published only as private endpoints in the hub, resolved through private DNS zones
linked to every VNet, and every subnet carries an NSG (whose default rules deny inbound
traffic from the internet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import network, privatedns

from components.common import Placement

# One zone per private-link service the platform uses.
REGISTRY_ZONE = "privatelink.azurecr.io"
KEY_VAULT_ZONE = "privatelink.vaultcore.azure.net"
PRIVATE_ZONES = (REGISTRY_ZONE, KEY_VAULT_ZONE)


@dataclass(frozen=True)
class HubNetworkArgs:
    placement: Placement


class HubNetwork(pulumi.ComponentResource):
    """The hub VNet, its private-endpoint subnet and the private DNS zones."""

    def __init__(self, name: str, args: HubNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("platform:network:HubNetwork", name, None, opts)
        placement = args.placement
        hub = placement.config.network.hub
        group = placement.resource_group_name
        child = pulumi.ResourceOptions(parent=self)

        self.vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=placement.naming.hub_vnet,
            resource_group_name=group,
            location=placement.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[hub.address_space]),
            tags=placement.tags,
            opts=child,
        )
        self.endpoints_subnet = _subnet(
            f"{name}-endpoints",
            placement,
            self.vnet,
            "snet-private-endpoints",
            hub.private_endpoints_subnet,
            f"nsg-{placement.naming.hub_vnet}-pe",
            self,
            # Enabled: NSG rules also apply to private endpoints, not only to NICs.
            private_endpoint_network_policies="Enabled",
            # No implicit outbound internet for anything placed here.
            default_outbound_access=False,
        )
        # The dedicated agent pool of the ACR tasks that rebuild base images: ACR Tasks is
        # not a trusted service of a registry without public access (MicrosoftDocs/
        # azure-management-docs articles/container-registry/allow-access-trusted-services.md
        # lists import, Defender and a few others), so the tasks run inside this VNet
        # (tasks-agent-pools.md: "Assign an agent pool to an Azure VNet").
        self.tasks_subnet: network.Subnet | None = None
        if placement.config.supply_chain.base_images:
            self.tasks_subnet = _subnet(
                f"{name}-tasks",
                placement,
                self.vnet,
                "snet-acr-tasks",
                hub.tasks_subnet,
                f"nsg-{placement.naming.hub_vnet}-tasks",
                self,
                after=self.endpoints_subnet,
            )
        self.zones: dict[str, privatedns.PrivateZone] = {}
        for zone in PRIVATE_ZONES:
            self.zones[zone] = privatedns.PrivateZone(
                f"{name}-{zone.split('.')[1]}-zone",
                private_zone_name=zone,
                resource_group_name=group,
                location="global",
                tags=placement.tags,
                opts=child,
            )
        link_zones(name, placement, self.zones, self.vnet, placement.naming.hub_vnet, self)
        self.register_outputs(
            {"vnetId": self.vnet.id, "endpointsSubnetId": self.endpoints_subnet.id}
        )


@dataclass(frozen=True)
class SpokeNetworkArgs:
    placement: Placement
    cluster_name: str
    location: str
    address_space: str
    nodes_subnet: str
    api_server_subnet: str
    hub: HubNetwork


class SpokeNetwork(pulumi.ComponentResource):
    """A cluster's VNet: node and API-server subnets, peered with the hub."""

    def __init__(
        self, name: str, args: SpokeNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:network:SpokeNetwork", name, None, opts)
        placement = args.placement
        group = placement.resource_group_name
        vnet_name = placement.naming.spoke_vnet(args.cluster_name)
        child = pulumi.ResourceOptions(parent=self)

        self.vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=vnet_name,
            resource_group_name=group,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=placement.tags,
            opts=child,
        )
        self.nodes_subnet = _subnet(
            f"{name}-nodes",
            placement,
            self.vnet,
            "snet-nodes",
            args.nodes_subnet,
            f"nsg-{vnet_name}-nodes",
            self,
            location=args.location,
        )
        self.api_server_subnet = _subnet(
            f"{name}-apiserver",
            placement,
            self.vnet,
            "snet-apiserver",
            args.api_server_subnet,
            f"nsg-{vnet_name}-apiserver",
            self,
            location=args.location,
            after=self.nodes_subnet,
            # API server VNet integration projects the control plane into this subnet.
            delegations=[
                network.DelegationArgs(
                    name="aks-apiserver",
                    service_name="Microsoft.ContainerService/managedClusters",
                )
            ],
            default_outbound_access=False,
        )
        # Peering in both directions; no gateway transit, so the spokes stay isolated
        # from each other and reach only the hub's endpoints.
        network.VirtualNetworkPeering(
            f"{name}-to-hub",
            virtual_network_peering_name=f"{vnet_name}-to-hub",
            virtual_network_name=self.vnet.name,
            resource_group_name=group,
            remote_virtual_network=network.SubResourceArgs(id=args.hub.vnet.id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=False,
            opts=child,
        )
        network.VirtualNetworkPeering(
            f"{name}-from-hub",
            virtual_network_peering_name=f"hub-to-{vnet_name}",
            virtual_network_name=args.hub.vnet.name,
            resource_group_name=group,
            remote_virtual_network=network.SubResourceArgs(id=self.vnet.id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=False,
            opts=child,
        )
        link_zones(name, placement, args.hub.zones, self.vnet, vnet_name, self)
        self.register_outputs(
            {
                "vnetId": self.vnet.id,
                "nodesSubnetId": self.nodes_subnet.id,
                "apiServerSubnetId": self.api_server_subnet.id,
            }
        )


def link_zones(
    name: str,
    placement: Placement,
    zones: dict[str, privatedns.PrivateZone],
    vnet: network.VirtualNetwork,
    vnet_name: str,
    parent: pulumi.Resource,
) -> None:
    for zone_name, zone in zones.items():
        privatedns.VirtualNetworkLink(
            f"{name}-{zone_name.split('.')[1]}-link",
            virtual_network_link_name=f"link-{vnet_name}",
            private_zone_name=zone.name,
            resource_group_name=placement.resource_group_name,
            location="global",
            virtual_network=privatedns.SubResourceArgs(id=vnet.id),
            # Records come only from private endpoint zone groups, never from VM auto-registration.
            registration_enabled=False,
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )


@dataclass(frozen=True)
class PrivateAccess:
    """A PaaS resource's private endpoint and the DNS record that makes its name resolve."""

    endpoint: network.PrivateEndpoint
    dns_zone_group: network.PrivateDnsZoneGroup

    @property
    def ready(self) -> list[pulumi.Resource]:
        """What a client of the private endpoint must wait for (depends_on)."""
        return [self.endpoint, self.dns_zone_group]


def private_endpoint(
    name: str,
    placement: Placement,
    endpoint_name: str,
    target_id: pulumi.Input[str],
    group_id: str,
    hub: HubNetwork,
    zone: str,
    parent: pulumi.Resource,
) -> PrivateAccess:
    """Publishes a PaaS resource inside the hub and registers its name in the private zone."""
    child = pulumi.ResourceOptions(parent=parent)
    endpoint = network.PrivateEndpoint(
        name,
        private_endpoint_name=endpoint_name,
        resource_group_name=placement.resource_group_name,
        location=placement.location,
        subnet=network.SubnetArgs(id=hub.endpoints_subnet.id),
        private_link_service_connections=[
            network.PrivateLinkServiceConnectionArgs(
                name=endpoint_name,
                private_link_service_id=target_id,
                group_ids=[group_id],
            )
        ],
        tags=placement.tags,
        opts=child,
    )
    dns_zone_group = network.PrivateDnsZoneGroup(
        f"{name}-dns",
        private_dns_zone_group_name="default",
        private_endpoint_name=endpoint.name,
        resource_group_name=placement.resource_group_name,
        private_dns_zone_configs=[
            network.PrivateDnsZoneConfigArgs(name=zone, private_dns_zone_id=hub.zones[zone].id)
        ],
        opts=child,
    )
    return PrivateAccess(endpoint, dns_zone_group)


def _subnet(
    name: str,
    placement: Placement,
    vnet: network.VirtualNetwork,
    subnet_name: str,
    address_prefix: str,
    nsg_name: str,
    parent: pulumi.Resource,
    *,
    location: str | None = None,
    after: network.Subnet | None = None,
    **settings: Any,
) -> network.Subnet:
    """A subnet of `vnet` with its own NSG (`{name}-nsg`); `settings` are Subnet inputs.

    `after`: the VNet's previous subnet. Subnets of one VNet are written one at a time:
    Microsoft.Network serialises changes to a virtual network (a concurrent subnet PUT is
    answered "Another operation on this or dependent resource is in progress"), and
    Microsoft's Azure Verified Module deploys a VNet's subnets with @batchSize(1)
    (Azure/bicep-registry-modules avm/res/network/virtual-network/main.bicep). Checked in
    every plan by HAZ-NET-01.
    """
    # No custom rules: Azure's defaults allow VNet and load-balancer probes and deny the
    # internet. A rule that opens a port is a reviewed change to this module.
    nsg = network.NetworkSecurityGroup(
        f"{name}-nsg",
        network_security_group_name=nsg_name,
        resource_group_name=placement.resource_group_name,
        location=location or placement.location,
        tags=placement.tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return network.Subnet(
        name,
        subnet_name=subnet_name,
        virtual_network_name=vnet.name,
        resource_group_name=placement.resource_group_name,
        address_prefix=address_prefix,
        network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[after] if after else None),
        **settings,
    )
