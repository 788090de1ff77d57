"""Helpers for the governance tests: the shipped stacks under the offline engine.

Each shipped stack, and each variant, runs once per session (functools.cache); tests only
read the recorded graphs.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any

from support import SHIPPED_STACKS as SHIPPED
from support import STACK_DIR, run_raw_config
from support import offline_run as shipped_run
from support import validated_config as validated

from bootstrap import stacks
from bootstrap.engine import StackRun

PRICING = "azure-native:security:Pricing"
ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
SENTINEL = "azure-native:securityinsights:SentinelOnboardingState"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
WORKSPACE = "azure-native:operationalinsights:Workspace"
REGISTRY = "azure-native:containerregistry:Registry"
GROUP = "azure-native:resources:ResourceGroup"

# Shared with the other suites (tests/support.py), re-exported under this suite's names.
__all__ = ["SHIPPED", "shipped_run", "validated"]


@functools.cache
def shipped_stack(name: str) -> stacks.Stack:
    return stacks.load(STACK_DIR, name)


def variant_config(name: str, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A deep copy of a shipped stack's raw config, changed by `edit`."""
    raw = copy.deepcopy(shipped_stack(name).raw_config)
    edit(raw)
    return raw


@functools.cache
def _run_frozen(name: str, frozen: str) -> StackRun:
    return run_raw_config(name, json.loads(frozen))


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
