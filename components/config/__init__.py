"""Typed, strict stack configuration with secure defaults (see DESIGN §4)."""

from .arc import ArcClusterConfig, AzureLocalConfig
from .clusters import ClusterConfig, NodePoolConfig
from .detection import DetectionConfig
from .errors import NAMESPACE, ConfigError, key_path
from .github import GitHubConfig
from .gitops import GitOpsConfig, TenantConfig
from .governance import GovernanceConfig
from .loader import (
    config_from_engine,
    display_path,
    line_in_stack_file,
    line_of,
    load_from_pulumi,
    load_stack_file,
    read_stack_document,
    stack_file,
)
from .platform import PlatformConfig
from .services import KeyVaultConfig, MonitoringConfig, RegistryConfig
from .state import StateConfig
from .supply_chain import BaseImageConfig, BuilderConfig, SupplyChainConfig
from .waivers import Waiver

__all__ = [
    "NAMESPACE",
    "ArcClusterConfig",
    "AzureLocalConfig",
    "BaseImageConfig",
    "BuilderConfig",
    "ClusterConfig",
    "ConfigError",
    "DetectionConfig",
    "GitHubConfig",
    "GitOpsConfig",
    "GovernanceConfig",
    "KeyVaultConfig",
    "MonitoringConfig",
    "NodePoolConfig",
    "PlatformConfig",
    "RegistryConfig",
    "StateConfig",
    "SupplyChainConfig",
    "TenantConfig",
    "Waiver",
    "config_from_engine",
    "display_path",
    "key_path",
    "line_in_stack_file",
    "line_of",
    "load_from_pulumi",
    "load_stack_file",
    "read_stack_document",
    "stack_file",
]
