"""Network settings: platform-wide Kubernetes ranges and each cluster's spoke VNet."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, model_validator

from .base import Cidr, IPv4, LocatedValueError, StrictModel, networks_overlap


class HubConfig(StrictModel):
    """The environment's hub VNet: private endpoints of the shared registry and Key Vault.

    Cluster spokes peer with it and resolve the endpoints through private DNS zones linked
    to every VNet, so each registry or vault has one endpoint and one DNS record.
    """

    address_space: Cidr = "10.0.0.0/24"

    @property
    def private_endpoints_subnet(self) -> str:
        return str(next(ipaddress.IPv4Network(self.address_space).subnets(prefixlen_diff=1)))

    @property
    def tasks_subnet(self) -> str:
        """The ACR task agent pool's subnet: the first quarter of the hub's second half
        (created only when platform:supplyChain.baseImages is set)."""
        second_half = list(ipaddress.IPv4Network(self.address_space).subnets(prefixlen_diff=1))[1]
        return str(next(second_half.subnets(prefixlen_diff=2)))

    @model_validator(mode="after")
    def _room_for_endpoints(self) -> HubConfig:
        if ipaddress.IPv4Network(self.address_space).prefixlen > 26:
            raise ValueError(
                f"addressSpace {self.address_space} is too small (expected /26 or larger)"
            )
        return self


class NetworkConfig(StrictModel):
    """`platform:network`: the hub, and ranges shared by every AKS cluster of the environment.

    With Azure CNI overlay, pod and service ranges are private to each cluster and never
    routed, so all clusters may share them; they must only stay clear of the VNets.
    """

    hub: HubConfig = Field(default_factory=HubConfig)
    pod_cidr: Cidr = "10.244.0.0/16"
    service_cidr: Cidr = "172.16.0.0/16"
    dns_service_ip: IPv4 = "172.16.0.10"
    # loadBalancer keeps egress simple; userDefinedRouting sends it through a hub firewall.
    outbound_type: Literal["loadBalancer", "managedNATGateway", "userDefinedRouting"] = (
        "loadBalancer"
    )

    @model_validator(mode="after")
    def _dns_ip_inside_service_range(self) -> NetworkConfig:
        service = ipaddress.IPv4Network(self.service_cidr)
        address = ipaddress.IPv4Address(self.dns_service_ip)
        if address not in service:
            raise LocatedValueError(
                ("dnsServiceIp",), f"{address} must lie inside serviceCidr {service}"
            )
        if address in (service.network_address, service.network_address + 1):
            raise LocatedValueError(
                ("dnsServiceIp",),
                f"{address} must not be the first or second address of {service} "
                "(Kubernetes reserves them)",
            )
        if networks_overlap(self.pod_cidr, self.service_cidr):
            raise LocatedValueError(
                ("podCidr",), f"{self.pod_cidr} overlaps serviceCidr {self.service_cidr}"
            )
        return self


class SubnetsConfig(StrictModel):
    """Subnets of one cluster's spoke VNet; derived from the address space when omitted."""

    nodes: Cidr
    # API server VNet integration needs a dedicated, delegated subnet of at least /28.
    api_server: Cidr


class ClusterNetworkConfig(StrictModel):
    """One spoke VNet per cluster, so regions and blast radius stay independent."""

    address_space: Cidr
    subnets: SubnetsConfig | None = None

    @model_validator(mode="after")
    def _subnets_fit(self) -> ClusterNetworkConfig:
        space = ipaddress.IPv4Network(self.address_space)
        if space.prefixlen > 22:
            raise LocatedValueError(
                ("addressSpace",), f"{space} is too small: a cluster VNet needs at least a /22"
            )
        subnets = self.subnets or derive_subnets(self.address_space)
        ranges = {"nodes": subnets.nodes, "apiServer": subnets.api_server}
        for name, cidr in ranges.items():
            if not ipaddress.IPv4Network(cidr).subnet_of(space):
                raise LocatedValueError(
                    ("subnets", name), f"{cidr} is outside addressSpace {space}"
                )
        if ipaddress.IPv4Network(subnets.api_server).prefixlen > 28:
            raise LocatedValueError(
                ("subnets", "apiServer"),
                f"{subnets.api_server} is too small (expected /28 or larger)",
            )
        names = list(ranges)
        for index, first in enumerate(names):
            for second in names[index + 1 :]:
                if networks_overlap(ranges[first], ranges[second]):
                    raise LocatedValueError(
                        ("subnets", second),
                        f"{ranges[second]} overlaps subnets.{first} {ranges[first]}",
                    )
        if self.subnets is None:
            object.__setattr__(self, "subnets", subnets)
        return self

    @property
    def resolved_subnets(self) -> SubnetsConfig:
        assert self.subnets is not None  # filled by the validator
        return self.subnets


def derive_subnets(address_space: str) -> SubnetsConfig:
    """Nodes take the first half of the space; the API server the first /28 of the rest.

    Deterministic, so a stack that omits `subnets` always gets the same layout.
    """
    space = ipaddress.IPv4Network(address_space)
    lower, upper = space.subnets(prefixlen_diff=1)
    api_server = next(upper.subnets(new_prefix=28))
    return SubnetsConfig(nodes=str(lower), api_server=str(api_server))
