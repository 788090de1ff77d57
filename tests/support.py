"""Test helpers: the offline engine over the shipped stacks (cached per session)."""

from __future__ import annotations

import copy
import functools
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
STACK_DIR = REPO_ROOT / "stacks"
SHIPPED_STACKS = ("dev", "staging", "prod")


def run_python(
    *arguments: str,
    cwd: Path = REPO_ROOT,
    env: dict[str, str] | None = None,
    timeout: float | None = 60,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`python ARGUMENTS` in a separate process, as CI runs it: output captured as text."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
        env=env,
    )


@functools.cache
def offline_run(stack: str, preview: bool = False) -> Any:
    """The recorded resource graph of a shipped stack (cached for the whole session).

    `preview=True`: as a first `pulumi preview` hands it to the pack (inputs with unknowns
    for resource policies, azure-native's preview outputs for stack policies).
    """
    from bootstrap import stacks
    from bootstrap.engine import run_stack

    loaded = stacks.load(STACK_DIR, stack)
    return run_stack(
        stack,
        loaded.raw_config,
        loaded.config.subscription_id,
        loaded.config.tenant_id,
        preview=preview,
    )


def validated_config(stack: str, raw_config: dict[str, Any]) -> Any:
    """The validated PlatformConfig of an in-memory stack config."""
    from components.config.loader import validate

    values = {k.partition(":")[2]: v for k, v in raw_config.items() if k.startswith("platform:")}
    return validate(values, STACK_DIR / f"Pulumi.{stack}.yaml", stack)


def run_raw_config(stack: str, raw_config: dict[str, Any]) -> Any:
    """Runs the program for an in-memory stack config (e.g. a weakened variant)."""
    from bootstrap.engine import run_stack

    config = validated_config(stack, raw_config)
    return run_stack(stack, raw_config, config.subscription_id, config.tenant_id)


def shipped_raw_config(stack: str) -> dict[str, Any]:
    from bootstrap import stacks

    return stacks.load(STACK_DIR, stack).raw_config


def shipped_configs_with(section: str, key: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every shipped stack's validated config, with `platform:<section>.<key>` set to
    values[stack] in the stacks `values` names (for checks across stacks)."""
    configs = {}
    for stack in SHIPPED_STACKS:
        raw = copy.deepcopy(shipped_raw_config(stack))
        if stack in values:
            raw.setdefault(f"platform:{section}", {})[key] = values[stack]
        configs[stack] = validated_config(stack, raw)
    return configs


def of_type(run: Any, token: str) -> list[dict[str, Any]]:
    return [r for r in run.resources if r["type"] == token]


def minimal_stack_text(environment: str) -> str:
    """The smallest valid stack file: required keys and one cluster, all else defaulted."""
    return f"""\
config:
  platform:environment: {environment}
  platform:location: westeurope
  platform:tenantId: 00000000-0000-0000-0000-0000000000a1
  platform:subscriptionId: 00000000-0000-0000-0000-0000000000b1
  platform:github:
    owner: contoso
    repo: platform
  platform:clusters:
    - name: {environment}1
      network:
        addressSpace: 10.10.0.0/16
"""
