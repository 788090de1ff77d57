"""The platform program: `pulumi up -s <env>` (real engine) or `bootstrap plan` (offline)."""

import pulumi

from components.config import load_from_pulumi
from components.platform import Platform, PlatformArgs

# Validation happens before any resource is declared; a bad stack ends here in one line.
config = load_from_pulumi()
platform = Platform(f"platform-{config.environment}", PlatformArgs(config))

# Identifiers only: no kubeconfig, key or credential is ever exported.
for key, value in platform.outputs.items():
    pulumi.export(key, value)
