"""Helpers for the governance tests: the shipped stacks under the offline engine.

Each shipped stack, and each variant, runs once per session (functools.cache); tests only
read the recorded graphs.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bootstrap import stacks
from bootstrap.engine import StackRun, run_stack
from components.config import PlatformConfig
from components.config.loader import validate

STACK_DIR = Path(__file__).resolve().parents[2] / "stacks"
SHIPPED = ("dev", "staging", "prod")

PRICING = "azure-native:security:Pricing"
ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
SENTINEL = "azure-native:securityinsights:SentinelOnboardingState"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
WORKSPACE = "azure-native:operationalinsights:Workspace"
REGISTRY = "azure-native:containerregistry:Registry"
GROUP = "azure-native:resources:ResourceGroup"


@functools.cache
def shipped_stack(name: str) -> stacks.Stack:
    return stacks.load(STACK_DIR, name)


@functools.cache
def shipped_run(name: str) -> StackRun:
    stack = shipped_stack(name)
    return run_stack(name, stack.raw_config, stack.config.subscription_id, stack.config.tenant_id)


def variant_config(name: str, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A deep copy of a shipped stack's raw config, changed by `edit`."""
    raw = copy.deepcopy(shipped_stack(name).raw_config)
    edit(raw)
    return raw


def validated(name: str, raw: dict[str, Any]) -> PlatformConfig:
    values = {k.partition(":")[2]: v for k, v in raw.items() if k.startswith("platform:")}
    return validate(values, STACK_DIR / f"Pulumi.{name}.yaml", name)


def run_raw(name: str, raw: dict[str, Any]) -> StackRun:
    config = validated(name, raw)
    return run_stack(name, raw, config.subscription_id, config.tenant_id)


@functools.cache
def _run_frozen(name: str, frozen: str) -> StackRun:
    return run_raw(name, json.loads(frozen))


def run_variant(name: str, raw: dict[str, Any]) -> StackRun:
    """Runs a variant config, once per session for equal configs."""
    return _run_frozen(name, json.dumps(raw, sort_keys=True))


def of_type(run: StackRun, token: str) -> list[dict[str, Any]]:
    return [r for r in run.resources if r["type"] == token]


def assignments_by_definition(run: StackRun) -> dict[str, dict[str, Any]]:
    """Policy assignment inputs keyed by the definition GUID (the ID's last segment)."""
    found: dict[str, dict[str, Any]] = {}
    for resource in of_type(run, ASSIGNMENT):
        guid = resource["inputs"]["policyDefinitionId"].rsplit("/", 1)[1]
        assert guid not in found, f"{guid} assigned twice"
        found[guid] = resource["inputs"]
    return found


def parameter(assignment: dict[str, Any], name: str) -> Any:
    return assignment["parameters"][name]["value"]


def governance_setting(raw: dict[str, Any]) -> dict[str, Any]:
    return raw.setdefault("platform:governance", {})
