"""What every report needs from a plan: findings in reading order, waivers, labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WAIVER_KIND = "waiver"
# Reading order: what blocks first, then what needs a look, then what is accepted.
_STATUS_RANK = {"fail": 0, "unknown": 2, "waived": 3}


def findings(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Failures, unknowns and waived failures; mandatory failures first, grouped by control."""
    listed = [
        r
        for r in plan.get("results", [])
        if r.get("kind") != WAIVER_KIND and r.get("status") != "pass"
    ]
    return sorted(listed, key=sort_key)


def sort_key(result: Mapping[str, Any]) -> tuple[int, str, str]:
    rank = _STATUS_RANK.get(str(result.get("status")), 4)
    if result.get("status") == "fail" and result.get("enforcement") == "advisory":
        rank = 1
    return rank, ",".join(result.get("controls") or []), str(result.get("urn") or "")


def waivers(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [r for r in plan.get("results", []) if r.get("kind") == WAIVER_KIND]


def status_label(result: Mapping[str, Any]) -> str:
    status = str(result.get("status"))
    if status == "fail":
        return "violation" if result.get("enforcement") == "mandatory" else "advisory"
    return status


def resource_label(urn: str | None) -> str:
    """`urn:pulumi:prod::proj::a$azure-native:containerservice:ManagedCluster::weu1-aks`
    -> `ManagedCluster weu1-aks`; stack-level findings read `(stack)`."""
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    kind = parts[2].rpartition("$")[2].rpartition(":")[2]
    return f"{kind} {parts[-1]}"


def at_apply(plan: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Controls of this plan that leave part of their judgement to `pulumi up` (catalog
    `atApply`), with how many values each left there (known only in preview fidelity)."""
    summary = plan.get("summary") or {}
    deferred = summary.get("deferredToApply") or {}
    return [(str(c), int(deferred.get(c, 0))) for c in summary.get("atApply") or ()]


def at_apply_text(plan: Mapping[str, Any]) -> str:
    """One line for every report: `AKS-CLU-02 (2 values), IAM-ID-04`."""
    return ", ".join(f"{c} ({n} value{'s' * (n != 1)})" if n else c for c, n in at_apply(plan))


def counts(plan: Mapping[str, Any]) -> dict[str, int]:
    summary = plan.get("summary") or {}
    return {
        "resources": int(summary.get("resources", len(plan.get("resources", [])))),
        "violations": int(summary.get("violations", 0)),
        "advisory": int(summary.get("advisory", 0)),
        "waived": int(summary.get("waived", 0)),
        "unknown": int(summary.get("unknown", 0)),
        "waivers": len(waivers(plan)),
    }
