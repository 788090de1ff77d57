"""What every component needs to place its resources: group, region, tags, provider."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.config import PlatformConfig
from components.naming import Naming


@dataclass(frozen=True)
class Placement:
    config: PlatformConfig
    naming: Naming
    resource_group_name: pulumi.Input[str]
    resource_group_id: pulumi.Input[str]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.config.location


def child_options(parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    """Children inherit the provider from their parent; only the parent is set here."""
    return pulumi.ResourceOptions(parent=parent, **extra)  # type: ignore[arg-type]
