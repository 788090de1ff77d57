"""SARIF 2.1.0 for GitHub code scanning: one rule per control, results at the causing line.

One run covers every environment of the report (GitHub rejects several runs of the same
tool in one upload). Rules carry the control's rule text, remediation and references;
results point at the stack-file key or manifest line behind the finding. Mandatory
violations are errors, advisory ones warnings, checks that cannot be decided at preview
notes; waived findings keep their level and carry an accepted suppression with the
waiver's reason. Every waiver is also listed in the run's properties.

Names, messages and reasons come from input: they pass through untrusted.sarif() (plain
text, no control characters, secrets masked, long values cut); locations are relative to
the repository root (locations.repository_uri).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bootstrap.outputs import json_text
from policies.catalog import Control, load_catalog

from . import model, untrusted
from .locations import Locator, repository_uri

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "aks-platform-baseline"
TOOL_VERSION = "0.1.0"
_SEVERITY = {"mandatory": "8.0", "advisory": "4.0"}


def text(plans: Sequence[Mapping[str, Any]], stack_dir: Path = Path("stacks")) -> str:
    # Laid out down to one result per line (runs > run > results > result); deeper values
    # compact, by the json module's C encoder (json_text).
    return json_text(build(plans, stack_dir), expand=SARIF_LAYOUT)


SARIF_LAYOUT = 4


def build(plans: Sequence[Mapping[str, Any]], stack_dir: Path = Path("stacks")) -> dict[str, Any]:
    catalog = load_catalog()
    rules = [_rule(control) for control in catalog]
    index = {control.id: i for i, control in enumerate(catalog)}
    locator = Locator(stack_dir)
    results = []
    waivers = []
    for plan in plans:
        for result in model.findings(plan):
            results.append(_result(plan, result, index, locator))
        for entry in model.waivers(plan):
            waiver = entry.get("waiver") or {}
            waivers.append(
                {
                    "stack": _text(plan.get("stack")),
                    **{str(key): _text(value) for key, value in waiver.items()},
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "semanticVersion": TOOL_VERSION,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "utf16CodeUnits",
        "properties": {
            "stacks": [_text(plan.get("stack")) for plan in plans],
            "waivers": waivers,
            # Controls that leave part of their judgement to `pulumi up` (catalog atApply).
            "atApply": {
                str(plan.get("stack")): dict(model.at_apply(plan))
                for plan in plans
                if model.at_apply(plan)
            },
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(control: Control) -> dict[str, Any]:
    refs = control.references
    references = [f"DevSecOps stage: {refs.stage}"]
    if refs.cis:
        references.append(f"CIS: {', '.join(refs.cis)}")
    if refs.checkov:
        references.append(f"checkov: {', '.join(refs.checkov)}")
    types = ", ".join(control.resource_types)
    if control.at_apply:
        references.append(f"Decided in part at apply: {control.at_apply}")
    text = (
        f"{control.title}.\n\nRemediation: {control.remediation}\n\nApplies to: {types}\n"
        + "\n".join(references)
    )
    markdown = (
        f"**{control.id}** - {control.title}\n\n**Remediation:** {control.remediation}\n\n"
        f"**Applies to:** {types}\n\n" + "\n".join(f"- {r}" for r in references)
    )
    return {
        "id": control.id,
        "name": _pascal(control.policy),
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": f"{control.title} ({control.section})."},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {
            "level": "error" if control.enforcement == "mandatory" else "warning"
        },
        "properties": {
            "tags": ["security", control.section, refs.stage],
            "precision": "very-high",
            "security-severity": _SEVERITY[control.enforcement],
            "policy": control.policy,
            "cis": list(refs.cis),
            "checkov": list(refs.checkov),
            **({"atApply": control.at_apply} if control.at_apply else {}),
        },
    }


def _result(
    plan: Mapping[str, Any],
    result: Mapping[str, Any],
    index: Mapping[str, int],
    locator: Locator,
) -> dict[str, Any]:
    control = untrusted.sarif((result.get("controls") or ["?"])[0], untrusted.NAME_LIMIT)
    stack = untrusted.sarif(plan.get("stack") or "-", untrusted.NAME_LIMIT)
    uri, line = _location(plan, result, locator)
    label = model.resource_label(result.get("urn"))
    message = f"[{stack}] {label}: {result.get('message', '')}"
    entry: dict[str, Any] = {
        "ruleId": control,
        "level": _level(result),
        "message": {"text": untrusted.sarif(message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": max(1, line)},
                },
                "logicalLocations": [
                    {
                        "fullyQualifiedName": untrusted.sarif(
                            result.get("urn") or f"{stack}:(stack)"
                        ),
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {"platformFinding/v1": _fingerprint(stack, result)},
        "properties": {
            "stack": stack,
            "status": _text(result.get("status")),
            "enforcement": _text(result.get("enforcement")),
            "policy": _text(result.get("policy")),
        },
    }
    if control in index:
        entry["ruleIndex"] = index[control]
    waiver = result.get("waiver")
    if result.get("status") == "waived" and isinstance(waiver, Mapping):
        reason = f"{waiver.get('reason', '')} (waiver until {waiver.get('expires')})"
        entry["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": untrusted.sarif(reason)}
        ]
    return entry


def _location(
    plan: Mapping[str, Any], result: Mapping[str, Any], locator: Locator
) -> tuple[str, int]:
    shown, line = locator.locate(plan, result)
    uri = repository_uri(shown)
    if uri is None:  # a plan file named something that is no local path: point at the plan
        uri = repository_uri(str(plan.get("sourceFile") or "")) or "plan.json"
        line = 1
    return uri, line


def _text(value: Any) -> Any:
    """Strings from input as plain text; numbers, booleans and null unchanged."""
    return untrusted.sarif(value) if isinstance(value, str) else value


def _level(result: Mapping[str, Any]) -> str:
    if result.get("status") == "unknown":
        return "note"
    return "error" if result.get("enforcement") == "mandatory" else "warning"


def _fingerprint(stack: str, result: Mapping[str, Any]) -> str:
    """Stable across runs (no line numbers), so code scanning tracks one alert per finding."""
    key = "|".join(
        [
            stack,
            ",".join(result.get("controls") or []),
            str(result.get("urn")),
            str(result.get("message")),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _pascal(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))
