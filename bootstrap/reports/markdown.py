"""The Markdown report, shaped for a pull-request comment: one collapsed section per environment.

Sections with mandatory violations are open; every waiver is listed in its environment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bootstrap.planfile import write_atomic

from . import model

_ICONS = {"violation": "❌", "advisory": "⚠️", "unknown": "❔", "waived": "🏷️"}
MAX_ROWS = 200  # GitHub comments stop at 65,536 characters


def write(plans: Sequence[Mapping[str, Any]], path: Path) -> None:
    write_atomic(path, render(plans))


def render(plans: Sequence[Mapping[str, Any]]) -> str:
    total = sum(model.counts(plan)["violations"] for plan in plans)
    title = (
        f"## Policy check: {total} mandatory violation(s)"
        if total
        else "## Policy check: no mandatory violations"
    )
    lines = [title, "", _overview(plans), ""]
    for plan in plans:
        lines.extend(_section(plan))
    return "\n".join(lines).rstrip() + "\n"


def _overview(plans: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        "| environment | resources | violations | advisory | waived | unknown | waivers |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for plan in plans:
        c = model.counts(plan)
        rows.append(
            f"| {_cell(plan.get('stack') or '-')} | {c['resources']} | {c['violations']} | "
            f"{c['advisory']} | {c['waived']} | {c['unknown']} | {c['waivers']} |"
        )
    return "\n".join(rows)


def _section(plan: Mapping[str, Any]) -> list[str]:
    counts = model.counts(plan)
    stack = plan.get("stack") or "(no stack)"
    opened = " open" if counts["violations"] else ""
    summary = (
        f"<b>{_html(stack)}</b>: {counts['violations']} violation(s), {counts['advisory']} "
        f"advisory, {counts['waived']} waived, {counts['unknown']} unknown"
    )
    lines = [f"<details{opened}><summary>{summary}</summary>", ""]
    if model.at_apply(plan):
        lines += [
            f"Decided in part at `pulumi up` (values unknown at a first preview): "
            f"{_cell(model.at_apply_text(plan))}",
            "",
        ]
    findings = model.findings(plan)
    if findings:
        lines += ["| control | status | resource | finding |", "|---|---|---|---|"]
        for result in findings[:MAX_ROWS]:
            label = model.status_label(result)
            lines.append(
                f"| `{', '.join(result.get('controls') or [])}` | {_ICONS.get(label, '')} {label} "
                f"| {_cell(model.resource_label(result.get('urn')))} "
                f"| {_cell(str(result.get('message', '')))} |"
            )
        if len(findings) > MAX_ROWS:
            lines.append(f"\n… and {len(findings) - MAX_ROWS} more (see the SARIF report).")
    else:
        lines.append("Every evaluated control passed.")
    waivers = model.waivers(plan)
    if waivers:
        lines += [
            "",
            "**Waivers**",
            "",
            "| control | resource | expires | status | reason |",
            "|---|---|---|---|---|",
        ]
        for entry in waivers:
            waiver = entry.get("waiver") or {}
            scope = _cell(str(waiver.get("resource") or "whole stack"))
            lines.append(
                f"| `{waiver.get('control', '')}` | {scope} "
                f"| {waiver.get('expires', '')} | {entry.get('status')} "
                f"| {_cell(str(waiver.get('reason', '')))} |"
            )
    lines += ["", "</details>", ""]
    return lines


def _cell(text: str) -> str:
    return _html(text).replace("|", "\\|").replace("\n", " ")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
