# ruff: noqa: E501
"""Removing any supply-chain resource from a shipped plan is caught by the pack.

The shipped stacks hold the signer, the verifier, the base-image tasks, the Defender for
DevOps connector and the repository security settings; each removal below must fail its
control (the secure plan's mutation rows cover the same controls from settings).
"""

from __future__ import annotations

from typing import Any

import pytest
from support import offline_run

from policies.context import PolicyContext
from policies.evaluator import evaluate

REMOVALS = [
    ("dev", "SUP-SIG-01", lambda r: r["type"].endswith("FederatedIdentityCredential") and "signer" in r["name"]),
    ("dev", "SUP-SIG-01", lambda r: r["name"].endswith("supply-chain-signer-sign")),
    ("dev", "SUP-VER-01", lambda r: r["name"].endswith("supply-chain-verifier-chain")),
    ("prod", "SUP-VER-01", lambda r: r["type"].endswith("FederatedIdentityCredential") and r["name"].endswith("verifier-weu1")),
    ("prod", "SUP-ACR-01", lambda r: r["type"] == "azure-native:containerregistry:Task"),
    ("prod", "SUP-DEV-01", lambda r: r["type"] == "azure-native:security:SecurityConnector"),
    ("prod", "SUP-REP-01", lambda r: r["type"] == "github:index/repository:Repository"),
    ("prod", "SUP-REP-01", lambda r: "Dependabot" in r["type"]),
]  # fmt: skip


def _failing(stack: str, resources: list[dict[str, Any]]) -> set[str]:
    results = evaluate(resources, PolicyContext.for_stack(stack))
    return {r["controls"][0] for r in results if r["status"] == "fail"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_plans_hold_the_supply_chain(stack: str) -> None:
    resources = offline_run(stack).resources
    assert not {c for c in _failing(stack, resources) if c.startswith("SUP-")}


@pytest.mark.parametrize(
    ("stack", "control", "removed"),
    REMOVALS,
    # Stable IDs (a lambda's repr holds its address, which differs between xdist workers).
    ids=[f"{stack}-{control}-{index}" for index, (stack, control, _) in enumerate(REMOVALS)],
)
def test_removal_is_caught(stack: str, control: str, removed: Any) -> None:
    resources = offline_run(stack).resources
    kept = [r for r in resources if not removed(r)]
    assert len(kept) < len(resources), "the shipped plan lacks the resource this row removes"
    assert control in _failing(stack, kept)
