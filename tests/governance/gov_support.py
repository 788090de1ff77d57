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

# Built-in definition GUIDs the tests expect, typed from the upstream sources
# (Azure/azure-policy) rather than imported from the component, so a wrong constant
# there fails the tests.
RESTRICTED = "42b8ef37-b724-4e24-bbc8-7a7708edfe00"
BASELINE = "a8640138-9b0a-4a28-b8cb-1666c838647d"
POD_SECURITY = (RESTRICTED, BASELINE)
ALLOWED_IMAGES = "febd0533-8e55-448f-b837-bd0e06f16469"
NO_PRIVILEGED = "95edb821-ddaf-4404-9732-666045e056b4"
HTTPS_ONLY = "1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d"
EXTERNAL_IPS = "d46c275d-1680-448d-b2ec-e495a3b6cc89"
AKS_POLICY_ADDON = "0a15ec92-a229-4763-bb14-0ea34a568f8d"
AKS_DEFENDER_PROFILE = "a1840de2-8088-4ea8-b153-b4c723e9cb01"
ARC_POLICY_EXTENSION = "6b2122c1-8120-4ff5-801b-17625a355590"
ARC_DEFENDER_EXTENSION = "8dfab9c4-fe7b-49ad-85e4-1e9be085358f"
# The DINE form, which also evaluates EKS, GKE and AKS on Azure Local (issue 10).
ARC_DEFENDER_EXTENSION_ALL = "708b60a6-d253-4fe0-9114-4be4c00f012c"
IN_CLUSTER = (ALLOWED_IMAGES, NO_PRIVILEGED, HTTPS_ONLY, EXTERNAL_IPS)

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
